/**
 * Bad input for "Convert to multi-stage build": mutated and random Dockerfiles
 * (from the convert goldens and the real-world patterns, with their build
 * contexts) never make the conversion throw, and an offered conversion never
 * loses a line of the original. Unreadable and huge contexts are reported in
 * plain words (the conversion still answers from the Dockerfile alone).
 * (The timeout is a hang guard, not a speed assertion: speed is `npm run bench`.)
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { contextForDirectory, dockerignoreMatcher, type ContextIO } from '../../server/src/convert/context';
import { explainConversion, lostLines } from '../../server/src/convert/convert';
import type { ConvertContext } from '../../server/src/convert/steps';
import { computeConvertActions } from '../../server/src/features/convert';
import { buildModel } from '../../server/src/model/model';
import { nodeContextIO } from '../../server/src/server/nodeIO';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}
const PIECES = [
  'FROM ',
  'golang:1.19',
  'node:18-alpine',
  '@sha256:abc',
  ' AS ',
  'RUN ',
  'go build -o /app/x .',
  'npm run build',
  'cargo run',
  'CMD ',
  '["x", "y"]',
  'ENTRYPOINT ',
  'COPY . .',
  'WORKDIR /app',
  'USER app',
  '\\\n',
  '<<EOF\n',
  'EOF\n',
  '\n',
  '\r\n',
  '#',
  '$',
  '${A}',
  '"',
  "'",
  '&&',
  '|',
  ';',
  'apt-get purge -y gcc',
  '\uFEFF',
  '\u0000',
  'ARG A=1\n',
  '# escape=`\n',
];

function check(text: string, context: ConvertContext | undefined, label: string): void {
  const model = buildModel(text);
  let r: ReturnType<typeof explainConversion> | undefined;
  assert.doesNotThrow(() => (r = explainConversion(model, { context })), label);
  const c = r?.conversion;
  if (c && c.lost.length === 0) {
    assert.deepEqual(lostLines(text, c.text), [], `${label}: no line lost`);
    if (c.todos.length) assert.match(c.text, /^COPY --from=\S+ \/TODO\S* \S+$/m, `${label}: TODOs fail the build`);
  } else if (!c) assert.ok(typeof r?.reason === 'string' && r.reason.length > 0, `${label}: a reason when not converted`);
  // The code action is offered only when nothing is lost.
  const whole = { start: { line: 0, character: 0 }, end: { line: model.parsed.lines.length, character: 0 } };
  for (const a of computeConvertActions(model, 'file:///x/Dockerfile', whole, [], { context })) {
    const edit = a.edit?.changes?.['file:///x/Dockerfile']?.[0];
    if (edit && model.stages.length === 1) assert.deepEqual(lostLines(text, edit.newText), [], `${label}: the offered edit keeps every line`);
  }
}

const fixtures: { text: string; context: ConvertContext | undefined; name: string }[] = [];
const convertDir = path.resolve(__dirname, '../../../test/fixtures/convert');
for (const f of readdirSync(convertDir).filter((x) => x.endsWith('.Dockerfile'))) {
  const ctx = path.join(convertDir, f.replace(/\.Dockerfile$/, '.context'));
  fixtures.push({
    name: f,
    text: readFileSync(path.join(convertDir, f), 'utf8'),
    context: existsSync(ctx) ? contextForDirectory(ctx, nodeContextIO) : undefined,
  });
}
const realDir = path.resolve(__dirname, '../../../test/fixtures/convert-real');
for (const d of existsSync(realDir) ? readdirSync(realDir) : []) {
  if (existsSync(path.join(realDir, d, 'Dockerfile')))
    fixtures.push({
      name: d,
      text: readFileSync(path.join(realDir, d, 'Dockerfile'), 'utf8'),
      context: contextForDirectory(path.join(realDir, d), nodeContextIO),
    });
}

test('mutated convert fixtures never throw and never lose a line', { timeout: 180_000 }, () => {
  const r = rng(9);
  for (const f of fixtures) {
    check(f.text, f.context, f.name);
    for (let i = 0; i < 12; i++) {
      const at = Math.floor(r() * (f.text.length + 1));
      const cut = Math.floor(r() * 12);
      const s = f.text.slice(0, at) + (PIECES[Math.floor(r() * PIECES.length)] as string) + f.text.slice(at + cut);
      check(s, f.context, `${f.name} mutation ${i}: ${JSON.stringify(s.slice(Math.max(0, at - 20), at + 20))}`);
    }
  }
});

test('random single-stage Dockerfiles never throw and never lose a line', { timeout: 120_000 }, () => {
  const r = rng(1234);
  for (let i = 0; i < 300; i++) {
    let s = 'FROM golang:1.19\n';
    const n = Math.floor(r() * 30);
    for (let j = 0; j < n; j++) s += PIECES[Math.floor(r() * PIECES.length)] ?? '';
    check(s, undefined, `random ${i}: ${JSON.stringify(s)}`);
  }
});

const DOCKERFILE = 'FROM golang:1.19\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\nCMD ["/out/app"]\n';

test('an unreadable context: the conversion answers from the Dockerfile and says why', () => {
  const throwing: ContextIO = {
    readFile: () => {
      throw new Error('EACCES');
    },
    readDir: () => {
      throw new Error('EACCES');
    },
  };
  for (const io of [throwing, { readFile: () => undefined, readDir: () => undefined }]) {
    const ctx = contextForDirectory('/no/such/dir', io);
    const r = explainConversion(buildModel(DOCKERFILE), { context: ctx });
    assert.ok(r.conversion, r.reason);
    assert.match(r.conversion.text, /# Note\(convert\): the build context \/no\/such\/dir could not be read/);
    assert.ok(r.conversion.notes.some((n) => /could not be read/.test(n)));
  }
});

test('a huge context: reads stop at the limits, and the result says so', () => {
  let listed = 0;
  const io: ContextIO = {
    readFile: (p) => (p.endsWith('go.mod') ? 'module example.com/big\n' : 'package main\nimport "net/http"\n'),
    readDir: (p) => {
      listed++;
      return p.split('/').length > 8 ? [] : Array.from({ length: 500 }, (_, i) => (i % 2 ? `d${i}/` : `f${i}.go`)).concat(['go.mod']);
    },
  };
  const ctx = contextForDirectory('/big', io, { entries: 2_000, files: 50, bytes: 1_000_000 });
  const r = explainConversion(buildModel(DOCKERFILE), { context: ctx });
  assert.ok(r.conversion, r.reason);
  assert.ok(listed <= 10, `listings stop at the limit (${listed})`);
  assert.match(r.conversion.text, /# Note\(convert\): the build context is large: only/);
});

test('.dockerignore: BuildKit patterns, exceptions, parents', () => {
  const m = dockerignoreMatcher('# comment\nnode_modules\n**/*.log\n/build/\n*.md\n!README.md\ndocs\n!docs/keep\n');
  assert.equal(m('node_modules'), true);
  assert.equal(m('node_modules/x/y.js'), true, 'children of an excluded directory');
  assert.equal(m('a/b/c.log'), true);
  assert.equal(m('build/out'), true);
  assert.equal(m('CHANGELOG.md'), true);
  assert.equal(m('README.md'), false, 'exception');
  assert.equal(m('docs/x'), true);
  assert.equal(m('docs/keep'), false, 'exception below an excluded parent');
  assert.equal(m('src/main.go'), false);
  assert.equal(dockerignoreMatcher('')('anything'), false);
});
