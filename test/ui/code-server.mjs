// Starts a code-server (VS Code 1.100.3, installed by test/e2e/setup.sh) on 127.0.0.1 with our
// extension installed, for the UI tests (test/ui/run.mjs) and for `npm start` (scripts/start.mjs).
// Follows the recipe of test/e2e/code-shim.mjs: --config /dev/null (else code-server writes
// ~/.config/code-server/config.yaml with a password), its own process group (the extension host,
// pty host and file watcher are children; stop() kills the group), VSCODE_CLI=1 (else code-server
// re-reads the environment from a login shell and Debian's /etc/profile resets PATH, so the
// caller's PATH and DOCKER_HOST would not reach the extension host and its tasks).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Quiet, offline-friendly settings; dark theme; inlay hints and CodeLens on; DOM-rendered terminal. */
export const DEFAULT_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.editor.enablePreview': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  'window.restoreWindows': 'none',
  'editor.inlayHints.enabled': 'on',
  'editor.codeLens': true,
  'editor.semanticHighlighting.enabled': true,
  'editor.minimap.enabled': false,
  'chat.commandCenter.enabled': false,
  // xterm renders DOM text (readable by a test) instead of a canvas.
  'terminal.integrated.gpuAcceleration': 'off',
};

/**
 * The files a .vsix of `dir` would ship, from its .vscodeignore when that is an allow-list
 * (`**` then `!dir/glob` lines, as ours is), so a folder install matches a .vsix install even
 * when the bundle layout changes. Otherwise: package.json, the docs, dist/ and syntaxes/.
 */
export function shippedFiles(dir) {
  const glob = (g) => new RegExp(`^${g.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
  const list = (d) => { try { return fs.readdirSync(path.join(dir, d)); } catch { return []; } };
  let lines = [];
  try { lines = fs.readFileSync(path.join(dir, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim()); } catch { /* none */ }
  const includes = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/^\//, ''));
  const patterns = lines.includes('**') && includes.length && includes.every((p) => !p.includes('**') && !path.posix.dirname(p).includes('*'))
    ? includes
    : ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist/*.js', 'syntaxes/*.json'];
  const out = new Set(['package.json']);
  for (const p of patterns) {
    const d = path.posix.dirname(p);
    const re = glob(path.posix.basename(p));
    for (const f of list(d)) if (re.test(f) && fs.statSync(path.join(dir, d, f)).isFile()) out.add(path.posix.join(d, f));
  }
  return [...out];
}

export function manifest(dir) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
}

/**
 * Installs the extension into `extensionsDir`: a .vsix through `code-server --install-extension`
 * (~2 s), or an extension folder copied as `<publisher>.<name>-<version>` (what an install
 * unpacks to; picked up on a fresh extensions dir), taking only the files the .vsix would ship
 * (shippedFiles: node_modules is not needed, the bundles are self-contained).
 * Returns the extension id.
 */
export function installExtension({ codeServer, extension, extensionsDir, userDataDir }) {
  fs.mkdirSync(extensionsDir, { recursive: true });
  if (extension.endsWith('.vsix')) {
    const r = spawnSync(codeServer, ['--config', '/dev/null', '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir, '--install-extension', path.resolve(extension), '--force'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`code-server --install-extension ${extension} failed:\n${r.stdout}${r.stderr}`);
    return /Extension '([^']+)'/.exec(r.stdout)?.[1] ?? path.basename(extension, '.vsix');
  }
  const src = path.resolve(extension);
  const m = manifest(src);
  const id = `${m.publisher}.${m.name}`;
  const missing = ['package.json', ...(m.main ? [path.normalize(m.main)] : [])].filter((f) => !fs.existsSync(path.join(src, f)));
  if (missing.length) throw new Error(`extension in ${src} is not built (missing ${missing.join(', ')}): run  npx tsc -p . && node scripts/esbuild.mjs`);
  const dest = path.join(extensionsDir, `${id}-${m.version}`);
  fs.rmSync(dest, { recursive: true, force: true });
  for (const f of shippedFiles(src)) {
    fs.mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    fs.copyFileSync(path.join(src, f), path.join(dest, f));
  }
  return id;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject)
      .listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

/** Writes user settings: `settings` over DEFAULT_SETTINGS, keeping an existing file unless `overwrite`. */
export function writeUserSettings(userDataDir, settings = {}, { overwrite = true } = {}) {
  const file = path.join(userDataDir, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!overwrite && fs.existsSync(file)) return file;
  fs.writeFileSync(file, JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2) + '\n');
  return file;
}

/**
 * Starts code-server and waits for /healthz. Options:
 *   codeServer   the executable; stateDir  holds user-data/, extensions/ and code-server.log
 *   port         0 (default) picks a free one; host  default 127.0.0.1
 *   extension    a folder or .vsix to install into a fresh extensions dir; 'none' or undefined: nothing
 *   settings     user settings over DEFAULT_SETTINGS; keepSettings: leave an existing settings.json alone
 *   stdio        'log' (default: stateDir/code-server.log) or 'inherit'
 *   folder       a folder the bare URL opens (code-server's positional argument)
 *   trust        true: Workspace Trust on (no --disable-workspace-trust; set its settings too)
 * Returns { url, port, pid, log, extensionId, stop(), exited } (exited: a promise of the exit description).
 */
export async function startCodeServer({ codeServer, stateDir, port = 0, host = '127.0.0.1', extension,
  settings = {}, keepSettings = false, stdio = 'log', env = {}, folder, trust = false }) {
  if (!fs.existsSync(codeServer)) throw new Error(`code-server not found at ${codeServer}: run  bash test/e2e/setup.sh`);
  const userDataDir = path.join(stateDir, 'user-data');
  const extensionsDir = path.join(stateDir, 'extensions');
  // A fresh extensions dir every time: code-server records installed extensions in
  // extensions/extensions.json, and a folder copied in later would not be picked up.
  fs.rmSync(extensionsDir, { recursive: true, force: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  writeUserSettings(userDataDir, settings, { overwrite: !keepSettings });
  const extensionId = extension && extension !== 'none'
    ? installExtension({ codeServer, extension, extensionsDir, userDataDir }) : undefined;

  if (!port) port = await freePort();
  const log = path.join(stateDir, 'code-server.log');
  const out = stdio === 'inherit' ? 'inherit' : fs.openSync(log, 'w');
  const child = spawn(codeServer, [
    '--config', '/dev/null', '--bind-addr', `${host}:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', ...(trust ? [] : ['--disable-workspace-trust']), '--ignore-last-opened',
    '--disable-getting-started-override', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    ...(folder ? [path.resolve(folder)] : []),
  ], { detached: true, stdio: ['ignore', out, out], env: { ...process.env, VSCODE_CLI: '1', ...env } });
  if (typeof out === 'number') fs.closeSync(out);
  let exitInfo = null;
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    exitInfo = `code-server exited (${code ?? signal})`;
    resolve(exitInfo);
  }));
  const stop = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ } };
  const url = `http://${host}:${port}`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (exitInfo || i > 300) {
      stop();
      const tail = stdio === 'log' && fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').slice(-30).join('\n') : '';
      throw new Error(`${tail}\ncode-server did not start on ${url} (${exitInfo ?? 'no answer after 30 s'}); log: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, port, pid: child.pid, log, extensionId, stop, exited, child };
}

/** The workbench URL for a folder; `payload` is VS Code's list of [key, value] pairs (e.g. disableExtensions). */
export function workbenchUrl(base, folder, payload) {
  return `${base}/?folder=${encodeURIComponent(path.resolve(folder))}` +
    (payload?.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : '');
}
