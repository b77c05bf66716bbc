#!/usr/bin/env node
// UI tests: our extension in a real VS Code (code-server 4.100.3 = VS Code 1.100.3), driven in
// headless chromium with Playwright the way a person would use it: what is on screen, clicks, keys.
//
//   bash test/e2e/setup.sh                              # once per machine (code-server, chromium)
//   npx tsc -p . && node scripts/esbuild.mjs            # build the extension
//   node test/ui/run.mjs                                # last line: "N passed, N failed"
//
// code-server is started the way a developer starts it, with `npm start` (scripts/start.mjs,
// --no-build, throwaway state dir): it installs the extension the way a .vsix install lays it
// out. The main window opens a copy of test/ui/workspace (the quick fixes edit and save files),
// a second one examples/; the last check presses Ctrl+C and expects code-server to be gone. Screenshots go to
// test-artifacts/ui/; with UPDATE_SCREENSHOTS=1 the README's ones are also written to docs/images/.
// A failing check leaves test-artifacts/ui/FAILED-<check>.png and the code-server log is kept.
//
// Env: UI_GREP=<regexp>        run only the checks whose name matches
//      UI_EXTENSION=<dir|vsix> the extension under test (default: the repo root, built)
//      UI_SETTINGS=<json>      extra user settings (e.g. to check that a disabled feature fails a check)
//      UPDATE_SCREENSHOTS=1    refresh docs/images/*.png
//      UI_KEEP=1               keep the temp dir (workspace copy, code-server log, profile)
//      E2E_HOME / CODE_SERVER / CHROMIUM (see test/e2e/lib.mjs), VERBOSE=1 (page console)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM, CODE_SERVER, checkInstalled, loadPlaywright } from '../e2e/lib.mjs';
import { REPO_ROOT, freePort, startCodeServer, workbenchUrl, writeUserSettings } from './code-server.mjs';
import { Workbench, norm, until } from './driver.mjs';

const t0 = Date.now();
const secs = (since = t0) => ((Date.now() - since) / 1000).toFixed(1);
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts/ui');
const DOCS_IMAGES = path.join(REPO_ROOT, 'docs/images');
const UPDATE = process.env.UPDATE_SCREENSHOTS === '1';
const CHECK_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------------------------
// The checks. Each gets { wb, shot, ctx }: wb is the Workbench driver (driver.mjs), shot(name, opts)
// saves a screenshot (opts.docs: also to docs/images/ under UPDATE_SCREENSHOTS=1; opts.clip: a
// locator), ctx holds the code-server and the workspace copy. A check throws to fail. Files it
// edits come from test/ui/workspace/ (copied fresh for every run).
const checks = [];
/**
 * Registers a check. opts.docker: it needs the Docker engine (started only when such a check
 * runs). opts.skipIf: () => a reason to skip it (printed; skipped checks count neither way), for
 * a check whose feature is still landing.
 */
const check = (name, fn, opts = {}) => checks.push({ name, fn, ...opts });

check('inlay hints: stage index on FROM lines and the resolved stage at references', async ({ wb, shot }) => {
  await wb.open('Dockerfile');
  await wb.line(/^FROM golang:\$\{GO_VERSION\} AS builder *#0$/);
  await wb.line(/^FROM alpine:3\.20 *#1$/);
  await wb.line(/^FROM builder *→ #0 builder AS test *#2$/);
  await wb.line(/^FROM scratch AS final *#3$/);
  await wb.line(/^COPY --from=0 *→ builder \/out\/app \/app$/);
  await wb.line(/^COPY --from=1 *→ alpine:3\.20 /);
  await wb.line(/^COPY --from=builder *→ #0 builder \/src\/config\.yaml/);
  // For the screenshot: let the CodeLenses render too (checked elsewhere, so no failure here).
  await wb.editor.locator('.codelens-decoration').first().waitFor({ timeout: 10_000 }).catch(() => {});
  await wb.parkMouse();
  await shot('inlay-hints', { docs: true });
});

check('hover on --from=0 shows the stage it refers to', async ({ wb, shot }) => {
  await wb.open('Dockerfile');
  const text = await wb.hover('COPY --from=0', '--from=0', 7, /refers to stage #0/);
  for (const want of [/--from=0 refers to stage #0 by its index/, /Stage #0 builder/, /Base image golang:1\.22/])
    if (!want.test(text)) throw new Error(`hover text lacks ${want}:\n${text}`);
  await shot('hover', { docs: true });
  await wb.parkMouse();
  await wb.page.keyboard.press('Escape');
});

check('F12 on a stage reference jumps to its FROM', async ({ wb, ctx }) => {
  await wb.open('Dockerfile');
  const decl = ctx.find('Dockerfile', /^FROM golang.* AS builder$/, 'builder');
  for (const [lineRe, has] of [[/^COPY --from=builder /, 'COPY --from=builder'], [/^FROM builder AS test$/, 'FROM builder']]) {
    const ref = ctx.find('Dockerfile', lineRe, 'builder');
    await wb.clickOn(has, 'builder', 2, { line: ref.line });
    await until(`the click to put the cursor on line ${ref.line}`, async () => (await wb.cursor()).line === ref.line, 5_000);
    await wb.page.keyboard.press('F12');
    const at = await until(`F12 to move the cursor from line ${ref.line} to the FROM … AS builder on line ${decl.line}`,
      async () => { const c = await wb.cursor(); return c.line === decl.line && c; }, 10_000);
    // It lands on the stage name of `FROM golang:${GO_VERSION} AS builder`.
    if (at.col !== decl.col) throw new Error(`expected the cursor on the name 'builder' (Ln ${decl.line}, Col ${decl.col}), got Col ${at.col}`);
  }
});

check('quick fix: did-you-mean on an unknown stage name rewrites the reference', async ({ wb, ctx, shot }) => {
  await wb.open('Dockerfile.typo');
  await wb.line(/^COPY --from=buidler /);
  await wb.squiggle('warning');
  await wb.clickOn('COPY --from=buidler', 'buidler', 3, ctx.find('Dockerfile.typo', /^COPY --from=buidler /, 'buidler'));
  await wb.quickFixMenu("Change to 'builder'");
  await shot('quick-fix', { docs: true });
  await wb.applyQuickFix("Change to 'builder'");
  await wb.line(/^COPY --from=builder *→ #0 builder \/app\/dist \/app$/);
  await wb.save();
  const text = await wb.fileOnDisk('Dockerfile.typo', (t) => !t.includes('buidler'));
  if (!/^COPY --from=builder \/app\/dist \/app$/m.test(text)) throw new Error(`unexpected file after the fix:\n${text}`);
});

check('quick fix: stage name casing renames the stage and its references', async ({ wb, ctx }) => {
  await wb.open('Dockerfile.casing');
  await wb.clickOn('AS Builder', 'Builder', 2, ctx.find('Dockerfile.casing', / AS Builder$/, 'Builder'));
  await wb.applyQuickFix("Rename stage to 'builder' (and its references)");
  await wb.line(/^FROM rust:1\.79 AS builder *#0$/);
  await wb.save();
  const text = await wb.fileOnDisk('Dockerfile.casing', (t) => !t.includes('Builder'));
  if (!/^FROM rust:1\.79 AS builder$/m.test(text) || !/^COPY --from=builder /m.test(text))
    throw new Error(`unexpected file after the fix:\n${text}`);
});

// The "Convert to multi-stage build" code action on a single-stage toolchain build.
check('quick fix: Convert to multi-stage build rewrites a single-stage Dockerfile', async ({ wb, ctx, shot }) => {
  await wb.open('convert/Dockerfile');
  await wb.clickOn('FROM golang:1.22', 'golang', 1, { ...ctx.find('convert/Dockerfile', /^FROM golang:1\.22$/, 'golang'), lens: /^Name 'golang-stage' and build/ });
  const title = /Convert to multi-stage build \(runtime/;
  await wb.quickFixMenu(title);
  await shot('convert-menu', { docs: true });
  await wb.applyQuickFix(title);
  await wb.line(/^FROM golang:1\.22 AS builder *#0$/);
  await wb.save();
  const text = await wb.fileOnDisk('convert/Dockerfile', (t) => (t.match(/^FROM /gm) ?? []).length === 2);
  for (const want of [/^FROM golang:1\.22 AS builder$/m, /^FROM (scratch|gcr\.io\/distroless\/\S+) AS runtime$/m, /^COPY --from=builder \/usr\/local\/bin\/hello /m, /^CMD \["hello"\]$/m])
    if (!want.test(text)) throw new Error(`the converted file lacks ${want}:\n${text}`);
  // The lens above the first FROM follows the new stage name (it said "Name 'golang-stage' and build").
  const lens = wb.editor.locator('.codelens-decoration a', { hasText: 'Build target builder' });
  await lens.waitFor({ timeout: 15_000 }).catch(() => { throw new Error('the CodeLens above FROM golang:1.22 AS builder did not change to "Build target builder" after the conversion'); });
  await wb.parkMouse();
  await shot('convert-after', { docs: true });
});

// The build CodeLens runs a real `docker build` (the private engine of scripts/engine/; the
// fixture needs no registry: scratch plus a context file). The file gets new content every
// run, so the image cannot come from an earlier run; it is read back out of the image.
check('build CodeLens: "Build target files" builds a real image', async ({ wb, ctx, shot }) => {
  if (!ctx.docker.env) throw new Error(`no Docker engine (scripts/engine/setup-engine.sh): ${ctx.docker.error}`);
  const docker = (...args) => spawnSync('docker', args, { env: ctx.docker.env, encoding: 'utf8', timeout: 60_000 });
  // The default dockerStages.build.tag is ${folder}:${target}; the folder is per run (see below),
  // so runs at the same time on one engine do not race for a tag.
  const dir = ctx.buildDir;
  const tag = `${dir}:files`;
  docker('image', 'rm', '-f', tag);
  const token = `hello from the UI tests, run ${process.pid}-${Date.now()}`;
  fs.writeFileSync(path.join(ctx.workspace, dir, 'hello.txt'), `${token}\n`);
  await wb.open(`${dir}/Dockerfile`);
  const lens = wb.page.locator('.codelens-decoration a', { hasText: /^Build target files/ });
  await lens.waitFor({ timeout: 30_000 }).catch(async () => {
    throw new Error(`no "Build target files" CodeLens; lenses: ${JSON.stringify(await wb.page.locator('.codelens-decoration').allInnerTexts())}`);
  });
  await lens.click();
  // The build runs in a terminal (a task) that ends with "Built <tag>". (Its first line, the
  // docker build command, can already have scrolled out of the rendered rows by then.)
  const terminal = wb.page.locator('.xterm-rows');
  const terminalText = async () => norm((await terminal.allInnerTexts().catch(() => [])).join('\n---\n'));
  await terminal.filter({ hasText: `Built ${tag}` }).first().waitFor({ timeout: 90_000 })
    .catch(async () => { throw new Error(`the terminal did not say "Built ${tag}" within 90 s:\n${await terminalText()}`); });
  if (docker('image', 'inspect', tag).status !== 0) throw new Error(`the terminal says built, but there is no image ${tag}`);
  const name = `ui-build-check-${process.pid}`;
  docker('rm', '-f', name);
  const created = docker('create', '--name', name, tag, 'none');
  if (created.status !== 0) throw new Error(`docker create ${tag}: ${created.stderr}`);
  const tar = spawnSync('docker', ['cp', `${name}:/hello.txt`, '-'], { env: ctx.docker.env, timeout: 30_000 });
  docker('rm', '-f', name);
  if (!tar.stdout?.toString('latin1').includes(token)) throw new Error(`/hello.txt in ${tag} does not hold this run's content (docker cp: ${tar.stderr})`);
  await wb.parkMouse();
  await shot('build-lens', { docs: true });
  await wb.closePanel();
  docker('image', 'rm', '-f', tag);
}, { docker: true });

// Workspace Trust in the real UI: a second code-server with trust on opens the workspace in Restricted Mode.
// The stage features work, there is no Build lens; "Trust" in the Manage Workspace Trust editor brings it back
// without a reload (client/src/extension.ts refreshes the lenses on onDidGrantWorkspaceTrust).
check('Workspace Trust: Restricted Mode has stage features and no Build lens; granting trust brings the lens', async ({ wb, ctx }) => {
  const folder = path.join(ctx.tmp, 'trust-workspace');
  fs.cpSync(ctx.workspace, folder, { recursive: true });
  const server = await startCodeServer({
    codeServer: CODE_SERVER,
    stateDir: path.join(ctx.tmp, 'trust-state'),
    extension: ctx.extension,
    trust: true,
    settings: {
      'editor.hover.above': false,
      'security.workspace.trust.enabled': true,
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.banner': 'never',
      'security.workspace.trust.emptyWindow': false,
    },
  });
  const page = await wb.page.context().newPage();
  try {
    const tw = new Workbench(page, { workspace: folder });
    await tw.load(workbenchUrl(server.url, folder));
    await tw.open('Dockerfile');
    // The server runs in Restricted Mode: inlay hints (stage features) appear.
    await tw.line(/^FROM scratch AS final *#3$/, 30_000);
    const lenses = () => page.locator('.codelens-decoration').allInnerTexts().then((t) => t.map(norm));
    await new Promise((r) => setTimeout(r, 2000));
    const before = await lenses();
    if (before.some((t) => /Build target|Run target/.test(t))) throw new Error(`Build/Run lenses in Restricted Mode: ${JSON.stringify(before)}`);
    // Grant trust through the Manage Workspace Trust editor's button.
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 5_000 });
    await input.fill('>Workspaces: Manage Workspace Trust');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Manage Workspace Trust' }).first().click();
    const trustButton = page.locator('.workspace-trust-editor .workspace-trust-buttons-row .monaco-button', { hasText: /^Trust$/ }).first();
    await trustButton.waitFor({ timeout: 15_000 });
    await trustButton.click();
    await tw.open('Dockerfile');
    await until('a Build target lens after trust was granted', async () => (await lenses()).some((t) => /^Build target/.test(t)), 30_000);
  } catch (e) {
    await page.screenshot({ path: path.join(ARTIFACTS, 'FAILED-trust-window.png') }).catch(() => {});
    throw e;
  } finally {
    await page.close().catch(() => {});
    server.stop();
  }
});

/** Closes the stage graph's tab, if open. */
async function closeGraph(wb) {
  const tab = wb.page.locator('.tab', { hasText: 'Stages:' });
  if (await tab.count()) await tab.first().locator('.codicon-close').click({ force: true }).catch(() => {});
}

// The stage graph: the editor-title button opens a webview beside the editor; click a node, land on its FROM.
check('stage graph: the title button opens it, every stage is a node, a click reveals its FROM line', async ({ wb, ctx, shot }) => {
  await wb.open('Dockerfile');
  const button = wb.page.locator('.editor-actions a.action-label[aria-label*="Show Stage Graph"]').first();
  await button.waitFor({ timeout: 20_000 });
  await button.click();
  // code-server nests the webview's document two iframes deep.
  const frame = wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const nodes = frame.locator('svg.stage-graph g.node.stage');
  await until('the graph to draw 4 stage nodes', async () => (await nodes.count()) === 4, 20_000);
  const labels = await frame.locator('svg.stage-graph g.node.stage text.title').allTextContents();
  if (JSON.stringify(labels.map(norm).sort()) !== JSON.stringify(['#1', 'builder', 'final', 'test'])) throw new Error(`node labels: ${JSON.stringify(labels)}`);
  if ((await frame.locator('svg.stage-graph g.node.image').count()) !== 2) throw new Error('expected 2 image nodes (golang:1.22, alpine:3.20)');
  const test = ctx.find('Dockerfile', /^FROM builder AS test$/, 'FROM');
  await frame.locator('svg.stage-graph g.node.stage[data-stage="2"]').click();
  await until(`the cursor on the FROM of stage test (line ${test.line})`, async () => (await wb.cursor()).line === test.line, 10_000);
  await until('the --target chain of test highlighted', async () => (await frame.locator('g.node.stage.chain').count()) === 2, 10_000);
  await wb.parkMouse();
  await shot('stage-graph', { docs: true });
  await closeGraph(wb);
});

// Layer sizes after a build from a lens: `+N B` at the end of each COPY line of the built stages.
check('layer sizes: after Build target final, its COPY lines show the size they added', async ({ wb, ctx, shot }) => {
  const dir = ctx.buildDir;
  await closeGraph(wb);
  await wb.open(`${dir}/Dockerfile`);
  const lens = wb.page.locator('.codelens-decoration a', { hasText: /^Build target final/ });
  await lens.waitFor({ timeout: 30_000 });
  await lens.click();
  await wb.page.locator('.xterm-rows').filter({ hasText: `Built ${dir}:final` }).first().waitFor({ timeout: 90_000 });
  await wb.closePanel();
  const figures = () => wb.page.evaluate(() => [...document.querySelectorAll('.monaco-editor .view-line span')]
    .map((e) => getComputedStyle(e, '::after').content).filter((c) => /^"\+\d/.test(c)));
  const found = await until('a +size figure after the COPY lines', async () => { const f = await figures(); return f.length >= 1 && f; }, 30_000);
  if (!found.some((c) => /^"\+\d+(\.\d)? B\b/.test(c))) throw new Error(`figures: ${JSON.stringify(found)}`);
  await wb.parkMouse();
  await shot('layer-sizes', { docs: true });
}, { docker: true });

// examples/ (the workspace `npm start` opens) in a second window of the same code-server.
check('examples/: inlay hints in go/Dockerfile; the deliberate typo in c/Dockerfile has a hover and a fix', async ({ wb, ctx, shot }) => {
  // A second window; on failure the runner screenshots it too, then closes it.
  const page = await wb.page.context().newPage();
  page.setDefaultTimeout(10_000);
  const ex = new Workbench(page, { workspace: path.join(REPO_ROOT, 'examples') });
  await ex.load(ctx.examplesUrl);
  await ex.open('go/Dockerfile');
  await ex.line(/^FROM --platform=\$BUILDPLATFORM golang:\$\{GO_VERSION\}-bookworm AS base *#0$/);
  await ex.line(/^FROM base *→ #0 base AS build *#1$/);
  await ex.editor.locator('.codelens-decoration a', { hasText: 'Build target base' }).waitFor({ timeout: 20_000 });
  await ex.parkMouse();
  await shot('examples', { docs: true, page });
  // The fix is offered but not applied: examples/ is the real folder.
  await ex.open('c/Dockerfile');
  await ex.squiggle('warning');
  // The README's overview: inlay hints, CodeLenses, and the diagnostic's hover with its fix.
  const hover = await ex.hover('COPY --from=buidler', 'buidler', 3, /Did you mean 'builder'/);
  if (!/No stage is named 'buidler'/.test(hover)) throw new Error(`unexpected hover on the typo:\n${hover}`);
  await shot('overview', { docs: true, page });
  await ex.parkMouse();
  await ex.clickOn('COPY --from=buidler', 'buidler', 3, ctx.find('c/Dockerfile', /^COPY --from=buidler /, 'buidler', ctx.examples));
  await ex.quickFixMenu("Change to 'builder'");
  await page.keyboard.press('Escape');
  await page.close();
});

// The grammar (syntaxes/dockerfile.tmLanguage.json): heredoc bodies are not Dockerfile. A `RUN`
// inside a COPY heredoc is plain text and a `#` line there is no comment, while the built-in
// grammar colours them as an instruction and a comment. Compared by the colours on screen.
// The window is made taller so that the whole file shows (CodeLenses add lines).
async function heredocColors(wb) {
  await wb.closePanel();
  await wb.page.setViewportSize({ width: 1200, height: 860 });
  await wb.closeEditors();
  await wb.open('Dockerfile.heredoc');
  await wb.line(/^RUN is not an instruction here/);
  return {
    keyword: await wb.colorOf('RUN <<EOF', 'RUN'),
    heredocRun: await wb.colorOf('RUN is not an instruction', 'RUN'),
    comment: await wb.colorOf('# syntax=docker', '#'),
    heredocHash: await wb.colorOf('# plain text, not a Dockerfile comment', 'plain'),
  };
}

check('grammar (ours): heredoc bodies are not coloured as instructions or comments', async ({ wb, shot }) => {
  const c = await heredocColors(wb);
  if (c.heredocRun === c.keyword) throw new Error(`RUN inside a COPY heredoc has the instruction colour ${c.keyword}`);
  if (c.heredocHash === c.comment) throw new Error(`a # line inside a COPY heredoc has the comment colour ${c.comment}`);
  await wb.parkMouse();
  await shot('grammar-ours', { docs: true, clip: wb.page.locator('.part.editor') });
  await wb.page.setViewportSize({ width: 1200, height: 720 });
});

// Last: reloads the workbench with installed extensions disabled (the built-in grammar only).
check('grammar (built-in, for comparison): colours heredoc lines as instructions', async ({ wb, shot, ctx }) => {
  await wb.page.setViewportSize({ width: 1200, height: 860 }); // as in heredocColors, before the reload lays out
  await wb.load(workbenchUrl(ctx.url, ctx.workspace, [['disableExtensions', 'true']]));
  const c = await heredocColors(wb);
  // Our extension is off: no inlay hints.
  if ((await wb.lines()).some((l) => / #\d+$/.test(l))) throw new Error('inlay hints shown with extensions disabled');
  if (c.heredocRun !== c.keyword) throw new Error(`expected the built-in grammar to colour the heredoc RUN as an instruction (${c.keyword}), got ${c.heredocRun}`);
  await wb.clearNotifications();
  await shot('grammar-builtin', { docs: true, clip: wb.page.locator('.part.editor') });
});

// Last: `npm start` started this code-server; Ctrl+C (SIGINT to the terminal's foreground
// process group: npm and node) must stop it, with its extension host and helpers.
check('npm start: Ctrl+C stops code-server and its whole process group', async ({ ctx }) => {
  const code = await ctx.start.interrupt();
  // npm re-raises the SIGINT after its child has exited (what a terminal shows as a plain ^C).
  if (![0, 130, 'SIGINT'].includes(code)) throw new Error(`npm start did not exit on Ctrl+C (${code})\n${ctx.start.output()}`);
  if (!/SIGINT: stopping code-server/.test(ctx.start.output())) throw new Error(`start.mjs did not handle the SIGINT:\n${ctx.start.output()}`);
  await until(`code-server's process group ${ctx.start.group} to be gone`, () => !alive(ctx.start.group), 10_000);
});

// ---------------------------------------------------------------------------------------------
function finish(passed, failed, why) {
  if (why) console.error(`ui: ${why}`);
  console.log(`ui: took ${secs()}s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

/** Whether any process of group `pgid` is alive. */
function alive(pgid) {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}

/**
 * Starts code-server the way a developer does, `npm start` (scripts/start.mjs), without its
 * build step, on `folder`, with state in `stateDir`. npm and node get a process group of their
 * own, so interrupt() can send SIGINT to that group like Ctrl+C in a terminal does.
 */
async function npmStart({ folder, stateDir, extension, env = process.env }) {
  const port = await freePort();
  const child = spawn('npm', ['start', '--silent', '--', '--no-build', '--folder', folder,
    ...(extension !== REPO_ROOT ? ['--extension', extension] : [])], {
    cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, PORT: String(port), START_STATE: stateDir, VERBOSE: '' },
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r(code ?? signal)));
  let done = false;
  exited.then(() => { done = true; });
  const url = await until('npm start to print the URL', () => {
    if (done) throw new Error('npm start exited');
    return new RegExp(`http://127\\.0\\.0\\.1:${port}/\\?folder=\\S+`).exec(out)?.[0];
  }, 90_000).catch((e) => { throw new Error(`${e.message}\n--- npm start output:\n${out}`); });
  const group = Number(/process group (\d+)/.exec(out)?.[1]);
  return {
    base: new URL(url).origin, url, group, output: () => out,
    /** Ctrl+C: SIGINT to npm's process group; resolves to the exit code (or 'still running' after 15 s). */
    interrupt: async () => {
      try { process.kill(-child.pid, 'SIGINT'); } catch { /* gone */ }
      return Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
    },
    /** Cleanup whatever is left: npm's group, then code-server's. */
    kill: () => {
      for (const g of [child.pid, group]) if (g && alive(g)) { try { process.kill(-g, 'SIGTERM'); } catch { /* gone */ } }
    },
  };
}

/**
 * The private Docker engine (scripts/engine/setup-engine.sh), started when not running: its
 * environment (the docker wrapper first on PATH, DOCKER_HOST, DOCKER_BUILDKIT) goes to npm start,
 * and through code-server (VSCODE_CLI=1) to the extension host and its build tasks.
 */
function dockerEngine() {
  const script = path.join(REPO_ROOT, 'scripts/engine/setup-engine.sh');
  if (!fs.existsSync(script)) return { error: `${script} is missing` };
  const running = spawnSync('bash', [script, 'status'], { stdio: 'ignore' }).status === 0;
  if (!running) console.log('ui: starting the Docker engine (scripts/engine/setup-engine.sh start)');
  const r = spawnSync('bash', [script, running ? 'env' : 'start'], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) return { error: `setup-engine.sh ${running ? 'env' : 'start'} failed: ${(r.stderr ?? '').slice(-1500)}` };
  const env = { ...process.env };
  for (const [, k, v] of r.stdout.matchAll(/^export (\w+)="?(.*?)"?$/gm)) env[k] = v.replace(/\$(\w+)|\$\{(\w+)\}/g, (_, a, b) => process.env[a ?? b] ?? '');
  return { env };
}

const extension = path.resolve(process.env.UI_EXTENSION || REPO_ROOT);
try { checkInstalled(); } catch (e) { finish(0, 1, e.message); }
const grep = process.env.UI_GREP ? new RegExp(process.env.UI_GREP, 'i') : null;
const selected = checks.filter((c) => !grep || grep.test(c.name));
if (!selected.length) finish(0, 1, `no check matches UI_GREP=${process.env.UI_GREP}`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerfile-stages-ui-'));
const workspace = path.join(tmp, 'workspace');
const stateDir = path.join(tmp, 'state');
fs.cpSync(path.join(REPO_ROOT, 'test/ui/workspace'), workspace, { recursive: true });
const buildDir = `ui-build-check-${process.pid}`;
fs.renameSync(path.join(workspace, 'ui-build-check'), path.join(workspace, buildDir));
fs.mkdirSync(ARTIFACTS, { recursive: true });
for (const f of fs.readdirSync(ARTIFACTS)) if (/^FAILED-.*\.png$/.test(f)) fs.rmSync(path.join(ARTIFACTS, f));

let start;
let browser;
let passed = 0;
let failed = 0;
let skipped = 0;
let keep = Boolean(process.env.UI_KEEP);
process.on('exit', () => start?.kill());
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

try {
  // Fresh user settings (plus UI_SETTINGS); start.mjs keeps an existing settings.json.
  // Hovers open below the line, so the screenshots keep the lines above (FROM, hints, lenses) in view.
  writeUserSettings(path.join(stateDir, 'user-data'), {
    'editor.hover.above': false,
    ...(process.env.UI_SETTINGS ? JSON.parse(process.env.UI_SETTINGS) : {}),
  });
  const docker = selected.some((c) => c.docker) ? dockerEngine() : { error: 'not needed' };
  if (docker.error && docker.error !== 'not needed') console.log(`ui: no Docker engine: ${docker.error}`);
  start = await npmStart({ folder: workspace, stateDir, extension, env: docker.env });
  console.log(`ui: npm start: code-server ${start.base} with the extension from ${path.relative(REPO_ROOT, extension) || 'the repo'} after ${secs()}s`);
  browser = await loadPlaywright().chromium.launchPersistentContext(path.join(tmp, 'chromium'), {
    executablePath: CHROMIUM,
    headless: true,
    // Without the background-networking flags chromium keeps dialling Google hosts, which this machine refuses.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1200, height: 720 },
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(10_000);
  if (process.env.VERBOSE) page.on('console', (m) => console.log('[page]', m.text()));
  const wb = new Workbench(page, { workspace });
  await wb.load(start.url);
  console.log(`ui: workbench up after ${secs()}s`);
  /** Where `word` is (1-based line and column) on the first line of a file (in the workspace copy) matching `lineRe`. */
  const find = (file, lineRe, word, root = workspace) => {
    const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
    const i = lines.findIndex((l) => lineRe.test(l));
    if (i < 0 || !lines[i].includes(word)) throw new Error(`fixture ${file} has no line matching ${lineRe} with ${word}`);
    return { line: i + 1, col: lines[i].indexOf(word) + 1 };
  };
  const examples = path.join(REPO_ROOT, 'examples');
  const ctx = { start, workspace, examples, find, tmp, docker, buildDir, extension, url: start.base, examplesUrl: workbenchUrl(start.base, examples) };
  const shot = async (name, { docs = false, clip, page: other } = {}) => {
    const file = path.join(ARTIFACTS, `${name}.png`);
    await (other ? new Workbench(other, { workspace }) : wb).screenshot(file, clip);
    if (docs && UPDATE) {
      fs.mkdirSync(DOCS_IMAGES, { recursive: true });
      fs.copyFileSync(file, path.join(DOCS_IMAGES, `${name}.png`));
    }
  };

  for (const c of selected) {
    const why = c.skipIf?.();
    if (why) {
      skipped++;
      console.log(`  - ${c.name}: skipped, ${why}`);
      continue;
    }
    const began = Date.now();
    let timer;
    try {
      await Promise.race([
        c.fn({ wb, shot, ctx }),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`check timed out after ${CHECK_TIMEOUT_MS / 1000}s`)), CHECK_TIMEOUT_MS); }),
      ]);
      passed++;
      console.log(`  ✓ ${c.name} (${secs(began)}s)`);
    } catch (e) {
      failed++;
      keep = true;
      const slug = c.name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 60);
      const png = path.join(ARTIFACTS, `FAILED-${slug}.png`);
      for (const [i, p] of browser.pages().entries()) {
        await p.screenshot({ path: i ? png.replace(/\.png$/, `-window${i + 1}.png`) : png }).catch(() => {});
        if (i) await p.close().catch(() => {}); // windows a check opened
      }
      const lines = await wb.lines().catch(() => []);
      console.log(`  ✗ ${c.name} (${secs(began)}s)\n    ${String(e instanceof Error ? e.message : e).split('\n').join('\n    ')}`);
      const toasts = await page.locator('.notifications-toasts .notification-toast').allInnerTexts().catch(() => []);
      if (toasts.length) console.log(`    notifications:\n      ${toasts.map((t) => norm(t).replace(/\s+/g, ' ')).join('\n      ')}`);
      if (lines.length) console.log(`    editor shows:\n      ${lines.map(norm).join('\n      ')}`);
      console.log(`    screenshot: ${path.relative(REPO_ROOT, png)}`);
    } finally {
      clearTimeout(timer);
      // Leave no menu, hover or dirty editor behind for the next check.
      await page.keyboard.press('Escape').catch(() => {});
      await wb.parkMouse().catch(() => {});
    }
  }
} catch (e) {
  failed++;
  keep = true;
  console.error(`ui: ${e instanceof Error ? e.stack ?? e.message : e}`);
} finally {
  await browser?.close().catch(() => {});
  start?.kill();
  if (keep) console.log(`ui: kept ${tmp} (code-server log: ${path.join(stateDir, 'code-server.log')})`);
  else fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
}
if (skipped) console.log(`ui: ${skipped} skipped`);
if (UPDATE) console.log(`ui: screenshots refreshed in ${path.relative(REPO_ROOT, DOCS_IMAGES)}/`);
finish(passed, failed, passed + failed === 0 ? 'no check ran' : undefined);
