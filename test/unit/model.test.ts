/** BuildKit's stage rules, one assertion each, on minimal Dockerfiles. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkModel } from '../../server/src/model/checks';
import { buildModel, referencedStage, stageNeeds, type StageModel } from '../../server/src/model/model';

const refs = (m: StageModel) => m.references.map((r) => `${r.kind}:${r.raw}→${r.resolution.kind}${referencedStage(r) ?? ''}`);
const codes = (text: string) => checkModel(buildModel(text)).map((p) => p.code);

test('COPY --from: digits are an index, names are case-insensitive, unknown names are images', () => {
  const m = buildModel('FROM a AS Build\nFROM b\nCOPY --from=0 / /\nCOPY --from=BUILD / /\nCOPY --from=build / /\nCOPY --from=nginx / /\n');
  assert.deepEqual(refs(m), ['copy:0→stage0', 'copy:BUILD→stage0', 'copy:build→stage0', 'copy:nginx→image']);
});

test('FROM <stage> is looked up exactly as written against lower-cased names', () => {
  const m = buildModel('FROM a AS Builder\nFROM builder AS x\nFROM Builder AS y\n');
  assert.deepEqual(refs(m), ['from:builder→stage0', 'from:Builder→image']);
  assert.equal(m.stages[1]?.base.stage, 0);
  assert.equal(m.stages[2]?.base.stage, undefined);
  assert.ok(codes('FROM a AS Builder\nFROM Builder AS y\n').includes('from-stage-case'));
});

test('mount from= resolves names only; an index is an image', () => {
  const m = buildModel('FROM a AS deps\nFROM b\nRUN --mount=from=DEPS,target=/x --mount=type=bind,from=0,target=/y true\n');
  assert.deepEqual(refs(m), ['mount:DEPS→stage0', 'mount:0→image']);
});

test('forward, self and out-of-range references are errors; FROM of a later stage is an image', () => {
  const m = buildModel('FROM a AS one\nCOPY --from=two / /\nCOPY --from=one / /\nCOPY --from=5 / /\nFROM two AS zero\nFROM a AS two\n');
  assert.deepEqual(refs(m), ['copy:two→later2', 'copy:one→self0', 'copy:5→out-of-range', 'from:two→later2']);
  assert.deepEqual(
    codes('FROM a AS one\nCOPY --from=two / /\nCOPY --from=one / /\nCOPY --from=5 / /\nFROM two AS zero\nFROM a AS two\n').filter(
      (c) => c !== 'unreachable-stage',
    ),
    ['stage-later-reference', 'stage-self-reference', 'stage-index-out-of-range', 'from-later-stage'],
  );
});

test('with duplicate names, --from resolves to the last declaration (BuildKit map order)', () => {
  const m = buildModel('FROM a AS d\nFROM b AS d\nFROM c\nCOPY --from=d / /\n');
  assert.equal(referencedStage(m.references[0]!), 1);
});

test('--from after other flags and across continuation lines is found', () => {
  const m = buildModel('FROM a AS b\nFROM c\nCOPY --chown=1:1 --link \\\n  --chmod=755 --from=b / /\n');
  assert.deepEqual(refs(m), ['copy:b→stage0']);
  assert.equal(m.references[0]?.range.start.line, 3);
});

test('build args: expanded with defaults and marked dynamic', () => {
  const m = buildModel('ARG S=builder\nARG IMG=golang:1.22\nFROM ${IMG} AS builder\nFROM b\nCOPY --from=$S / /\n');
  assert.equal(m.stages[0]?.base.value, 'golang:1.22');
  assert.equal(m.stages[0]?.base.dynamic, true);
  assert.equal(m.references[0]?.dynamic, true);
  assert.equal(referencedStage(m.references[0]), 0);
});

test('--target needs: base chain, COPY and mount sources; the default target is the last stage', () => {
  const m = buildModel(
    'FROM a AS base\nFROM a AS deps\nFROM base AS build\nRUN --mount=from=deps,target=/d true\nFROM a AS unused\nFROM scratch\nCOPY --from=build / /\n',
  );
  assert.deepEqual(stageNeeds(m, 2), [0, 1, 2]);
  assert.deepEqual(stageNeeds(m, 4), [0, 1, 2, 4]);
  assert.equal(m.defaultTarget?.index, 4);
  assert.equal(m.stages[3]?.builtByDefault, false);
  assert.equal(m.stages[3]?.reachable, true, 'a named stage is its own target');
  assert.deepEqual(m.stages[0]?.dependents, [2]);
});

test('heredoc bodies and comments are never stages or references', () => {
  const m = buildModel('FROM a AS b\n# FROM x AS y\n# COPY --from=z / /\nRUN <<EOF\nFROM q AS r\nCOPY --from=b / /\nEOF\n');
  assert.equal(m.stages.length, 1);
  assert.equal(m.references.length, 0);
});

test('the description comment that --call=targets reads', () => {
  const m = buildModel('# builder compiles the program\nFROM a AS builder\n# nothing here\nFROM b AS other\n');
  assert.equal(m.stages[0]?.description, 'compiles the program');
  assert.equal(m.stages[1]?.description, undefined);
});

test('names: invalid, reserved, duplicate, casing, AS casing, did-you-mean', () => {
  assert.deepEqual(codes('FROM a AS 9x\n'), ['invalid-stage-name']);
  assert.deepEqual(codes('FROM a AS scratch\n'), ['reserved-stage-name']);
  assert.deepEqual(codes('FROM a AS x\nFROM a AS x\n'), ['duplicate-stage-name']);
  assert.deepEqual(codes('FROM a AS Xy\n'), ['stage-name-casing']);
  assert.deepEqual(codes('FROM a as x\n'), ['from-as-casing']);
  assert.deepEqual(codes('from a AS x\n'), ['from-as-casing']);
  assert.deepEqual(codes('From a as x\n'), []);
  assert.deepEqual(codes('FROM a AS builder\nFROM b\nCOPY --from=buidler / /\n'), ['unknown-stage-name']);
  assert.deepEqual(codes('FROM a AS builder\nFROM b\nCOPY --from=nginx / /\n'), []);
  assert.deepEqual(codes('FROM a AS builder\nFROM b\nCOPY --from=$X / /\n'), []);
});

test('BOM, CRLF, tabs and non-BMP characters keep UTF-16 columns', () => {
  const m = buildModel('\uFEFFFROM a AS b\r\nFROM c\r\nCOPY --chown=\u{1F433} --from=b / /\r\n');
  assert.deepEqual(m.references[0]?.range, { start: { line: 2, character: 23 }, end: { line: 2, character: 24 } });
  const t = buildModel('FROM\ta\tAS\tb\nFROM c\nCOPY\t--from=b\t/ /\n');
  assert.equal(t.stages[0]?.name, 'b');
  assert.equal(t.references[0]?.range.start.character, 12);
});

test('bad input: garbage, control characters and huge lines produce a result, never a throw', () => {
  const inputs = [
    '\u0000\u0001\u0002',
    'FROM',
    'FROM a AS',
    'COPY --from=',
    '\\\n\\\n',
    '<<<<<<< x\nFROM a\n=======\nFROM b\n>>>>>>> y',
    'RUN <<EOF',
    'FROM ' + 'a'.repeat(200000),
    '$'.repeat(10000),
    '${'.repeat(5000),
  ];
  for (const i of inputs) {
    const m = buildModel(i);
    assert.ok(Array.isArray(checkModel(m)));
  }
});
