/**
 * Three constructs where the stage model follows BuildKit rather than dockerfile-ast.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDocument } from '../../server/src/model/document';
import { buildModel, modelFromParsed } from '../../server/src/model/model';
import { endsWithContinuation } from '../../server/src/model/syntax';
import { breakEscapedEscapes } from './support/ast-oracle';
import { computeDefinition, computeReferences, computeRename } from '../../server/src/features/navigation';
import { checkModel } from '../../server/src/model/checks';

const uri = 'file:///w/Dockerfile';

// moby/buildkit frontend/dockerfile/parser/parser.go (setEscapeToken):
//   lineContinuationRegex = `([^E])E[ \t]*$|^E[ \t]*$` with E the escape token.
test('continuation follows BuildKit: an escaped escape character at the end does not continue', () => {
  assert.equal(endsWithContinuation('RUN a \\', '\\'), true);
  assert.equal(endsWithContinuation('RUN a \\  \t', '\\'), true);
  assert.equal(endsWithContinuation('\\', '\\'), true);
  assert.equal(endsWithContinuation('RUN a \\\\', '\\'), false);
  assert.equal(endsWithContinuation('RUN a \\\\\\', '\\'), false); // the regex's documented limitation
  assert.equal(endsWithContinuation('RUN a ``', '`'), false);
  assert.equal(endsWithContinuation('RUN a `', '`'), true);
  assert.equal(endsWithContinuation('RUN a \\\\', '`'), false);
  const m = buildModel('FROM alpine AS a\nRUN echo \\\\\nFROM a AS b\n');
  assert.deepEqual(
    m.stages.map((s) => s.name),
    ['a', 'b'],
  );
  assert.equal(m.stages[1]?.base.stage, 0);
  const bt = buildModel('# escape=`\nFROM alpine AS a\nRUN echo ``\nFROM a AS b\nRUN x \\\\\nFROM b\n');
  assert.deepEqual(
    bt.stages.map((s) => s.name),
    ['a', 'b', undefined],
  );
  // Under a backtick escape, `\\` at the end is plain text; and a plain continuation still continues.
  const cont = buildModel('FROM alpine AS a\nRUN echo \\\nFROM b AS c\n');
  assert.equal(cont.stages.length, 1);
});

test('patched lines keep their length and the token text is restored', () => {
  const p = breakEscapedEscapes('RUN a\\\\\nRUN b\\\\  \r\nX\\', '\\');
  assert.deepEqual([...p.at], ['0:6', '1:6']);
  assert.equal(p.text.length, 'RUN a\\\\\nRUN b\\\\  \r\nX\\'.length);
  const m = buildModel('FROM alpine AS a\nARG V=x\\\\\nFROM a\n');
  assert.equal(m.stages[0]?.args[0]?.value, 'x\\');
});

test('incremental parse equals a full parse around escaped escapes', () => {
  const v1 = 'FROM alpine AS a\nRUN one\nFROM a AS b\nRUN two\nFROM b AS c\nRUN three\n';
  const v2 = v1.replace('RUN two', 'RUN two \\\\');
  const v3 = v2.replace('RUN two \\\\', 'RUN two \\');
  let prev = parseDocument(v1);
  for (const v of [v2, v3, v2]) {
    const inc = parseDocument(v, prev);
    assert.deepEqual(
      modelFromParsed(inc).stages.map((s) => [s.name, s.range]),
      modelFromParsed(parseDocument(v)).stages.map((s) => [s.name, s.range]),
    );
    prev = inc;
  }
  assert.equal(modelFromParsed(parseDocument(v2)).stages.length, 3);
  assert.equal(modelFromParsed(parseDocument(v3)).stages.length, 2);
});

// dockerfile2llb: a --from naming the current or a later stage is an error
// ("circular dependency" / must be defined before the current stage); it never resolves.
test('definition and references do not resolve a --from that names a later stage or itself', () => {
  const m = buildModel('FROM alpine AS a\nCOPY --from=b /x /x\nCOPY --from=a /y /y\nFROM alpine AS b\nCOPY --from=a /z /z\n');
  const laterRef = { line: 1, character: 13 };
  const selfRef = { line: 2, character: 13 };
  assert.equal(computeDefinition(m, uri, laterRef), undefined);
  assert.equal(computeDefinition(m, uri, selfRef), undefined);
  // References of stage a list only the resolved use in stage b.
  const refs = computeReferences(m, uri, { line: 0, character: 15 }, false) ?? [];
  assert.deepEqual(
    refs.map((r) => r.range.start.line),
    [4],
  );
  // The diagnostic still points at the later stage.
  const later = checkModel(m).find((p) => p.range.start.line === 1);
  assert.ok(later, 'a diagnostic on the forward reference');
  assert.equal(later.related?.[0]?.range.start.line, 3);
  // Rename keeps every reference naming the stage (so the diagnostic stays the same).
  const r = computeRename(m, { line: 3, character: 15 }, 'bee');
  assert.ok(r && 'edits' in r);
  assert.deepEqual(r.edits.map((e) => e.range.start.line).sort(), [1, 3]);
});

// dockerfile2llb resolves a FROM base among the stages declared before it, so `FROM x AS x` builds on the image x.
test('FROM x AS x: the base is the image, not the stage being declared', () => {
  const m = buildModel('FROM node AS node\nRUN true\nFROM node AS app\n');
  assert.equal(m.stages[0]?.base.stage, undefined);
  assert.equal(m.references.filter((r) => r.inStage === 0).length, 0);
  assert.equal(computeDefinition(m, uri, { line: 0, character: 6 }), undefined);
  assert.equal(checkModel(m).length, 0);
  assert.equal(m.stages[1]?.base.stage, 0);
});
