/**
 * The incremental parse must equal a full parse. Random edits (seeded) over every
 * fixture and a generated multi-stage file: inserted and deleted lines, FROM lines,
 * heredoc openers, continuations, characters inside lines.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseDocument } from '../../server/src/model/document';
import { buildModel, modelFromParsed, type StageModel } from '../../server/src/model/model';
import { plain } from './support/plain';

const dir = path.resolve(__dirname, '../../../test/fixtures');

function summary(m: StageModel): unknown {
  return plain({
    escape: m.escapeChar,
    args: m.globalArgs,
    prelude: m.preludeInstructions,
    stages: m.stages.map((s) => ({ ...s })),
    references: m.references,
    comments: m.comments,
    conflicts: m.conflictMarkers,
  });
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SNIPPETS = [
  'FROM alpine AS inserted\n',
  'RUN <<EOF\n',
  'EOF\n',
  'COPY --from=builder /a /b\n',
  'RUN make \\\n',
  '# comment\n',
  '\n',
  'FROM ',
  'x',
  '`',
  '\\',
  'RUN --mount=type=cache,from=deps,target=/x true\n',
  'ARG X=1\n',
  '<<<<<<< HEAD\n',
  'RUN echo \\\\\n',
  '``\n',
];

function randomEdit(text: string, r: () => number): string {
  const at = Math.floor(r() * (text.length + 1));
  const kind = r();
  if (kind < 0.45) return text.slice(0, at) + (SNIPPETS[Math.floor(r() * SNIPPETS.length)] as string) + text.slice(at);
  if (kind < 0.8) return text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + Math.floor(r() * 30)));
  // Delete or duplicate a whole line.
  const lines = text.split('\n');
  const n = Math.floor(r() * lines.length);
  if (kind < 0.9) lines.splice(n, 1);
  else lines.splice(n, 0, lines[n] ?? '');
  return lines.join('\n');
}

function generated(stages: number): string {
  let s = 'ARG BASE=golang:1.22\n';
  for (let i = 0; i < stages; i++) {
    s += `# s${i} stage number ${i}\nFROM \${BASE} AS s${i}\nRUN echo ${i} \\\n  && true\n`;
    if (i > 0) s += `COPY --from=s${i - 1} /a /a\nRUN --mount=type=cache,from=s0,target=/x <<EOF\nFROM fake\nEOF\n`;
  }
  return s;
}

const inputs: [string, string][] = [
  ...readdirSync(dir)
    .filter((f) => f.endsWith('.Dockerfile'))
    .map((f): [string, string] => [f, readFileSync(path.join(dir, f), 'utf8')]),
  ['generated-40', generated(40)],
];

for (const [name, original] of inputs) {
  test(`incremental parse equals full parse: ${name}`, () => {
    const r = rng(name.length * 7919 + 17);
    let text = original;
    let prev = parseDocument(text);
    for (let step = 0; step < 60; step++) {
      const next = randomEdit(text, r);
      const inc = parseDocument(next, prev);
      const full = parseDocument(next);
      assert.deepEqual(summary(modelFromParsed(inc)), summary(modelFromParsed(full)), `after edit ${step} of ${name}:\n---\n${next}\n---`);
      text = next;
      prev = inc;
    }
  });
}

test('a one-character edit in one stage re-parses only that stage', () => {
  const text = generated(200);
  const first = buildModel(text);
  const edited = text.replace('RUN echo 100 ', 'RUN echo 100x ');
  const second = buildModel(edited, first);
  assert.ok(second.parsed.parsedLines < 20, `parsed ${second.parsed.parsedLines} lines`);
  assert.equal(second.stages.length, 200);
  assert.deepEqual(summary(second), summary(buildModel(edited)));
});

test('an opened heredoc swallows the following stages, and closing it brings them back', () => {
  const text = generated(5);
  const m0 = buildModel(text);
  const open = text.replace('FROM ${BASE} AS s2\n', 'FROM ${BASE} AS s2\nRUN <<END\n');
  const m1 = buildModel(open, m0);
  assert.equal(m1.stages.length, 3);
  assert.deepEqual(summary(m1), summary(buildModel(open)));
  const closed = open.replace('FROM ${BASE} AS s3\n', 'END\nFROM ${BASE} AS s3\n');
  const m2 = buildModel(closed, m1);
  assert.equal(m2.stages.length, 5);
  assert.deepEqual(summary(m2), summary(buildModel(closed)));
});
