/**
 * Merge conflict markers (`<<<<<<<`, `=======`, `>>>>>>>`, `|||||||` at a line's start, then a
 * blank or the line's end) are found with one search of the text (model.ts). The rule is per
 * line: on seeded random text with LF, CR LF, lone CR and U+2028 (a line break to a pattern's
 * `^`, not to an editor), the markers found equal a test of every line.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildModel } from '../../server/src/model/model';
import { splitLines } from '../../server/src/model/text';
import { rng } from './support/fuzz-alphabet';

const RULE = /^(<{7}|={7}|>{7}|\|{7})(\s|$)/;

function byLine(text: string): number[] {
  return splitLines(text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text).flatMap((l, n) => (RULE.test(l) ? [n] : []));
}

test('the markers of a conflicted file are errors on their lines', () => {
  const text = 'FROM a AS b\n<<<<<<< HEAD\nRUN x\n=======\nRUN y\n>>>>>>> main\n=======x\n';
  const m = buildModel(text);
  assert.deepEqual(
    m.conflictMarkers.map((r) => [r.start.line, r.end.character]),
    [
      [1, 12],
      [3, 7],
      [5, 12],
    ],
  );
});

test('one search of the text finds the markers a test of every line finds', () => {
  const r = rng(5);
  const pieces = ['<<<<<<<', '=======', '>>>>>>>', '|||||||', '<<<<<<', ' ', '\t', 'x', '\n', '\r\n', '\r', '\u2028', '\uFEFF', 'FROM a\n', 'RUN b\n'];
  for (let i = 0; i < 3000; i++) {
    let text = '';
    const n = 1 + Math.floor(r() * 14);
    for (let k = 0; k < n; k++) text += pieces[Math.floor(r() * pieces.length)] ?? '';
    assert.deepEqual(
      buildModel(text).conflictMarkers.map((x) => x.start.line),
      byLine(text),
      JSON.stringify(text),
    );
  }
});
