/** The CLI, run as a real process from the bundle (dist/cli.js). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), ...args], { encoding: 'utf8', cwd: root });

test('stages prints the stage table', () => {
  const r = cli('stages', 'test/fixtures/basic-multistage.Dockerfile');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^#\s+NAME\s+BASE\s+DEPENDS ON\s+DEFAULT BUILD\s+LINE/);
  assert.match(r.stdout, /\n1\s+test\s+stage #0\s+builder\s+no\s+7\n/);
  assert.match(r.stdout, /\n2\s+runtime\s+scratch\s+builder\s+yes \(target\)\s+10/);
});

test('stages --json is machine-readable', () => {
  const r = cli('stages', '--json', 'test/fixtures/basic-multistage.Dockerfile');
  const j = JSON.parse(r.stdout) as { name: string; needs: number[] }[];
  assert.deepEqual(
    j.map((s) => s.name),
    ['builder', 'test', 'runtime'],
  );
  assert.deepEqual(j[2]?.needs, [0, 2]);
});

test('check exits 1 on errors and prints file:line:col', () => {
  const r = cli('check', 'test/fixtures/forward-self.Dockerfile');
  assert.equal(r.status, 1);
  assert.match(r.stdout, /forward-self\.Dockerfile:2:13: error \[stage-later-reference\]/);
  const ok = cli('check', 'test/fixtures/basic-multistage.Dockerfile');
  assert.equal(ok.status, 0, ok.stdout);
});

test('usage errors and unreadable files exit 2 with a message', () => {
  assert.equal(cli().status, 2);
  const r = cli('check', 'does/not/exist');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot read does\/not\/exist/);
});
