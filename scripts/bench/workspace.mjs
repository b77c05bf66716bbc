#!/usr/bin/env node
// workspace.mjs — the workspace case of `npm run bench` (also runnable alone: node scripts/bench/workspace.mjs).
// Generates a workspace of 2,000 files: 200 Dockerfiles (5 stages each), 200 Compose/Bake/devcontainer/workflow
// files (50 of each) that target their stages, and 1,600 other files; starts our server (dist/server.js --stdio) on it
// and reports: the initial index time (the server's own log line), references latency and rename latency
// (a stage named by several workspace files, median of N), and the server's RSS after the requests.
// The anchor (dockerfile-language-server-nodejs) has none of these features: "unsupported".
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const N = Number(process.argv.find((a) => a.startsWith('--iterations='))?.split('=')[1] ?? 30);

function generate(dir) {
  let files = 0;
  const w = (rel, text) => { mkdirSync(dirname(join(dir, rel)), { recursive: true }); writeFileSync(join(dir, rel), text); files++; };
  for (let i = 0; i < 200; i++) {
    w(`svc${i}/Dockerfile`, `FROM alpine AS base\nRUN true\nFROM base AS build\nRUN make\nFROM base AS dev\nCOPY --from=build /a /a\nFROM base AS test\nFROM base AS runtime\nCOPY --from=build /a /a\n`);
    for (let k = 0; k < 8; k++) w(`svc${i}/src/file${k}.txt`, `content ${i} ${k}\n`);
  }
  for (let i = 0; i < 50; i++) {
    w(`svc${i}/compose.yaml`, `services:\n  app:\n    build:\n      context: .\n      target: dev\n  rt:\n    build:\n      context: .\n      target: runtime\n`);
    w(`svc${50 + i}/docker-bake.hcl`, `group "default" {\n  targets = ["build"]\n}\ntarget "build" {\n  context = "."\n  target = "build"\n}\ntarget "dev" {\n  inherits = ["build"]\n  target = "dev"\n}\n`);
    w(`svc${100 + i}/.devcontainer/devcontainer.json`, `{\n  // dev\n  "build": { "dockerfile": "../Dockerfile", "context": "..", "target": "dev" }\n}\n`);
    w(`.github/workflows/ci${i}.yml`, `jobs:\n  b:\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: svc${150 + i}\n          target: runtime\n      - uses: docker/build-push-action@v6\n        with:\n          context: svc0\n          target: dev\n`);
  }
  while (files < 2000) w(`docs/page${files}.md`, `# page ${files}\n`);
  return files;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'dse-bench-ws-'));
  const files = generate(dir);
  const proc = spawn(process.execPath, [join(ROOT, 'dist/server.js'), '--stdio'], { stdio: 'pipe' });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  let indexLine = null;
  let indexed;
  const gotIndex = new Promise((r) => (indexed = r));
  conn.onNotification('window/logMessage', (p) => { if (/^workspace index:/.test(p.message)) { indexLine = p.message; indexed(); } });
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => null));
  conn.onRequest('client/registerCapability', () => null);
  conn.listen();
  const ws = pathToFileURL(dir).href;
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: ws, workspaceFolders: [{ uri: ws, name: 'bench' }], capabilities: { workspace: { configuration: true } } });
  const t0 = performance.now();
  conn.sendNotification('initialized', {});
  await gotIndex;
  const indexWall = performance.now() - t0;
  const indexMs = Number(/in ([\d.]+) ms/.exec(indexLine)?.[1]);
  const uri = pathToFileURL(join(dir, 'svc0/Dockerfile')).href;
  const text = readFileSync(join(dir, 'svc0/Dockerfile'), 'utf8');
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
  const devPos = { line: 4, character: 14 };
  const refs = [];
  const renames = [];
  let refCount = 0;
  let renameFiles = 0;
  for (let i = 0; i < N + 2; i++) {
    let t = performance.now();
    const r = await conn.sendRequest('textDocument/references', { textDocument: { uri }, position: devPos, context: { includeDeclaration: true } });
    if (i >= 2) refs.push(performance.now() - t);
    refCount = r?.length ?? 0;
    t = performance.now();
    const e = await conn.sendRequest('textDocument/rename', { textDocument: { uri }, position: devPos, newName: 'develop' });
    if (i >= 2) renames.push(performance.now() - t);
    renameFiles = Object.keys(e?.changes ?? {}).length;
  }
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? NaN);
  await conn.sendRequest('shutdown');
  conn.sendNotification('exit');
  await new Promise((r) => proc.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  const res = { files, indexMs, indexWallMs: indexWall, indexLine, referencesMs: median(refs), references: refCount, renameMs: median(renames), renameFiles, rssMB: rssKb / 1024, iterations: N };
  const md = [
    `### Workspace (${files} files: 200 Dockerfiles, 200 Compose/Bake/devcontainer/workflow files)`,
    '',
    '| measure | anchor | ours | goal |',
    '|---|---|---|---|',
    `| initial index (server log) | unsupported | ${res.indexMs.toFixed(0)} ms (${res.indexWallMs.toFixed(0)} ms until logged) | ≤ 1000 ms |`,
    `| references of a stage (${res.references} locations), median of ${N} | unsupported | ${res.referencesMs.toFixed(1)} ms | ≤ 20 ms |`,
    `| rename of a stage (${res.renameFiles} files in one WorkspaceEdit), median of ${N} | unsupported | ${res.renameMs.toFixed(1)} ms | ≤ 50 ms |`,
    `| server RSS after the requests | – | ${res.rssMB.toFixed(0)} MB | |`,
    '',
  ].join('\n');
  return { res, md };
}

export { main as workspaceBench };

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(({ res, md }) => {
    process.stdout.write(md + '\n');
    if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(res, null, 1) + '\n');
  }, (e) => { console.error(e.stack || e); process.exit(1); });
}
