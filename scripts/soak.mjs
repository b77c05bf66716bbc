#!/usr/bin/env node
// soak.mjs — `npm run soak`: a long session against the language server over stdio.
//
//   npm run soak                                  # 10,000 documents, 1,000 cancellations
//   npm run soak -- --docs 2000 --cancels 200     # shorter
//   npm run soak -- --server "node other/server.js --stdio"
//
// Opens, edits and closes --docs documents (Dockerfiles from gen.mjs, 1 to 40 stages, several
// seeds, each under its own URI), at most --window open at once. Every document gets two
// incremental edits, a hover and an inlay-hint request; every --docs/--cancels-th document also gets
// a request (references, documentSymbol or semanticTokens/full, in turn) that is cancelled right after
// it is sent. It reports:
//   - the server's resident memory (VmRSS, /proc) after 1k, 5k and 10k documents (scaled with --docs),
//   - hover latency (median, p99, max) over all hovers,
//   - how the cancelled requests ended (RequestCancelled -32800 vs answered),
//   - errors, and whether the server stayed up.
// Exit code 1 when the server died, a request failed other than by cancellation, or --max-rss-mb was
// exceeded at the end; 0 otherwise. Not part of `npm test` (it takes minutes); figures go in the notes.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CancellationTokenSource, createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const o = { docs: 10000, cancels: 1000, window: 20, server: `${process.execPath} ${join(ROOT, 'dist/server.js')} --stdio`, maxRssMb: 0, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--docs') o.docs = Number(next());
    else if (a === '--cancels') o.cancels = Number(next());
    else if (a === '--window') o.window = Number(next());
    else if (a === '--server') o.server = next();
    else if (a === '--max-rss-mb') o.maxRssMb = Number(next());
    else if (a === '--json') o.json = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run soak -- [--docs N] [--cancels N] [--window N] [--server "CMD ARGS"] [--max-rss-mb MB] [--json]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!(o.docs > 0) || !(o.cancels >= 0) || !(o.window > 0)) throw new Error('--docs, --cancels, --window need positive numbers');
  return o;
}

const rssKb = (pid) => {
  try {
    return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
};
const q = (xs, p) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length ? a[Math.min(a.length - 1, Math.ceil(p * a.length) - 1)] : NaN;
};

async function main() {
  const o = parseArgs(process.argv.slice(2));
  // Fixtures: a few sizes and seeds, byte-identical across runs.
  const dir = mkdtempSync(join(tmpdir(), 'dse-soak-'));
  const texts = [];
  for (const [stages, seed] of [[1, 1], [3, 2], [5, 3], [10, 4], [20, 5], [40, 6], [2, 7], [8, 8]]) {
    const out = join(dir, `s${stages}-${seed}.Dockerfile`);
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/bench/gen.mjs'), '--stages', String(stages), '--seed', String(seed), '--out', out]);
    if (r.status !== 0) throw new Error(`gen.mjs failed: ${r.stderr}`);
  }
  for (const f of readdirSync(dir).sort()) texts.push(readFileSync(join(dir, f), 'utf8'));
  rmSync(dir, { recursive: true, force: true });

  const [cmd, ...args] = o.server.split(' ').filter(Boolean);
  const proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  let exited = null;
  proc.on('exit', (code, signal) => (exited = { code, signal }));
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => null));
  conn.onRequest(() => null);
  conn.onNotification(() => undefined);
  conn.listen();
  const t0 = performance.now();
  await conn.sendRequest('initialize', {
    processId: process.pid, rootUri: null,
    capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
  });
  conn.sendNotification('initialized', {});

  const hovers = [];
  const cancelled = { requestCancelled: 0, answered: 0, other: 0 };
  const errors = [];
  const memory = [];
  const marks = [1000, 5000, 10000].map((m) => Math.round((m * o.docs) / 10000));
  const cancelEvery = o.cancels > 0 ? Math.max(1, Math.floor(o.docs / o.cancels)) : Infinity;
  const cancelKinds = [
    (uri) => ['textDocument/references', { textDocument: { uri }, position: { line: 0, character: 6 }, context: { includeDeclaration: true } }],
    (uri) => ['textDocument/documentSymbol', { textDocument: { uri } }],
    (uri) => ['textDocument/semanticTokens/full', { textDocument: { uri } }],
  ];
  const pendingCancels = [];
  let sentCancels = 0;
  const open = [];

  const closeOne = () => {
    const uri = open.shift();
    conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  };

  for (let i = 0; i < o.docs; i++) {
    if (exited) break;
    const text = texts[i % texts.length];
    const uri = `file:///soak/d${i}/Dockerfile`;
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
    open.push(uri);
    // Two typing edits on line 0 (a comment in front, then removed).
    conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# soak\n' }] });
    conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: '' }] });
    if (i % cancelEvery === 0 && sentCancels < o.cancels) {
      const [method, params] = cancelKinds[sentCancels % cancelKinds.length](uri);
      const cts = new CancellationTokenSource();
      pendingCancels.push(conn.sendRequest(method, params, cts.token).then(
        () => void cancelled.answered++,
        (e) => void (e?.code === -32800 ? cancelled.requestCancelled++ : (cancelled.other++, errors.push(`${method}: ${e?.message}`))),
      ));
      cts.cancel();
      sentCancels++;
    }
    const h0 = performance.now();
    try {
      await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
      hovers.push(performance.now() - h0);
      await conn.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 60, character: 0 } } });
    } catch (e) {
      errors.push(`doc ${i}: ${e?.message ?? e}`);
    }
    if (open.length >= o.window) closeOne();
    const n = i + 1;
    if (marks.includes(n)) {
      // Let the server settle (pending debounced checks) before reading its memory.
      await new Promise((r) => setTimeout(r, 200));
      await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
      memory.push({ documents: n, rssMb: +(rssKb(proc.pid) / 1024).toFixed(1), elapsedS: +((performance.now() - t0) / 1000).toFixed(1) });
      if (!o.json) console.error(`soak: ${n} documents, RSS ${memory.at(-1).rssMb} MB, ${memory.at(-1).elapsedS} s`);
    }
  }
  while (open.length) closeOne();
  await Promise.all(pendingCancels);
  const alive = !exited;
  if (alive) {
    await conn.sendRequest('shutdown');
    conn.sendNotification('exit');
    await new Promise((r) => (exited ? r() : proc.once('exit', r)));
  }
  const report = {
    server: o.server, documents: o.docs, cancellationsSent: sentCancels, cancelled,
    memory,
    hover: { count: hovers.length, medianMs: +q(hovers, 0.5).toFixed(2), p99Ms: +q(hovers, 0.99).toFixed(2), maxMs: +Math.max(...hovers).toFixed(2) },
    errors: errors.slice(0, 20), errorCount: errors.length, serverAlive: alive, stderrTail: stderr.slice(-1000),
  };
  const lastRss = memory.at(-1)?.rssMb ?? NaN;
  const failed = !alive || errors.length > 0 || (o.maxRssMb > 0 && lastRss > o.maxRssMb);
  if (o.json) console.log(JSON.stringify(report, null, 1));
  else {
    console.log(`\n## Soak: ${o.docs} documents, ${sentCancels} cancellations (${o.server})\n`);
    console.log('| documents | RSS (MB) | elapsed (s) |\n|---:|---:|---:|');
    for (const m of memory) console.log(`| ${m.documents} | ${m.rssMb} | ${m.elapsedS} |`);
    console.log(`\nhover: ${report.hover.count} requests, median ${report.hover.medianMs} ms, p99 ${report.hover.p99Ms} ms, max ${report.hover.maxMs} ms`);
    console.log(`cancelled requests: ${cancelled.requestCancelled} answered RequestCancelled, ${cancelled.answered} answered anyway, ${cancelled.other} other errors`);
    console.log(`errors: ${errors.length}${errors.length ? ` (first: ${errors[0]})` : ''}; server ${alive ? 'alive' : `died (${JSON.stringify(exited)})`}`);
    console.log(failed ? 'SOAK FAILED' : 'SOAK OK');
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exit(1);
});
