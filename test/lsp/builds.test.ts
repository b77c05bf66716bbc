/**
 * Builds from any LSP client (issue 12): the lenses carry the server's commands for
 * clients other than VS Code (the client's own for VS Code), workspace/executeCommand
 * spawns the builder from an argv array (a fake builder here, that records its argv;
 * the engine suite builds for real), reports work-done progress, puts build errors on
 * Dockerfile lines, tells the image id and size, says clearly when the engine is down,
 * and leaves no process behind.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  CodeLensRequest,
  ExecuteCommandRequest,
  ShowMessageNotification,
  WorkDoneProgressCreateRequest,
  type ClientCapabilities,
  type CodeLens,
  type ShowMessageParams,
} from 'vscode-languageserver-protocol/node';
import { ClientCommands, ServerCommands } from '../../server/src/protocol';
import { LspClient } from '../helpers/lspClient';

const dir = mkdtempSync(path.join(tmpdir(), 'dfs-builds-'));
const log = path.join(dir, 'argv.log');
const fake = path.join(dir, 'docker');
writeFileSync(
  fake,
  `#!${process.execPath}
const fs = require('fs');
const a = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(a) + '\\n');
if (process.env.FAKE_DOWN) { console.error('Cannot connect to the Docker daemon at unix:///nowhere/docker.sock. Is the docker daemon running?'); process.exit(1); }
if (a[0] === 'image' && a[1] === 'inspect') { console.log(JSON.stringify([{ Id: 'sha256:0123456789abcdef0123', Size: 117000000, Created: new Date().toISOString() }])); process.exit(0); }
const t = a[a.indexOf('--target') + 1];
if (t === 'slow') { fs.writeFileSync(${JSON.stringify(path.join(dir, 'slow.pid'))}, String(process.pid)); setTimeout(() => {}, 60000); return; }
if (t === 'broken') {
  console.error('#5 [broken 2/2] RUN make');
  console.error('#5 0.21 make: *** No targets specified and no makefile found.  Stop.');
  console.error('#5 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2');
  console.error('------');
  console.error(' > [broken 2/2] RUN make:');
  console.error('0.21 make: *** No targets specified and no makefile found.  Stop.');
  console.error('------');
  console.error('ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2');
  process.exit(1);
}
console.log('#1 DONE 0.1s');
`,
);
chmodSync(fake, 0o755);
const dockerfile = path.join(dir, 'Dockerfile');
const text = 'FROM debian AS base\nRUN true\n\nFROM base AS broken\nRUN make\n\nFROM base AS slow\nCMD ["true"]\n';
writeFileSync(dockerfile, text);
const uri = pathToFileURL(dockerfile).href;

const caps: ClientCapabilities = {
  window: { workDoneProgress: true, showMessage: {} },
  textDocument: { codeLens: {}, publishDiagnostics: { versionSupport: true } },
};

function client(init: unknown, env?: NodeJS.ProcessEnv) {
  const c = new LspClient({ capabilities: caps, initializationOptions: init, workspace: dir, ...(env ? { env } : {}) });
  const messages: ShowMessageParams[] = [];
  const progress: unknown[] = [];
  c.conn.onNotification(ShowMessageNotification.type, (m) => void messages.push(m));
  c.conn.onRequest(WorkDoneProgressCreateRequest.type, () => null);
  c.conn.onNotification('$/progress', (p: { value: { kind: string } }) => void progress.push(p.value));
  return { c, messages, progress };
}

const lensArgs = async (c: LspClient, title: string) => {
  const lenses = (await c.conn.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) as CodeLens[];
  const l = lenses.find((x) => x.command?.title === title);
  assert.ok(l?.command, `${title} in ${lenses.map((x) => x.command?.title).join(', ')}`);
  return l.command;
};

test('lenses carry the server command for LSP clients and the client command for VS Code', async () => {
  const other = client({});
  const vscode = client({ clientCommands: true });
  try {
    await Promise.all([other.c.init, vscode.c.init]);
    assert.deepEqual(((await other.c.init)['executeCommandProvider'] as { commands: string[] }).commands, [ServerCommands.build, ServerCommands.run]);
    other.c.open(uri, text);
    vscode.c.open(uri, text);
    assert.equal((await lensArgs(other.c, 'Build target broken')).command, ServerCommands.build);
    assert.equal((await lensArgs(other.c, 'Run')).command, ServerCommands.run);
    assert.equal((await lensArgs(vscode.c, 'Build target broken')).command, ClientCommands.build);
  } finally {
    await Promise.all([other.c.stop(), vscode.c.stop()]);
  }
});

test('builds are off unless enabled: a clear message, and the builder does not run', async () => {
  const { c, messages } = client({ build: { builder: fake } });
  try {
    await c.init;
    c.open(uri, text);
    const cmd = await lensArgs(c, 'Build target base');
    const before = existsSync(log) ? readFileSync(log, 'utf8') : '';
    const r = (await c.conn.sendRequest(ExecuteCommandRequest.type, { command: cmd.command, arguments: cmd.arguments })) as { ok: boolean };
    assert.equal(r.ok, false);
    assert.match(messages.map((m) => m.message).join('\n'), /Builds from the language server are off.*enableBuilds/);
    assert.equal(existsSync(log) ? readFileSync(log, 'utf8') : '', before);
  } finally {
    await c.stop();
  }
});

test('a build: argv unchanged (hostile target), progress, image id and size in a message; a failed build: diagnostics on the line', async () => {
  const { c, messages, progress } = client({ enableBuilds: true, build: { builder: fake, tag: 'img:${target}' } });
  try {
    await c.init;
    c.open(uri, text);
    const cmd = await lensArgs(c, 'Build target base');
    const ok = (await c.conn.sendRequest(ExecuteCommandRequest.type, { command: cmd.command, arguments: cmd.arguments })) as {
      ok: boolean;
      id: string;
      size: number;
      engine: string;
    };
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.deepEqual(
      progress.map((p) => (p as { kind: string }).kind).filter((k) => k !== 'report'),
      ['begin', 'end'],
    );
    const m = messages.at(-1);
    assert.equal(m?.type, 3);
    assert.match(m?.message ?? '', /^Built img:base \(0123456789ab, 117 MB\) with .*docker on /);
    const argvs = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string[]);
    assert.deepEqual(argvs.at(-2), ['build', '--target', 'base', '-f', dockerfile, '-t', 'img:base', dir]);
    assert.deepEqual(argvs.at(-1), ['image', 'inspect', '--', 'img:base']);

    // A hostile target (from any client) reaches the builder as one argument, unchanged.
    const hostile = '$(touch pwned); `id` && x\'"';
    const args0 = { ...(cmd.arguments?.[0] as Record<string, unknown>), target: hostile };
    await c.conn.sendRequest(ExecuteCommandRequest.type, { command: ServerCommands.build, arguments: [args0] });
    const last = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string[])
      .filter((a) => a[0] === 'build')
      .at(-1);
    assert.equal(last?.[last.indexOf('--target') + 1], hostile);
    assert.ok(!existsSync(path.join(dir, 'pwned')));

    const bad = await lensArgs(c, 'Build target broken');
    const r = (await c.conn.sendRequest(ExecuteCommandRequest.type, { command: bad.command, arguments: bad.arguments })) as { ok: boolean; problems: number };
    assert.equal(r.ok, false);
    assert.equal(r.problems, 1);
    const diags = await c.diagnosticsOf(uri, (d) => d.some((x) => x.source === 'dockerfile-stages build'));
    const d = diags.find((x) => x.source === 'dockerfile-stages build');
    assert.equal(d?.range.start.line, 4, 'on RUN make');
    assert.match(d?.message ?? '', /RUN failed: .*exit code: 2/);
    assert.match(messages.at(-1)?.message ?? '', /The build of target broken failed .*1 problem\(s\) on Dockerfile lines/);
    // A successful build of it again clears them.
  } finally {
    await c.stop();
  }
});

test('an engine that is down gives a clear message', async () => {
  const { c, messages } = client(
    { enableBuilds: true, build: { builder: fake } },
    { ...process.env, FAKE_DOWN: '1', DOCKER_HOST: 'unix:///nowhere/docker.sock' },
  );
  try {
    await c.init;
    c.open(uri, text);
    const cmd = await lensArgs(c, 'Build target base');
    const r = (await c.conn.sendRequest(ExecuteCommandRequest.type, { command: cmd.command, arguments: cmd.arguments })) as { ok: boolean; message: string };
    assert.equal(r.ok, false);
    assert.match(r.message, /The container engine \(DOCKER_HOST=unix:\/\/\/nowhere\/docker\.sock\) is not reachable/);
    assert.equal(messages.at(-1)?.type, 1);
  } finally {
    await c.stop();
  }
});

test('no builder process is left behind when the client shuts the server down mid-build', async () => {
  const { c } = client({ enableBuilds: true, build: { builder: fake } });
  await c.init;
  c.open(uri, text);
  const cmd = await lensArgs(c, 'Build target slow');
  const pidFile = path.join(dir, 'slow.pid');
  void c.conn.sendRequest(ExecuteCommandRequest.type, { command: cmd.command, arguments: cmd.arguments }).catch(() => undefined);
  for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 25));
  const pid = Number(readFileSync(pidFile, 'utf8'));
  const alive = (p: number) => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  };
  assert.ok(alive(pid));
  await c.stop();
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(!alive(pid), `builder ${pid} is still running`);
});
