/**
 * The outline's detail of an instruction (model/scanInstruction.ts `instructionSummary`) reads only
 * as many words as it shows. It must equal what the full flags and arguments give, joined and cut,
 * on every fixture and on random texts, whether or not the arguments were read before.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { buildModel, type StageModel } from '../../server/src/model/model';
import { instructionSummary } from '../../server/src/model/scanInstruction';
import type { InstructionSyntax } from '../../server/src/model/syntax';
import { ALPHABET, rng } from './support/fuzz-alphabet';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** The detail as it was computed before: every flag and argument, joined, then cut. */
function fromEverything(i: InstructionSyntax, max: number): string {
  const d = i.flags
    .map((f) => `--${f.name}${f.value !== null ? `=${f.value}` : ''}`)
    .concat(i.args.map((a) => a.text))
    .join(' ');
  return d.length > max ? d.slice(0, max - 1) + '…' : d;
}

function instructions(m: StageModel): InstructionSyntax[] {
  return [...m.preludeInstructions, ...m.stages.flatMap((s) => [s.from, ...s.instructions])];
}

function compare(text: string, label: string): number {
  let n = 0;
  for (const max of [80, 12, 2]) {
    const fresh = instructions(buildModel(text));
    const read = instructions(buildModel(text));
    const want = read.map((i) => fromEverything(i, max));
    fresh.forEach((i, k) => {
      assert.equal(instructionSummary(i, max), want[k], `${label}, instruction ${k}, max ${max} (not read before)`);
      n++;
    });
    read.forEach((i, k) => {
      assert.equal(instructionSummary(i, max), want[k], `${label}, instruction ${k}, max ${max} (read before)`);
    });
    // (A summary is kept per instruction; asked again with another limit, it is made again.)
    fresh.forEach((i, k) => {
      assert.equal(instructionSummary(i, max + 7), fromEverything(i, max + 7), `${label}, instruction ${k}, max ${max} then ${max + 7}`);
    });
  }
  return n;
}

function dockerfiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? dockerfiles(p) : /dockerfile/i.test(f) ? [p] : [];
  });
}

test('on every fixture and example, the summary equals the detail made from all flags and arguments', () => {
  const files = [...dockerfiles(path.join(ROOT, 'test', 'fixtures')), ...dockerfiles(path.join(ROOT, 'examples'))];
  assert.ok(files.length > 50, `found only ${files.length} Dockerfiles`);
  let n = 0;
  for (const f of files) n += compare(readFileSync(f, 'utf8'), path.relative(ROOT, f));
  assert.ok(n > 1000, `compared only ${n} instructions`);
});

test('on random texts (flags, continuations, escapes, heredocs), the summary equals the full detail', () => {
  const pieces = [
    ...ALPHABET,
    'RUN ',
    'COPY ',
    '--from=x ',
    '--chown=1:1 ',
    '--mount=type=cache,target=/x ',
    '-\\-x ',
    ' \\\n',
    '`\n',
    '# escape=`\n',
    'HEALTHCHECK --interval=3s CMD x',
    'ONBUILD RUN --mount=from=a y',
    'a-long-word-that-fills-the-outline-detail ',
  ];
  const r = rng(23);
  let n = 0;
  for (let t = 0; t < 1500; t++) {
    let text = '';
    const len = 1 + Math.floor(r() * 30);
    for (let j = 0; j < len; j++) text += pieces[Math.floor(r() * pieces.length)] ?? '';
    n += compare(text, `random text ${t}: ${JSON.stringify(text)}`);
  }
  assert.ok(n > 1000, `compared only ${n} instructions`);
});
