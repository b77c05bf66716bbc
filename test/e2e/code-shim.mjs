#!/usr/bin/env node
// Stand-in "VS Code executable" for @vscode/test-electron (runTests({ vscodeExecutablePath })) and
// @vscode/test-cli (useInstallation: { fromPath }) on a machine that cannot download VS Code.
//
// It takes the arguments test-electron passes (--extensionDevelopmentPath=, --extensionTestsPath=,
// --user-data-dir=, --extensions-dir=, --disable-extensions, [workspace folder]) and runs the tests in
// code-server's Node extension host (VS Code 1.100.3), with the workbench open in headless chromium.
// It exits with the tests' exit code, like VS Code does.
//
// How: the workbench URL's `payload` carries extensionDevelopmentPath/extensionTestsPath as
// vscode-remote:// URIs (the mechanism @vscode/test-web uses); VS Code then calls
// window.codeAutomationLog(type, args) for console output and window.codeAutomationExit(code) at the end.
// code-server passes its environment on to the extension host, so test-electron's extensionTestsEnv
// reaches the tests.
//
// Env: E2E_HOME / CODE_SERVER / CHROMIUM (see lib.mjs), SHIM_TIMEOUT_S (default 600),
//      VERBOSE=1 (page console and workbench noise), SHIM_KEEP=1 (keep the temp dir with logs).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { CODE_SERVER, checkInstalled, launchChromium } from './lib.mjs';

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const opt = {}; const flags = new Set(); const positional = [];
for (const a of process.argv.slice(2)) {
  const m = /^--([^=]+)=(.*)$/s.exec(a);
  if (m) (opt[m[1]] ??= []).push(m[2]);
  else if (a.startsWith('-')) flags.add(a.replace(/^-+/, '')); // --no-sandbox, --disable-updates, ... mean nothing here
  else positional.push(a);
}
try { checkInstalled(); } catch (e) { console.error(`code-shim: ${e.message}`); process.exit(1); }

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'code-shim-'));
const userData = path.resolve(opt['user-data-dir']?.[0] ?? path.join(tmp, 'user-data'));
const extDir = path.resolve(opt['extensions-dir']?.[0] ?? path.join(tmp, 'extensions'));
const folder = positional.map((p) => path.resolve(p)).find((p) => fs.existsSync(p) && fs.statSync(p).isDirectory());
const file = !folder && positional.map((p) => path.resolve(p)).find((p) => fs.existsSync(p) && fs.statSync(p).isFile());

// Quiet, offline-friendly settings, under whatever user settings already exist.
const settingsFile = path.join(userData, 'User', 'settings.json');
fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
fs.mkdirSync(extDir, { recursive: true });
let settings = {};
try { settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8')); } catch { /* none yet, or JSONC */ }
fs.writeFileSync(settingsFile, JSON.stringify({
  'telemetry.telemetryLevel': 'off', 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false,
  // SHIM_WORKSPACE_TRUST=1: Workspace Trust on, and the folder starts untrusted (a fresh profile trusts nothing).
  ...(process.env.SHIM_WORKSPACE_TRUST === '1'
    ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never', 'security.workspace.trust.untrustedFiles': 'open' }
    : { 'security.workspace.trust.enabled': false }),
  'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false,
  'update.mode': 'none', 'git.enabled': false, 'window.restoreWindows': 'none', ...settings,
}, null, 2));

const port = await new Promise((resolve, reject) => {
  const s = net.createServer().once('error', reject)
    .listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
// Since ~1.10x the web client honours the payload's extension-development keys only with
// --enable-smoke-test-driver, which code-server accepts once setup.sh has patched its option list.
const cli = path.join(path.dirname(fs.realpathSync(CODE_SERVER)), 'cli.js');
const smoke = fs.existsSync(cli) && fs.readFileSync(cli, 'utf8').includes('"enable-smoke-test-driver"');
const serverLogFile = path.join(tmp, 'code-server.log');
const serverLog = fs.openSync(serverLogFile, 'w');
const server = spawn(CODE_SERVER, [
  ...(smoke ? ['--enable-smoke-test-driver'] : []),
  // --config /dev/null: otherwise code-server writes ~/.config/code-server/config.yaml (with a password).
  '--config', '/dev/null', '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
  '--disable-telemetry', '--disable-update-check', ...(process.env.SHIM_WORKSPACE_TRUST === '1' ? [] : ['--disable-workspace-trust']), '--ignore-last-opened',
  '--disable-getting-started-override', '--user-data-dir', userData, '--extensions-dir', extDir,
], {
  detached: true, // own process group: extension host, pty host and file watcher are its children
  stdio: ['ignore', serverLog, serverLog],
  // VSCODE_CLI=1: code-server otherwise re-reads the environment from a login shell, and Debian's
  // /etc/profile resets PATH, so the caller's PATH would not reach the extension host.
  env: { ...process.env, VSCODE_CLI: '1' },
});
let serverExited = null;
const stopServer = () => { try { process.kill(-server.pid, 'SIGTERM'); } catch { /* gone */ } };
process.on('exit', stopServer);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130)); // runs the 'exit' hook
const serverTail = () => fs.readFileSync(serverLogFile, 'utf8').split('\n').slice(-40).join('\n');

const base = `http://127.0.0.1:${port}`;
server.on('exit', (code, signal) => { serverExited = `code-server exited (${code ?? signal})`; });
for (let i = 0; ; i++) {
  try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
  if (i > 300 || serverExited) {
    console.error(`${serverTail()}\ncode-shim: code-server did not start (${serverExited ?? 'timeout'})`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 100));
}
if (process.env.VERBOSE) console.log(`code-shim: code-server up on ${base} after ${elapsed()}`);

const remote = (p) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(p) ? p : `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`);
const payload = (opt.extensionDevelopmentPath ?? []).map((p) => ['extensionDevelopmentPath', remote(p)]);
if (opt.extensionTestsPath) payload.push(['extensionTestsPath', remote(opt.extensionTestsPath[0])]);
if (flags.has('disable-extensions')) payload.push(['disableExtensions', 'true']);
const where = folder ? `folder=${encodeURIComponent(folder)}` : 'ew=true';
const url = `${base}/?${where}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
if (file) console.error(`code-shim: opening a single file is not supported, ignoring ${file}`);

const ctx = await launchChromium(path.join(tmp, 'chromium'));
const page = ctx.pages()[0] ?? (await ctx.newPage());
let finish;
const exited = new Promise((r) => (finish = r));
server.on('exit', () => finish('server-exit'));
page.on('crash', () => finish('page-crash'));
// Workbench chatter (offline gallery look-ups, connection info, ...); VERBOSE=1 shows it.
const noise = new RegExp(['open-vsx\\.org', '^\\s+at .*workbench\\.js', '^Creating a socket', '^Resolv',
  '^\\[Service Worker\\]', 'ChatSessionStore', '^Updating additional builtin', 'copilot-instructions',
  '^\\[AgentHost', '^\\[ChatModelSelection\\]', '^\\[AccountPolicyGate\\]', '^\\[reconnection-grace-time\\]'].join('|'));
await page.exposeFunction('codeAutomationLog', (type, args) => {
  if (typeof args[0] === 'string' && args[0].startsWith('%c')) args = args.slice(2); // '%c INFO', css
  const text = util.format(...args);
  if (process.env.VERBOSE || !text.split('\n').every((l) => noise.test(l) || !l.trim()))
    (type === 'error' ? process.stderr : process.stdout).write(text + '\n');
});
await page.exposeFunction('codeAutomationExit', (code) => finish(code));
if (process.env.VERBOSE) page.on('console', (m) => console.log('[page]', m.text()));
await page.goto(url);
const limit = Number(process.env.SHIM_TIMEOUT_S || 600);
let timer;
const code = await Promise.race([exited, new Promise((r) => { timer = setTimeout(() => r('timeout'), limit * 1000); })]);
clearTimeout(timer);
let keep = Boolean(process.env.SHIM_KEEP);
if (code !== 0) {
  keep = true;
  const shot = path.join(tmp, 'workbench.png');
  await page.screenshot({ path: shot }).catch(() => {});
  const why = code === 'timeout' ? `no result after ${limit}s` : code === 'server-exit' ? serverExited
    : code === 'page-crash' ? 'the workbench page crashed' : `tests exited with code ${code}`;
  console.error(`code-shim: ${why} after ${elapsed()}; screenshot ${shot}, code-server log ${serverLogFile}`);
  if (code === 'server-exit') console.error(serverTail());
}
await ctx.close().catch(() => {});
stopServer();
if (!keep) { try { fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 }); } catch { /* still in use */ } }
process.exit(code === 0 ? 0 : 1);
