/**
 * The general (dockerfile-utils) checks run one stage at a time (features/generalPieces.ts):
 * the prelude followed by each stage. That may save time and memory, never change an answer:
 * on every fixture, on generated files and on seeded random text, the diagnostics equal a
 * check of the whole file. And a change re-checks only the stages whose text changed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver';
import { GeneralFeatures } from '../../server/src/features/dls';
import { GeneralPieceCache, generalPieces } from '../../server/src/features/generalPieces';
import { buildModel } from '../../server/src/model/model';
import { ALPHABET, rng } from './support/fuzz-alphabet';

const root = path.resolve(__dirname, '../../..');
const fixtures = path.join(root, 'test/fixtures');
const general = new GeneralFeatures(() => undefined);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) return files(p);
    return /dockerfile/i.test(n) && !n.endsWith('.txt') ? [p] : [];
  });
}

const sorted = (ds: readonly Diagnostic[]): string[] => ds.map((d) => JSON.stringify(d)).sort();

/** The pieces' diagnostics equal the whole file's; returns how many pieces there were. */
function same(text: string, label: string): number {
  const model = buildModel(text);
  const pieces = generalPieces(model);
  const cache = new GeneralPieceCache((t) => general.validate(t));
  assert.deepEqual(sorted(cache.validate('k', pieces)), sorted(general.validate(model.text)), `${label}\n${JSON.stringify(text)}`);
  return pieces.length;
}

test('stage by stage, the general checks equal a whole-file check on every fixture', () => {
  let split = 0;
  const all = files(fixtures);
  assert.ok(all.length > 100, `fixtures found: ${all.length}`);
  for (const f of all) if (same(readFileSync(f, 'utf8'), path.relative(root, f)) > 1) split++;
  assert.ok(split > 20, `fixtures checked in pieces: ${split}`);
});

test('stage by stage, the general checks equal a whole-file check on generated files', () => {
  for (const n of [1, 10, 100]) {
    const text = execFileSync(process.execPath, [path.join(root, 'scripts/bench/gen.mjs'), '--stages', String(n), '--seed', '3'], { encoding: 'utf8' });
    const pieces = same(text, `${n} stages`);
    if (n > 1) assert.equal(pieces, n + 1, 'one piece per stage, and the prelude');
  }
});

test('stage by stage, the general checks equal a whole-file check on random text', () => {
  const r = rng(11);
  const pick = (): string => ALPHABET[Math.floor(r() * ALPHABET.length)] ?? '';
  const lines = [
    'FROM a AS b\n',
    'RUN x\n',
    'CMD y\n',
    'CMD z\n',
    'ARG V=1\n',
    'ENV E=$V\n',
    '# dockerfile-utils: ignore\n',
    'COPY --from=b / /\n',
    'HEALTHCHECK NONE\n',
    'ONBUILD RUN a\n',
  ];
  const line = (): string => lines[Math.floor(r() * lines.length)] ?? '';
  for (let i = 0; i < 1500; i++) {
    let text = '';
    const n = 2 + Math.floor(r() * 30);
    for (let k = 0; k < n; k++) text += r() < 0.6 ? line() : pick();
    same(text, `random text ${i}`);
  }
});

test('a prelude rule, an ignore comment above a FROM and the CMD rule keep their answers', () => {
  const text = [
    '# escape=`',
    'ARG V=1',
    'RUN early',
    'FROM a AS one',
    'CMD x',
    'CMD y',
    '# dockerfile-utils: ignore',
    'FROM b AS two extra',
    'CMD z',
    'FROM c:lAtest AS three',
    'EXPOSE 99999',
    '',
  ].join('\n');
  assert.equal(same(text, 'mixed'), 4);
  // An ignore comment that ends the prelude applies to the first stage's FROM, not to every stage's.
  const ignoredPrelude = 'ARG V=1\n# dockerfile-utils: ignore\nFROM a AS b c\nFROM x y\n';
  assert.equal(same(ignoredPrelude, 'ignore comment ending the prelude'), 3);
  assert.deepEqual(
    general.validate(ignoredPrelude).map((d) => d.range.start.line),
    [3],
  );
  const codes = general.validate(text).map((d) => d.code);
  assert.ok(codes.includes(20) && codes.includes(37), `the no-source-image and CMD rules answer: ${codes.join(', ')}`);
});

test('a change re-checks only the stages whose text changed', () => {
  const text = execFileSync(process.execPath, [path.join(root, 'scripts/bench/gen.mjs'), '--stages', '10', '--seed', '3'], { encoding: 'utf8' });
  const checked: string[] = [];
  const cache = new GeneralPieceCache((t) => {
    checked.push(t);
    return general.validate(t);
  });
  cache.validate('k', generalPieces(buildModel(text)));
  assert.equal(checked.length, 10, 'the prelude and the first stage are one text');
  checked.length = 0;
  const lines = text.split('\n');
  const at = lines.findIndex((l, i) => i > lines.length / 2 && l.startsWith('RUN '));
  lines[at] = `${lines[at] ?? ''} && true`;
  const edited = lines.join('\n');
  const after = cache.validate('k', generalPieces(buildModel(edited)));
  assert.equal(checked.length, 1, 'one stage changed');
  assert.deepEqual(sorted(after), sorted(general.validate(edited)));
  cache.forget('k');
  checked.length = 0;
  cache.validate('k', generalPieces(buildModel(edited)));
  assert.equal(checked.length, 10, 'forgotten: checked again');
});
