/** The one continuation joiner and the one edit distance (model/text.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildModel } from '../../server/src/model/model';
import { editDistance, isContinuationLine, joinInstruction, trimContinuation } from '../../server/src/model/text';
import { instructionBody } from '../../server/src/convert/shell';
import { instructionText } from '../../server/src/features/codeLens';

// BuildKit frontend/dockerfile/parser/parser.go setEscapeToken: `([^\\])\\[ \t]*$|^\\[ \t]*$`.
test('a line continues when it ends in the escape token, unless that token is itself escaped (BuildKit parser.go)', () => {
  assert.equal(isContinuationLine('RUN a \\', '\\'), true);
  assert.equal(isContinuationLine('RUN a \\ \t', '\\'), true, 'spaces and tabs after the token');
  assert.equal(isContinuationLine('\\', '\\'), true, 'the token alone on its line');
  assert.equal(isContinuationLine('RUN dir c:\\\\', '\\'), false, 'an escaped escape is no continuation');
  assert.equal(isContinuationLine('RUN a', '\\'), false);
  assert.equal(isContinuationLine('RUN dir c:\\', '`'), false, 'a backslash under escape=`');
  assert.equal(isContinuationLine('RUN dir `', '`'), true);
  assert.equal(isContinuationLine('RUN dir ``', '`'), false);
  // parser.go trimContinuationCharacter: ReplaceAll(line, "$1") keeps the character before the token.
  assert.equal(trimContinuation('RUN a\\  ', '\\'), 'RUN a');
  assert.equal(trimContinuation('\\', '\\'), '');
  assert.equal(trimContinuation('RUN a \\\\', '\\'), undefined);
});

test('joinInstruction: lines concatenated as BuildKit does, comments and blank lines inside skipped, heredoc bodies apart', () => {
  const lines = ['RUN echo a\\', 'b \\', '  # note', '', '  c'];
  const j = joinInstruction(lines, { line: 0, character: 0 }, { line: 4, character: 3 }, '\\');
  assert.equal(j.line, 'RUN echo ab   c');
  assert.deepEqual(j.heredocLines, []);
  const esc = joinInstruction(['RUN echo c:\\\\', 'CMD x'], { line: 0, character: 0 }, { line: 1, character: 5 }, '\\');
  assert.equal(esc.line, 'RUN echo c:\\\\', 'the doubled escape ends the instruction');
  assert.deepEqual(esc.heredocLines, ['CMD x']);
});

test('the converter and the lens text read one joiner: doubled escapes and heredocs agree', () => {
  const m = buildModel('FROM a\nRUN <<EOF\n# keep me\nmake all\nEOF\nRUN echo c:\\\\\n');
  const [heredoc, escaped] = m.stages[0]?.instructions ?? [];
  assert.ok(heredoc && escaped);
  assert.equal(instructionBody(m.parsed.lines, heredoc, '\\'), '# keep me\nmake all', 'a heredoc body keeps its comment lines');
  assert.equal(instructionText(m, heredoc), 'RUN <<EOF # keep me make all');
  assert.equal(instructionBody(m.parsed.lines, escaped, '\\'), 'echo c:\\\\');
  assert.equal(instructionText(m, escaped), 'RUN echo c:\\\\');
});

test('editDistance is Levenshtein, bounded by its limit', () => {
  assert.equal(editDistance('kitten', 'sitting', 5), 3);
  assert.equal(editDistance('build', 'buidl', 2), 2);
  assert.equal(editDistance('a', 'abcdef', 2), 3, 'limit + 1 past the limit');
  assert.equal(editDistance('', '', 0), 0);
});
