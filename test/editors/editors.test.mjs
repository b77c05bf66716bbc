// Real editors as LSP clients (issue 12): headless Neovim (Debian's 0.7) and Emacs 28 with
// eglot (elpa-eglot) drive the bundled server: diagnostics, a quick fix, hover, definition,
// references, completion, rename, and a build through the lens command on the real engine
// (scripts/engine/setup-engine.sh). Setup: test/editors/setup.sh.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DOCKER, engineUnavailable, requireImages } from '../engine/lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const SERVER_JSON = JSON.stringify([process.execPath, path.join(root, 'dist/server.js'), '--stdio']);
const DOCKERFILE = 'FROM debian:bookworm-slim AS base\nRUN echo hi > /hi\n\nFROM base AS App\nCOPY --from=base /hi /hi2\nCMD ["cat", "/hi2"]\n';
const engine = (await engineUnavailable()) ?? (await requireImages(['debian:bookworm-slim']).then(() => null, (e) => e.message));

function probe(editor) {
  const dir = mkdtempSync(path.join(tmpdir(), `dfs-${editor}-`));
  try {
    writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
    const tag = `dfs-editor-${editor}:\${target}`;
    const env = { ...process.env, SERVER_JSON, INIT_JSON: JSON.stringify({ enableBuilds: true, build: { builder: DOCKER, tag } }) };
    const argv = editor === 'nvim'
      ? ['nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${path.join(here, 'nvim-probe.lua')}`, 'Dockerfile']]
      : ['emacs', ['--batch', '-q', '-l', path.join(here, 'emacs-probe.el'), 'Dockerfile']];
    const r = spawnSync(argv[0], argv[1], { cwd: dir, env, encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.error, undefined, `${editor} could not run: ${r.error} (test/editors/setup.sh installs it)`);
    const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
    assert.ok(line, `${editor} printed no result:\n${r.stdout}\n${r.stderr.slice(-2000)}`);
    return JSON.parse(line);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function check(editor, o) {
  assert.deepEqual(o.errors ?? [], [], JSON.stringify(o.errors));
  // Diagnostics: the stage name casing (BuildKit linter rule StageNameCasing).
  const d = o.diagnostics.find((x) => x.code === 'stage-name-casing');
  assert.deepEqual(d?.range, { start: { line: 3, character: 13 }, end: { line: 3, character: 16 } });
  // A code action: its quick fix, applied by the editor.
  assert.match(editor === 'nvim' ? o.codeActionTitles[0] : o.codeAction, /Rename stage to 'app'/);
  assert.equal(o.lineAfterFix, 'FROM base AS app');
  // Hover, definition, references, completion.
  const hover = typeof o.hover?.contents === 'object' ? o.hover.contents.value : o.hover?.value;
  assert.match(hover ?? '', /Stage #0 .?base/);
  assert.deepEqual(o.definition.range, { start: { line: 0, character: 29 }, end: { line: 0, character: 33 } });
  assert.deepEqual(o.references.map((x) => x.range.start.line), [0, 3, 4]);
  assert.ok(o.completionLabels.includes('base'), JSON.stringify(o.completionLabels));
  // Rename, applied by the editor.
  assert.deepEqual(o.linesAfterRename.slice(0, 5), ['FROM debian:bookworm-slim AS builder', 'RUN echo hi > /hi', '', 'FROM builder AS app', 'COPY --from=builder /hi /hi2']);
}

function checkBuild(editor, o) {
  assert.equal(editor === 'nvim' ? o.lenses.find((l) => l.line === 0)?.command : o.lensCommand, 'dockerStages.server.build');
  const built = o.messages.map((m) => (typeof m === 'string' ? m : m.message)).find((m) => /^Built /.test(m));
  assert.ok(built, JSON.stringify(o.messages));
  assert.match(built, new RegExp(`^Built dfs-editor-${editor}:base \\([0-9a-f]{12}, [\\d.]+ MB\\) with .*docker on `));
  const ins = spawnSync(DOCKER, ['image', 'inspect', '--format', '{{.Id}}', `dfs-editor-${editor}:base`], { encoding: 'utf8' });
  assert.equal(ins.status, 0, 'the image exists on the engine');
  assert.ok(built.includes(ins.stdout.trim().replace(/^sha256:/, '').slice(0, 12)));
  spawnSync(DOCKER, ['rmi', '-f', `dfs-editor-${editor}:base`]);
}

for (const editor of ['nvim', 'emacs']) {
  const name = editor === 'nvim' ? 'Neovim' : 'Emacs + eglot';
  let result;
  test(`${name}: diagnostics, a quick fix, hover, definition, references, completion, rename`, { timeout: 320_000 }, () => {
    result = probe(editor);
    check(editor, result);
  });
  test(`${name}: a build through the lens command on the real engine`, { timeout: 10_000 }, (t) => {
    if (engine) return t.skip(engine);
    assert.ok(result, 'the editor ran');
    checkBuild(editor, result);
  });
}
