#!/usr/bin/env node
// cancelburst.mjs — the "cancel burst" case of `npm run bench`: how long the next request waits
// after a burst of requests the client cancelled right after sending them.
//
//   node scripts/bench/cancelburst.mjs --server "node dist/server.js --stdio" --name ours --file F [--rounds 5] [--out r.json]
//
// Per server (a fresh process each, servers one after another): didOpen the file, wait for the first
// publishDiagnostics, one warm-up hover; then --rounds times: send --burst requests (references,
// documentSymbol, semanticTokens/full in turn), cancel each right after sending it (vscode-jsonrpc sends
// $/cancelRequest), then send a hover on the middle stage name and time it until its answer. Between
// rounds it waits for every burst request to settle, so rounds do not overlap.
// --no-semtokens-above N: leave semanticTokens/full out of the burst for the named servers above N stages
// (the anchor's is quadratic: 206 s for one request at 1000 stages); the burst keeps its size.
// Prints one JSON line per server (and writes them all to --out): median / max next-request latency,
// and how the cancelled requests ended (RequestCancelled -32800, answered anyway, other errors).

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource, createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node.js';
import { splitCommand } from './lspbench.mjs';

function parseArgs(argv) {
  const o = { servers: [], names: [], file: null, rounds: 5, burst: 60, timeoutMs: 60000, out: null, noSemAbove: null, noSemFor: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--server') o.servers.push(next());
    else if (a === '--name') o.names.push(next());
    else if (a === '--file') o.file = next();
    else if (a === '--rounds') o.rounds = Number(next());
    else if (a === '--burst') o.burst = Number(next());
    else if (a === '--timeout-ms') o.timeoutMs = Number(next());
    else if (a === '--out') o.out = next();
    else if (a === '--no-semtokens-above') o.noSemAbove = Number(next());
    else if (a === '--no-semtokens-for') o.noSemFor.push(next());
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.servers.length || !o.file) throw new Error('usage: cancelburst.mjs --server CMD [--name N] --file F [--rounds R] [--burst B] [--out F]');
  return o;
}

const median = (xs) => { const a = [...xs].sort((x, y) => x - y); const m = a.length / 2; return a.length ? (a.length % 2 ? a[Math.floor(m)] : (a[m - 1] + a[m]) / 2) : null; };
const withTimeout = (p, ms, what) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`timeout: ${what}`)), ms))]);

async function runServer(cmdline, name, o, text, stages) {
  const [cmd, ...args] = splitCommand(cmdline);
  const proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  let diagnosed;
  const firstDiag = new Promise((r) => (diagnosed = r));
  conn.onNotification('textDocument/publishDiagnostics', () => diagnosed());
  conn.onRequest(() => null);
  conn.onNotification(() => undefined);
  conn.listen();
  const result = { server: name, stages, rounds: [], cancelled: 0, answered: 0, otherErrors: 0, error: null };
  try {
    const init = await withTimeout(conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} }), o.timeoutMs, 'initialize');
    conn.sendNotification('initialized', {});
    const caps = init.capabilities ?? {};
    const uri = pathToFileURL(resolve(o.file)).href;
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
    await withTimeout(firstDiag, o.timeoutMs, 'first diagnostics');
    const lines = text.split('\n');
    const line = Math.max(0, lines.findIndex((l, i) => i >= lines.length / 2 && / AS /i.test(l)));
    const position = { line, character: Math.max(0, (lines[line] ?? '').search(/ AS /i) + 4) };
    const td = { uri };
    const semOk = !(o.noSemFor.includes(name) && o.noSemAbove !== null && stages > o.noSemAbove);
    const kinds = [
      ...(caps.referencesProvider ? [['textDocument/references', { textDocument: td, position, context: { includeDeclaration: true } }]] : []),
      ['textDocument/documentSymbol', { textDocument: td }],
      ...(semOk && caps.semanticTokensProvider ? [['textDocument/semanticTokens/full', { textDocument: td }]] : []),
    ];
    result.burstKinds = kinds.map(([m]) => m);
    await withTimeout(conn.sendRequest('textDocument/hover', { textDocument: td, position }), o.timeoutMs, 'warm-up hover');
    for (let r = 0; r < o.rounds; r++) {
      const settled = [];
      for (let i = 0; i < o.burst; i++) {
        const [method, params] = kinds[i % kinds.length];
        const cts = new CancellationTokenSource();
        settled.push(conn.sendRequest(method, params, cts.token).then(() => void result.answered++, (e) => void (e?.code === -32800 ? result.cancelled++ : result.otherErrors++)));
        cts.cancel();
      }
      const t0 = performance.now();
      await withTimeout(conn.sendRequest('textDocument/hover', { textDocument: td, position }), o.timeoutMs, 'hover after the burst');
      result.rounds.push(+(performance.now() - t0).toFixed(2));
      await withTimeout(Promise.all(settled), o.timeoutMs * 2, 'the burst to settle');
    }
    await withTimeout(conn.sendRequest('shutdown'), 5000, 'shutdown').catch(() => undefined);
    conn.sendNotification('exit');
  } catch (e) {
    result.error = `${e?.message ?? e}${stderr ? ` — stderr: ${stderr.trim().split('\n').slice(-3).join(' ⏎ ')}` : ''}`;
  }
  setTimeout(() => { try { proc.kill('SIGKILL'); } catch { /* gone */ } }, 1000).unref();
  conn.dispose();
  result.medianMs = median(result.rounds);
  result.maxMs = result.rounds.length ? Math.max(...result.rounds) : null;
  return result;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const text = readFileSync(o.file, 'utf8');
  const stages = (text.match(/^\s*FROM\s/gim) ?? []).length;
  const out = [];
  for (let i = 0; i < o.servers.length; i++) {
    const r = await runServer(o.servers[i], o.names[i] ?? `server${i + 1}`, o, text, stages);
    out.push(r);
    console.log(JSON.stringify(r));
  }
  if (o.out) writeFileSync(o.out, JSON.stringify(out, null, 1));
  // Exit now: a server that stopped answering (the anchor at 1000 stages) can leave handles that keep the loop alive.
  process.exit(out.every((r) => !r.error) ? 0 : 1);
}

main().catch((e) => { console.error(e?.stack ?? e); process.exit(2); });
