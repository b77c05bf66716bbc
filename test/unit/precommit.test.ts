/** .pre-commit-hooks.yaml: one hook that runs `dockerfile-stages check` on Dockerfiles only. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '../../..');

test('the pre-commit hook runs the CLI on Dockerfiles and Containerfiles only', () => {
  const hooks = parse(readFileSync(path.join(root, '.pre-commit-hooks.yaml'), 'utf8')) as {
    id: string;
    entry: string;
    language: string;
    files: string;
    additional_dependencies: string[];
  }[];
  const h = hooks.find((x) => x.id === 'dockerfile-stages');
  assert.ok(h);
  assert.equal(h.language, 'node');
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  assert.deepEqual(h.additional_dependencies, [`dockerfile-stages@${pkg.version}`]);
  const files = new RegExp(h.files);
  for (const f of ['Dockerfile', 'docker/Dockerfile', 'Dockerfile.prod', 'Dockerfile-dev', 'api.Dockerfile', 'x/Containerfile', 'app.dockerfile'])
    assert.ok(files.test(f), f);
  for (const f of ['README.md', 'Dockerfiles/notes.txt', 'mydockerfile.sh', 'compose.yaml']) assert.ok(!files.test(f), f);
  // The entry, with the files pre-commit appends, is a valid command line of the CLI.
  const [cmd, ...args] = h.entry.split(' ');
  assert.equal(cmd, 'dockerfile-stages');
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'dist/cli.js'), ...args, 'test/fixtures/basic-multistage.Dockerfile', 'test/fixtures/forward-self.Dockerfile'],
    { cwd: root, encoding: 'utf8' },
  );
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /forward-self\.Dockerfile:2:13: error/);
});
