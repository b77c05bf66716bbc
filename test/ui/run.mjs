#!/usr/bin/env node
// UI tests: our extension in a real VS Code (code-server 4.100.3 = VS Code 1.100.3), driven in
// headless chromium with Playwright the way a person would use it: what is on screen, clicks, keys.
//
//   bash test/e2e/setup.sh                              # once per machine (code-server, chromium)
//   npx tsc -p . && node scripts/esbuild.mjs            # build the extension
//   node test/ui/run.mjs                                # last line: "N passed, N failed"
//
// A throwaway code-server gets the extension installed the way a .vsix install lays it out, and
// opens a copy of test/ui/workspace (the quick fixes edit and save files). Screenshots go to
// test-artifacts/ui/; with UPDATE_SCREENSHOTS=1 the README's ones are also written to docs/images/.
// A failing check leaves test-artifacts/ui/FAILED-<check>.png and the code-server log is kept.
//
// Env: UI_GREP=<regexp>        run only the checks whose name matches
//      UI_EXTENSION=<dir|vsix> the extension under test (default: the repo root, built)
//      UI_SETTINGS=<json>      extra user settings (e.g. to check that a disabled feature fails a check)
//      UPDATE_SCREENSHOTS=1    refresh docs/images/*.png
//      UI_KEEP=1               keep the temp dir (workspace copy, code-server log, profile)
//      E2E_HOME / CODE_SERVER / CHROMIUM (see test/e2e/lib.mjs), VERBOSE=1 (page console)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM, CODE_SERVER, checkInstalled, loadPlaywright } from '../e2e/lib.mjs';
import { REPO_ROOT, freePort, startCodeServer, workbenchUrl } from './code-server.mjs';
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
const check = (name, fn) => checks.push({ name, fn });

check('inlay hints: stage index on FROM lines and the resolved stage at references', async ({ wb, shot }) => {
  await wb.open('Dockerfile');
  await wb.line(/^FROM golang:\$\{GO_VERSION\} AS builder *#0$/);
  await wb.line(/^FROM alpine:3\.20 *#1$/);
  await wb.line(/^FROM builder *→ #0 builder AS test *#2$/);
  await wb.line(/^FROM scratch AS final *#3$/);
  await wb.line(/^COPY --from=0 *→ builder \/out\/app \/app$/);
  await wb.line(/^COPY --from=1 *→ alpine:3\.20 /);
  await wb.line(/^COPY --from=builder *→ #0 builder \/src\/config\.yaml/);
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
    await wb.clickOn(has, 'builder', 2);
    await until(`the click to put the cursor on line ${ref.line}`, async () => (await wb.cursor()).line === ref.line, 5_000);
    await wb.page.keyboard.press('F12');
    const at = await until(`F12 to move the cursor from line ${ref.line} to the FROM … AS builder on line ${decl.line}`,
      async () => { const c = await wb.cursor(); return c.line === decl.line && c; }, 10_000);
    // It lands on the stage name of `FROM golang:${GO_VERSION} AS builder`.
    if (at.col !== decl.col) throw new Error(`expected the cursor on the name 'builder' (Ln ${decl.line}, Col ${decl.col}), got Col ${at.col}`);
  }
});

check('quick fix: did-you-mean on an unknown stage name rewrites the reference', async ({ wb, shot }) => {
  await wb.open('Dockerfile.typo');
  await wb.line(/^COPY --from=buidler /);
  await wb.clickOn('COPY --from=buidler', 'buidler', 3);
  await wb.quickFixMenu("Change to 'builder'");
  await shot('quick-fix', { docs: true });
  await wb.applyQuickFix("Change to 'builder'");
  await wb.line(/^COPY --from=builder *→ #0 builder \/app\/dist \/app$/);
  await wb.save();
  const text = await wb.fileOnDisk('Dockerfile.typo', (t) => !t.includes('buidler'));
  if (!/^COPY --from=builder \/app\/dist \/app$/m.test(text)) throw new Error(`unexpected file after the fix:\n${text}`);
});

check('quick fix: stage name casing renames the stage and its references', async ({ wb }) => {
  await wb.open('Dockerfile.casing');
  await wb.clickOn('AS Builder', 'Builder', 2);
  await wb.applyQuickFix("Rename stage to 'builder' (and its references)");
  await wb.line(/^FROM rust:1\.79 AS builder *#0$/);
  await wb.save();
  const text = await wb.fileOnDisk('Dockerfile.casing', (t) => !t.includes('Builder'));
  if (!/^FROM rust:1\.79 AS builder$/m.test(text) || !/^COPY --from=builder /m.test(text))
    throw new Error(`unexpected file after the fix:\n${text}`);
});

// `npm start` (scripts/start.mjs, without its build step): it must serve examples/ with the
// extension working, print the URL, and stop code-server's whole process group on Ctrl+C.
check('npm start: examples/ open with the extension; Ctrl+C stops code-server', async ({ wb, ctx, shot }) => {
  const port = await freePort();
  const child = spawn(process.execPath, ['scripts/start.mjs', '--no-build'], {
    cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port), START_STATE: path.join(ctx.tmp, 'start-state'), VERBOSE: '' },
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r(code ?? signal)));
  let page;
  try {
    const url = await until('npm start to print the URL', () => new RegExp(`http://127\\.0\\.0\\.1:${port}/\\?folder=\\S+`).exec(out)?.[0], 40_000)
      .catch((e) => { throw new Error(`${e.message}\n--- start.mjs output:\n${out}`); });
    page = await wb.page.context().newPage();
    const ex = new Workbench(page, { workspace: path.join(REPO_ROOT, 'examples') });
    await ex.load(url);
    await ex.open('go/Dockerfile');
    await ex.line(/^FROM --platform=\$BUILDPLATFORM golang:\$\{GO_VERSION\}-bookworm AS base *#0$/);
    await ex.line(/^FROM base *→ #0 base AS build *#1$/);
    await ex.parkMouse();
    await shot('examples', { docs: true, page });
    // The deliberate typo in c/Dockerfile is flagged and offers the fix (not applied: examples/ is the real folder).
    await ex.open('c/Dockerfile');
    await ex.clickOn('COPY --from=buidler', 'buidler', 3);
    await ex.quickFixMenu("Change to 'builder'");
    await page.keyboard.press('Escape');
  } finally {
    await page?.close();
    child.kill('SIGINT');
  }
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 10_000))]);
  if (code !== 0) throw new Error(`start.mjs did not exit cleanly on SIGINT (${code})\n${out}`);
  const group = Number(/process group (\d+)/.exec(out)?.[1]);
  if (!group) throw new Error(`start.mjs did not say which process group it stopped:\n${out}`);
  await until(`code-server's process group ${group} to be gone`, () => { try { process.kill(-group, 0); return false; } catch { return true; } }, 10_000);
});

// The grammar (syntaxes/dockerfile.tmLanguage.json): heredoc bodies are not Dockerfile. A `RUN`
// inside a COPY heredoc is plain text and a `#` line there is no comment, while the built-in
// grammar colours them as an instruction and a comment. Compared by the colours on screen.
async function heredocColors(wb) {
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
});

// Last: reloads the workbench with installed extensions disabled (the built-in grammar only).
check('grammar (built-in, for comparison): colours heredoc lines as instructions', async ({ wb, shot, ctx }) => {
  await wb.load(workbenchUrl(ctx.server.url, ctx.workspace, [['disableExtensions', 'true']]));
  const c = await heredocColors(wb);
  // Our extension is off: no inlay hints.
  if ((await wb.lines()).some((l) => / #\d+$/.test(l))) throw new Error('inlay hints shown with extensions disabled');
  if (c.heredocRun !== c.keyword) throw new Error(`expected the built-in grammar to colour the heredoc RUN as an instruction (${c.keyword}), got ${c.heredocRun}`);
  await wb.clearNotifications();
  await shot('grammar-builtin', { docs: true, clip: wb.page.locator('.part.editor') });
});

// ---------------------------------------------------------------------------------------------
function finish(passed, failed, why) {
  if (why) console.error(`ui: ${why}`);
  console.log(`ui: took ${secs()}s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

const extension = path.resolve(process.env.UI_EXTENSION || REPO_ROOT);
try { checkInstalled(); } catch (e) { finish(0, 1, e.message); }
const grep = process.env.UI_GREP ? new RegExp(process.env.UI_GREP, 'i') : null;
const selected = checks.filter((c) => !grep || grep.test(c.name));
if (!selected.length) finish(0, 1, `no check matches UI_GREP=${process.env.UI_GREP}`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerfile-stages-ui-'));
const workspace = path.join(tmp, 'workspace');
fs.cpSync(path.join(REPO_ROOT, 'test/ui/workspace'), workspace, { recursive: true });
fs.mkdirSync(ARTIFACTS, { recursive: true });
for (const f of fs.readdirSync(ARTIFACTS)) if (f.endsWith('.png')) fs.rmSync(path.join(ARTIFACTS, f));

let server;
let browser;
let passed = 0;
let failed = 0;
let keep = Boolean(process.env.UI_KEEP);
const cleanup = () => { server?.stop(); };
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

try {
  let settings = {};
  if (process.env.UI_SETTINGS) settings = JSON.parse(process.env.UI_SETTINGS);
  server = await startCodeServer({ codeServer: CODE_SERVER, stateDir: path.join(tmp, 'state'), extension, settings });
  console.log(`ui: code-server ${server.url} with ${server.extensionId} from ${path.relative(REPO_ROOT, extension) || '.'} up after ${secs()}s`);
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
  await wb.load(workbenchUrl(server.url, workspace));
  console.log(`ui: workbench up after ${secs()}s`);
  /** Where `word` is (1-based line and column) on the first line of a workspace file matching `lineRe`. */
  const find = (file, lineRe, word) => {
    const lines = fs.readFileSync(path.join(workspace, file), 'utf8').split('\n');
    const i = lines.findIndex((l) => lineRe.test(l));
    if (i < 0 || !lines[i].includes(word)) throw new Error(`fixture ${file} has no line matching ${lineRe} with ${word}`);
    return { line: i + 1, col: lines[i].indexOf(word) + 1 };
  };
  const ctx = { server, workspace, find, tmp };
  const shot = async (name, { docs = false, clip, page: other } = {}) => {
    const file = path.join(ARTIFACTS, `${name}.png`);
    await (other ? new Workbench(other, { workspace }) : wb).screenshot(file, clip);
    if (docs && UPDATE) {
      fs.mkdirSync(DOCS_IMAGES, { recursive: true });
      fs.copyFileSync(file, path.join(DOCS_IMAGES, `${name}.png`));
    }
  };

  for (const c of selected) {
    const start = Date.now();
    let timer;
    try {
      await Promise.race([
        c.fn({ wb, shot, ctx }),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`check timed out after ${CHECK_TIMEOUT_MS / 1000}s`)), CHECK_TIMEOUT_MS); }),
      ]);
      passed++;
      console.log(`  ✓ ${c.name} (${secs(start)}s)`);
    } catch (e) {
      failed++;
      keep = true;
      const slug = c.name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 60);
      const png = path.join(ARTIFACTS, `FAILED-${slug}.png`);
      for (const [i, p] of browser.pages().entries())
        await p.screenshot({ path: i ? png.replace(/\.png$/, `-${i + 1}.png`) : png }).catch(() => {});
      const lines = await wb.lines().catch(() => []);
      console.log(`  ✗ ${c.name} (${secs(start)}s)\n    ${String(e instanceof Error ? e.message : e).split('\n').join('\n    ')}`);
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
  server?.stop();
  if (keep) console.log(`ui: kept ${tmp} (code-server log: ${path.join(tmp, 'state/code-server.log')})`);
  else fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
}
if (UPDATE) console.log(`ui: screenshots refreshed in ${path.relative(REPO_ROOT, DOCS_IMAGES)}/`);
finish(passed, failed, passed + failed === 0 ? 'no check ran' : undefined);
