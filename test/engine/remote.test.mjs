// A remote engine: a second dockerd listening on a loopback TCP port (127.0.0.1
// only; its own data-root, exec-root and pidfile under /tmp), selected through a
// docker context (DOCKER_CONTEXT) and through DOCKER_HOST. A target is built there
// with the project's build argv; the image exists on that engine and not on the
// local one; the lens/task engine label names it; the daemon is stopped, and no
// process is left behind.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { engineUnavailable } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { planBuild } = require(path.join(root, 'out/server/src/builds/plan.js'));
const { describeEngine } = require(path.join(root, 'out/server/src/builds/engine.js'));

const CLI = '/usr/bin/docker';
const LOCAL = process.env.DSE_HOST || 'unix:///tmp/dse/docker.sock';
const unavailable = (await engineUnavailable()) ?? (existsSync('/usr/sbin/dockerd') ? null : 'no /usr/sbin/dockerd');
let dir = '';
let port = 0;
let pid = 0;
let startError = '';
let bridge = '';

const freePort = () => new Promise((resolve) => {
  const s = net.createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
const alive = (p) => { try { process.kill(p, 0); return true; } catch { return false; } };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const env = (extra) => {
  const e = { ...process.env, DOCKER_CONFIG: path.join(dir, 'config'), DOCKER_BUILDKIT: '1', ...extra };
  for (const k of Object.keys(extra)) if (extra[k] === undefined) delete e[k];
  return e;
};
const cli = (args, extra = {}) => spawnSync(CLI, args, { encoding: 'utf8', env: env(extra), timeout: 120_000 });

before(async () => {
  if (unavailable) return;
  dir = mkdtempSync('/tmp/dfs-remote-');
  for (const d of ['data', 'exec', 'config']) mkdirSync(path.join(dir, d));
  port = await freePort();
  // A bridge of its own: `--bridge=none` would make dockerd delete the shared docker0 interface
  // (moby removes the default bridge then), which breaks the local engine's networking.
  bridge = `dfsr${port % 10000}`;
  const ip = (args) => spawnSync('ip', args, { encoding: 'utf8' });
  const mk = ip(['link', 'add', bridge, 'type', 'bridge']);
  if (mk.status !== 0) { startError = `ip link add ${bridge}: ${mk.stderr}`; return; }
  ip(['addr', 'add', `10.213.${port % 250}.1/24`, 'dev', bridge]);
  ip(['link', 'set', bridge, 'up']);
  const d = spawn('/usr/sbin/dockerd', ['--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'dockerd.pid'),
    '-H', `tcp://127.0.0.1:${port}`, `--bridge=${bridge}`, '--iptables=false', '--ip6tables=false', '--log-level=warn'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let log = '';
  d.stderr.on('data', (x) => (log += x));
  pid = d.pid;
  for (let i = 0; i < 120; i++) {
    if (cli(['info', '--format', '{{.ServerVersion}}'], { DOCKER_HOST: `tcp://127.0.0.1:${port}` }).status === 0) return;
    if (!alive(pid)) break;
    await sleep(500);
  }
  startError = `the second dockerd did not come up:\n${log.slice(-2000)}`;
});

after(async () => {
  if (pid) {
    try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(200);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  if (bridge) spawnSync('ip', ['link', 'del', bridge]);
  if (dir) {
    // A dockerd killed outright leaves its mounts (overlay layers, the data-root bind): unmount them first.
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(dir + '/')).reverse();
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a build through a docker context and through DOCKER_HOST lands on the remote engine only', { timeout: 300_000 }, async (t) => {
  if (unavailable) return t.skip(unavailable);
  assert.equal(startError, '', startError);
  const remote = `tcp://127.0.0.1:${port}`;
  // The base image, copied from the local engine.
  const save = spawnSync('sh', ['-c', `${CLI} -H ${LOCAL} save debian:bookworm-slim | ${CLI} -H ${remote} load`], { encoding: 'utf8', env: env({}) });
  assert.equal(save.status, 0, save.stderr);
  assert.equal(cli(['context', 'create', 'dfs-remote', '--docker', `host=${remote}`]).status, 0);

  const work = mkdtempSync(path.join(tmpdir(), 'dfs-remote-ctx-'));
  writeFileSync(path.join(work, 'Dockerfile'), 'FROM debian:bookworm-slim AS base\nRUN echo remote > /where.txt\nFROM base AS final\nRUN false\n');
  const plan = (tag) => planBuild({ type: 'dockerfile-stages', file: path.join(work, 'Dockerfile'), target: 'base', tag, args: ['--network', 'none'] },
    { workspaceFolder: work, settings: { builder: CLI, args: '', tag, context: '', runArgs: '' }, which: (n) => (n === CLI ? CLI : undefined) });

  for (const [label, extra, tag] of [
    ['context', { DOCKER_CONTEXT: 'dfs-remote', DOCKER_HOST: undefined }, 'dfs-remote-ctx:base'],
    ['DOCKER_HOST', { DOCKER_HOST: remote, DOCKER_CONTEXT: undefined }, 'dfs-remote-host:base'],
  ]) {
    const p = plan(tag);
    assert.ok(!('error' in p), p.error);
    const r = spawnSync(p.argv.command, p.argv.args, { cwd: p.argv.cwd, encoding: 'utf8', env: env(extra), timeout: 240_000 });
    assert.equal(r.status, 0, `${label}: ${r.stderr.slice(-2000)}`);
    assert.equal(cli(['image', 'inspect', tag], { DOCKER_HOST: remote }).status, 0, `${label}: the image is on the remote engine`);
    assert.notEqual(cli(['image', 'inspect', tag], { DOCKER_HOST: LOCAL }).status, 0, `${label}: the image is not on the local engine`);
    // What the lens and the messages call the engine.
    const e = env(extra);
    assert.equal(describeEngine(p.builder, e, p.spec.extraArgs), label === 'context' ? 'docker context dfs-remote' : `DOCKER_HOST=${remote}`);
  }
  rmSync(work, { recursive: true, force: true });
});

test('the engine going away in the middle of a server build gives a clear message', { timeout: 120_000 }, async (t) => {
  if (unavailable) return t.skip(unavailable);
  assert.equal(startError, '', startError);
  const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = require(path.join(root, 'node_modules/vscode-languageserver-protocol/node'));
  const remote = `tcp://127.0.0.1:${port}`;
  const work = mkdtempSync(path.join(tmpdir(), 'dfs-remote-mid-'));
  writeFileSync(path.join(work, 'Dockerfile'), 'FROM debian:bookworm-slim AS slow\nRUN sleep 60\n');
  const server = spawn(process.execPath, [path.join(root, 'dist/server.js'), '--stdio'], { env: env({ DOCKER_HOST: remote, DOCKER_CONTEXT: undefined }), stdio: 'pipe' });
  const conn = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  const logs = [];
  conn.onNotification('window/logMessage', (m) => logs.push(m.message));
  conn.onNotification('window/showMessage', () => undefined);
  conn.listen();
  try {
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { enableBuilds: true, build: { builder: CLI, args: '--network none' } } });
    conn.sendNotification('initialized', {});
    const uri = `file://${path.join(work, 'Dockerfile')}`;
    const pending = conn.sendRequest('workspace/executeCommand', { command: 'dockerStages.server.build', arguments: [{ uri, target: 'slow', stage: 0 }] });
    // Once the RUN step is running, the engine goes away.
    for (let i = 0; i < 200 && !logs.some((l) => /RUN sleep 60/.test(l)); i++) await sleep(100);
    assert.ok(logs.some((l) => /RUN sleep 60/.test(l)), logs.join('\n'));
    await sleep(1000);
    process.kill(pid, 'SIGKILL');
    const r = await pending;
    assert.equal(r.ok, false);
    assert.match(r.message, new RegExp(`The container engine \\(DOCKER_HOST=tcp://127\\.0\\.0\\.1:${port}\\) (went away during the build|is not reachable)`), r.message + '\n' + logs.slice(-5).join('\n'));
    // The builder CLI the server started is gone.
    const left = spawnSync('pgrep', ['-f', `-H ${remote}|${work}`], { encoding: 'utf8' }).stdout.trim();
    assert.equal(spawnSync('pgrep', ['-P', String(server.pid)], { encoding: 'utf8' }).stdout.trim(), '', `children of the server: ${left}`);
  } finally {
    await conn.sendRequest('shutdown').catch(() => undefined);
    conn.sendNotification('exit');
    rmSync(work, { recursive: true, force: true });
  }
});

test('the second engine stops and leaves no process behind', { timeout: 60_000 }, async (t) => {
  if (unavailable) return t.skip(unavailable);
  const pidfile = path.join(dir, 'dockerd.pid');
  assert.ok(existsSync(pidfile));
  assert.equal(Number(readFileSync(pidfile, 'utf8')), pid);
  const children = spawnSync('pgrep', ['-f', path.join(dir, 'exec')], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number).filter((p) => p !== pid);
  if (alive(pid)) process.kill(pid, 'SIGTERM');
  // A dockerd killed outright leaves its containerd: stop it by its pid (under our exec-root).
  for (const c of children) { try { process.kill(c, 'SIGTERM'); } catch { /* gone */ } }
  for (let i = 0; i < 150 && (alive(pid) || children.some(alive)); i++) await sleep(200);
  assert.ok(!alive(pid), 'dockerd exited');
  assert.deepEqual(children.filter(alive), [], 'its containerd exited too');
  // The local engine's bridge is untouched.
  assert.equal(spawnSync('ip', ['link', 'show', 'docker0']).status, 0, 'docker0 is still there');
  // Builds against it now fail with the engine-down message the server gives.
  const { engineProblem } = require(path.join(root, 'out/server/src/builds/engine.js'));
  const r = cli(['info'], { DOCKER_HOST: `tcp://127.0.0.1:${port}` });
  assert.notEqual(r.status, 0);
  assert.match(engineProblem(r.stdout + r.stderr, `DOCKER_HOST=tcp://127.0.0.1:${port}`, { kind: 'docker', command: CLI, display: 'docker' }) ?? '', /is not reachable/);
});
