#!/usr/bin/env node
// `npm start`: the extension in a real VS Code (code-server 4.100.3 = VS Code 1.100.3) in your
// browser, on the examples/ workspace. On a fresh machine it first installs what it needs (first
// run only): npm packages (`npm ci`) when node_modules is missing, and code-server through
// test/e2e/setup.sh when it is not installed yet. Then it builds the extension, installs it into a
// fresh extensions dir, starts code-server on 127.0.0.1 and prints the URL. Ctrl+C stops it.
//
//   npm start                      PORT=9000 npm start          npm start -- --vsix
//   npm start -- --no-build        npm start -- --folder some/dir
//
// Options: --vsix [file]       install a .vsix (default: build one with `npm run package`) instead of the folder
//          --no-build          skip `tsc` + esbuild (use dist/ as it is)
//          --folder DIR        the workspace to open (default: examples/)
//          --extension DIR     install the extension from another folder (e.g. a modified copy; implies --no-build)
// Env:     PORT (default 8080), E2E_HOME / CODE_SERVER (see test/e2e/lib.mjs),
//          START_STATE (default ~/.cache/dockerfile-stages/start: your settings persist there),
//          VERBOSE=1 (code-server's own output on the terminal instead of its log file)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CODE_SERVER, E2E_HOME } from '../test/e2e/lib.mjs';
import { REPO_ROOT, startCodeServer } from '../test/ui/code-server.mjs';

const t0 = Date.now();
const secs = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const say = (m) => console.log(`[start ${secs()}] ${m}`);
const die = (m) => { console.error(`[start] ${m}`); process.exit(1); };

const argv = process.argv.slice(2);
const opts = { build: true, vsix: undefined, folder: path.join(REPO_ROOT, 'examples') };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--no-build') opts.build = false;
  else if (a === '--vsix') opts.vsix = argv[i + 1]?.endsWith('.vsix') ? argv[++i] : '';
  else if (a === '--folder') opts.folder = path.resolve(argv[++i] ?? die('--folder needs a directory'));
  else if (a === '--extension') { opts.extension = path.resolve(argv[++i] ?? die('--extension needs a folder or .vsix')); opts.build = false; }
  else if (a === '-h' || a === '--help') {
    console.log(fs.readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
    process.exit(0);
  } else die(`unknown option ${a} (see --help)`);
}
const port = Number(process.env.PORT || 8080);
if (!Number.isInteger(port) || port <= 0 || port > 65535) die(`PORT=${process.env.PORT} is not a port number`);
if (!fs.existsSync(opts.folder)) die(`no folder ${opts.folder}`);

/** Runs a command in the repo, output on the terminal; dies on failure. */
function run(what, cmd, args) {
  const start = Date.now();
  say(`${what}: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, stdio: 'inherit' });
  if (r.status !== 0) die(`${what} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
  say(`${what} done in ${((Date.now() - start) / 1000).toFixed(1)}s`);
}

const portFree = (p) => new Promise((resolve) => {
  const s = net.createServer().once('error', () => resolve(false)).listen(p, '127.0.0.1', () => s.close(() => resolve(true)));
});
if (!(await portFree(port))) die(`port ${port} on 127.0.0.1 is in use: stop what runs there, or pick another one:  PORT=${port + 1} npm start`);

// 1. First run only: npm packages and code-server.
if (!fs.existsSync(path.join(REPO_ROOT, 'node_modules/.bin/tsc'))) run('npm packages', 'npm', ['ci', '--no-audit', '--no-fund']);
if (!fs.existsSync(CODE_SERVER)) {
  say(`code-server is not installed in ${E2E_HOME} yet: installing it (first run only, ~1.5-3 min)`);
  run('code-server setup', 'bash', ['test/e2e/setup.sh']);
}

// 2. Build (type check + bundles), or the .vsix.
let extension = opts.extension ?? REPO_ROOT;
if (opts.extension) {
  if (!fs.existsSync(extension)) die(`no ${extension}`);
} else if (opts.vsix !== undefined) {
  if (opts.vsix) extension = path.resolve(opts.vsix);
  else {
    run('package', 'npm', ['run', 'package']);
    extension = path.join(REPO_ROOT, 'dockerfile-stages.vsix');
  }
  if (!fs.existsSync(extension)) die(`no ${extension}`);
} else if (opts.build) {
  run('type check', process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.']);
  run('bundle', process.execPath, ['scripts/esbuild.mjs']);
}

// 3. code-server with the extension installed, on the workspace.
const stateDir = process.env.START_STATE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'dockerfile-stages/start');
let server;
try {
  server = await startCodeServer({
    codeServer: CODE_SERVER, stateDir, port, extension, folder: opts.folder,
    keepSettings: true, // your changes to the settings survive a restart
    stdio: process.env.VERBOSE ? 'inherit' : 'log',
  });
} catch (e) {
  die(e instanceof Error ? e.message : String(e));
}
const stop = () => server.stop();
process.on('exit', stop);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.log(`\n[start] ${sig}: stopping code-server (process group ${server.pid})`);
    process.exit(0); // the 'exit' hook kills the group
  });
}

const url = `http://127.0.0.1:${port}/?folder=${encodeURI(opts.folder)}`;
say(`code-server ${spawnSync(CODE_SERVER, ['--config', '/dev/null', '--version'], { encoding: 'utf8' }).stdout.split(' ')[0]} is up with ${server.extensionId} from ${path.relative(REPO_ROOT, extension) || 'the repo (folder install)'}`);
console.log(`
  Dockerfile Stages in VS Code (code-server), workspace ${path.relative(REPO_ROOT, opts.folder) || opts.folder}:

      ${url}

  Open it in a browser on this machine (over SSH: ssh -L ${port}:127.0.0.1:${port} <host>).
  No password (--auth none), listening on 127.0.0.1 only. Settings and state: ${stateDir}
  code-server log: ${process.env.VERBOSE ? '(this terminal)' : server.log}
  Ctrl+C stops it (code-server runs as process group ${server.pid}).
`);
const why = await server.exited;
die(`${why}; see ${server.log}`);
