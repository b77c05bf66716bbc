/**
 * The bundle runner (server/src/bundle.ts) that starts the server's two bundles: a bundle written
 * wrapped as a module function (scripts/esbuild.mjs) runs as it is read, any other file through
 * Node's own wrapper; the code cache is written after the first run and used by the next.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { WRAPPED } from '../../server/src/bundle';

const root = path.resolve(__dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'bundle-test-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs, in a fresh process, `runBundle(file)`: what the bundle exported, and what the runner said on stderr. */
function run(file: string): { exported: unknown; debug: string } {
  const script = `const b = require(${JSON.stringify(path.join(root, 'out/server/src/bundle.js'))});
    process.stdout.write(JSON.stringify(b.runBundle(${JSON.stringify(file)}, { writeAfterMs: 0 })));`;
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, DOCKERFILE_STAGES_DEBUG: '1' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { exported: JSON.parse(r.stdout) as unknown, debug: r.stderr };
}

test('the server bundles are written wrapped, exactly as Node wraps a module', () => {
  for (const f of ['dist/server-main.js', 'dist/server-engine.js']) {
    const text = readFileSync(path.join(root, f), 'utf8');
    assert.ok(text.startsWith(WRAPPED), f);
  }
  // Node's own wrapper begins the same way (bundle.ts wraps any other file with it).
  assert.ok(Module.wrap('x').startsWith(WRAPPED));
});

test('a wrapped bundle runs as read (strict, with its file name); its cache is written after the first run and used by the next', () => {
  const file = path.join(dir, 'wrapped.js');
  writeFileSync(
    file,
    `${WRAPPED}\n"use strict";\nmodule.exports = { name: __filename.split(/[\\\\/]/).pop(), strict: (function () { return this === undefined; })() };\n});\n`,
  );
  const first = run(file);
  assert.deepEqual(first.exported, { name: 'wrapped.js', strict: true });
  assert.match(first.debug, /code cache of wrapped\.js: none/);
  assert.ok(existsSync(`${file}.cache`), 'the first run writes the cache');
  const second = run(file);
  assert.deepEqual(second.exported, { name: 'wrapped.js', strict: true });
  assert.match(second.debug, /code cache of wrapped\.js: used\n/);
});

test("a plain CommonJS file (with a shebang) runs through Node's wrapper", () => {
  const file = path.join(dir, 'plain.js');
  writeFileSync(file, '#!/usr/bin/env node\nexports.sum = [1, 2, 3].reduce((a, b) => a + b);\n');
  assert.deepEqual(run(file).exported, { sum: 6 });
});

test('a bundle that is not there fails as a require would', () => {
  const file = path.join(dir, 'missing.js');
  const script = `require(${JSON.stringify(path.join(root, 'out/server/src/bundle.js'))}).runBundle(${JSON.stringify(file)});`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /ENOENT/);
});
