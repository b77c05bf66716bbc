/**
 * The npm package (issue 12): `npm pack` gives a small tarball of the bundles and
 * docs; installed globally into a temporary prefix (offline: the bundles carry
 * every runtime dependency, so the package has none), its language server
 * answers over stdio and its CLI checks a Dockerfile. The .vsix keeps the same
 * allow-list (vsce ls).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { DefinitionRequest, type Location } from 'vscode-languageserver-protocol/node';
import { LspClient, root } from '../helpers/lspClient';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let dir = '';
let prefix = '';
let tgz = '';
let packed: { files: { path: string }[] }[] = [];
const env = () => ({
  ...process.env,
  PATH: `${path.join(prefix, 'bin')}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}${process.env['PATH'] ?? ''}`,
});

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dfs-pack-'));
  prefix = path.join(dir, 'prefix');
  // --ignore-scripts: pack the bundles this run built (prepack would rebuild them for production).
  const p = spawnSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' });
  assert.equal(p.status, 0, p.stderr);
  packed = JSON.parse(p.stdout) as { files: { path: string }[] }[];
  tgz = path.join(dir, (JSON.parse(p.stdout) as { filename: string }[])[0]?.filename ?? '');
  const i = spawnSync(npm, ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tgz], {
    cwd: dir,
    encoding: 'utf8',
  });
  assert.equal(i.status, 0, i.stderr + i.stdout);
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('the package is publishable and small: not private, bundles and docs only, no runtime dependencies', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(pkg['private'], undefined);
  assert.equal(pkg['name'], 'dockerfile-stages');
  assert.deepEqual(pkg['dependencies'] ?? {}, {}, 'the bundles carry their dependencies');
  const files = (packed[0]?.files ?? []).map((f) => f.path).sort();
  assert.ok(files.length <= 60, `${files.length} files`);
  for (const f of [
    'dist/server.js',
    'dist/server-main.js',
    'dist/server-engine.js',
    'dist/server-dls.js',
    'dist/server-yaml.js',
    'dist/server-jsonc.js',
    'dist/cli.js',
    'README.md',
    'LICENSE',
    'CHANGELOG.md',
    'package.json',
  ])
    assert.ok(files.includes(f), `${f} missing from ${files.join(', ')}`);
  for (const f of files) assert.ok(!/^(test|server\/src|client\/src|scripts|node_modules|out)\//.test(f) && !f.endsWith('.map'), `${f} should not be packed`);
});

test('the .vsix has the same allow-list (vsce ls)', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const listed = r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();
  // The .vsix and the npm package ship the same files (.vscodeignore and .npmignore are the same allow-list).
  assert.deepEqual(listed, (packed[0]?.files ?? []).map((f) => f.path).sort());
  for (const f of ['dist/client.js', 'dist/server.js', 'dist/graph.js', 'syntaxes/dockerfile.tmLanguage.json'])
    assert.ok(listed.includes(f), `${f} missing from the .vsix`);
});

test('the installed bins answer --version and --help', () => {
  for (const bin of ['dockerfile-stages-langserver', 'dockerfile-stages']) {
    const exe = path.join(prefix, 'bin', bin);
    assert.ok(existsSync(exe), `${exe} not installed`);
    const v = spawnSync(exe, ['--version'], { encoding: 'utf8', env: env() });
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, new RegExp(`^${bin} \\d+\\.\\d+\\.\\d+`));
    const h = spawnSync(exe, ['--help'], { encoding: 'utf8', env: env() });
    assert.equal(h.status, 0, h.stderr);
    assert.match(h.stdout, /Usage:/);
  }
});

test('the installed language server answers over stdio (initialize, definition)', async () => {
  const c = new LspClient({ command: [path.join(prefix, 'bin', 'dockerfile-stages-langserver'), '--stdio'], env: env() });
  try {
    const caps = await c.init;
    assert.equal(caps['definitionProvider'], true);
    const file = path.join(dir, 'Dockerfile');
    const text = 'FROM debian AS builder\nRUN true\nFROM scratch\nCOPY --from=builder /x /x\n';
    writeFileSync(file, text);
    const uri = pathToFileURL(file).href;
    c.open(uri, text);
    const def = (await c.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: { line: 3, character: 14 } })) as Location | null;
    assert.ok(def && !Array.isArray(def), JSON.stringify(def));
    assert.deepEqual(def.range.start, { line: 0, character: 15 });
  } finally {
    await c.stop();
  }
});

test('the installed CLI checks a Dockerfile', () => {
  const file = path.join(dir, 'bad.Dockerfile');
  writeFileSync(file, 'FROM debian AS a\nCOPY --from=b /x /x\nFROM debian AS b\n');
  const r = spawnSync(path.join(prefix, 'bin', 'dockerfile-stages'), ['check', file], { encoding: 'utf8', env: env() });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /bad\.Dockerfile:2:13: error \[stage-later-reference\]/);
});
