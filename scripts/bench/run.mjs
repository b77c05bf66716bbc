#!/usr/bin/env node
// run.mjs — `npm run bench`: our language server side by side with the anchor,
// dockerfile-language-server-nodejs@0.15.0, on generated multi-stage Dockerfiles of 1..1000 stages.
//
//   npm run bench                                        # full ladder: 1,10,100,1000 stages, 3 runs each
//   npm run bench -- --sizes 1,10 --repeat 1             # quick check
//   BENCH_OURS="node /some/other/server.js --stdio" npm run bench -- --sizes 1,10,100 --repeat 1
//
// What it does (details and how to read the output: README.md next to this file):
//   1. installs the anchor into a cache dir outside the repo, once
//      (${XDG_CACHE_HOME:-~/.cache}/dockerfile-stages/bench-anchor, or $BENCH_ANCHOR_DIR);
//   2. builds our server's production bundle and warms its code cache; $BENCH_OURS replaces our command;
//   3. generates the fixtures (gen.mjs --seed 1) and runs lspbench.mjs on them: cold starts with the
//      `node -e 0` floor, then per size the stage requests + didChange, then semanticTokens/full
//      (never from the anchor above 100 stages: it is quadratic there, 206 s for one request at 1000);
//      servers are interleaved run by run, every request has a timeout, every lspbench has a wall limit;
//   4. prints a markdown table of medians ("anchor / ours" per cell) and the budget lines for our
//      server at 1000 stages (reported, not asserted), and writes JSON + markdown to
//      bench-results/<timestamp>/ at the repo root.
// Exit code: 0 when the benchmark ran, whatever the numbers and budgets say (a server that crashes,
// errors or times out is reported, not fatal); 1 when the harness itself failed (anchor install, build,
// fixture generation, an lspbench crash or wall-limit kill); 2 on bad arguments.
//
// lspbench.mjs and gen.mjs are copies of the shared harness (see their headers); this file replaces
// the shared suite.mjs with a leaner, project-specific ladder.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const ANCHOR_PKG = 'dockerfile-language-server-nodejs';
const ANCHOR_VERSION = '0.15.0';

// Stage requests every size runs (documentSymbol rides along: cheap, and lspbench times didChange→documentSymbol anyway).
const STAGE_REQUESTS = ['inlayHint', 'definition', 'references', 'hover'];
const MAIN_REQUESTS = [...STAGE_REQUESTS, 'symbols'];
// iterations per size (each iteration visits all 8 positions); same ladder as the shared suite.mjs
const ITERATIONS = { 1: 30, 10: 30, 30: 20, 100: 15, 300: 6, 1000: 3 };
const CHANGES = { 1: 30, 10: 30, 30: 20, 100: 15, 300: 8, 1000: 5 };
const SEMTOKEN_ITERATIONS = { 1: 20, 10: 20, 30: 10, 100: 5, 300: 3, 1000: 5 };
const ANCHOR_SEMTOKENS_MAX_STAGES = 100; // anchor semanticTokens/full is O(tokens²): 2.1 s @100, 19 s @300, 206 s @1000
const MAX_TIMEOUTS = 3; // per request type and run; then lspbench stops sending that type (a hung server still ends)
const BUDGET_STAGES = 1000; // the budgets are defined at this size; --budget-stages only for experiments
const BUDGETS = {
  stageRequestMs: 10, // inlayHint, definition, references, hover: median
  changeToDiagMs: 100, // didChange → publishDiagnostics: median
  semanticTokensMs: 100, // semanticTokens/full: median
  coldStartFactor: 1.3, // spawn→initialize median ≤ 1.3 × `node -e 0` spawn→exit median
  cancelBurstMs: 100, // the hover after a burst of 60 cancelled requests (cancelburst.mjs): median
};
const CANCEL_BURST_ROUNDS = 5;

function usage() {
  return `usage: npm run bench -- [options]      (or: node scripts/bench/run.mjs [options])
  --sizes LIST          stage counts (default 1,10,100,1000)
  --repeat R            fresh-process runs per server and size; cells are medians across runs (default 3)
  --cold-starts K       spawn→initialize samples per server, plus K 'node -e 0' floor samples (default 20; 0 = skip)
  --servers LIST        which servers to run: anchor,ours (default both)
  --seed S              gen.mjs seed (default 1; keep 1 to stay comparable)
  --iterations SPEC     per-size iterations, e.g. "1:30,10:30,100:15,1000:3"
  --changes SPEC        per-size timed didChange edits, e.g. "1000:5"
  --semtokens-iterations SPEC   per-size semanticTokens/full iterations, e.g. "1000:5"
  --timeout-ms MS       per-request / per-diagnostics timeout (default 15000)
  --max-minutes M       wall-clock limit per lspbench invocation, then it is killed (default 30)
  --budget-stages N     evaluate the budgets at N stages instead of ${BUDGET_STAGES} (experiments only)
  --out-dir DIR         where to write results (default bench-results/<timestamp>)
  --verbose             show lspbench progress and server stderr
  --skip-workspace      skip the workspace case (workspace.mjs: 2,000 files, index / references / rename)
env:
  BENCH_OURS            command that starts our server instead of "node dist/server.js --stdio" (no build then)
  BENCH_ANCHOR_DIR      anchor install dir (default \${XDG_CACHE_HOME:-~/.cache}/dockerfile-stages/bench-anchor)`;
}

function parseArgs(argv) {
  const o = { sizes: '1,10,100,1000', repeat: 3, coldStarts: 20, servers: 'anchor,ours', seed: '1', iterations: '', changes: '',
    semIterations: '', timeoutMs: 15000, maxMinutes: 30, outDir: null, verbose: false, budgetStages: BUDGET_STAGES };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`); return argv[++i]; };
    switch (a) {
      case '--sizes': o.sizes = next(); break;
      case '--repeat': o.repeat = posInt(next(), a); break;
      case '--cold-starts': o.coldStarts = posInt(next(), a, 0); break;
      case '--servers': o.servers = next(); break;
      case '--seed': o.seed = next(); break;
      case '--iterations': o.iterations = next(); break;
      case '--changes': o.changes = next(); break;
      case '--semtokens-iterations': o.semIterations = next(); break;
      case '--timeout-ms': o.timeoutMs = posInt(next(), a); break;
      case '--max-minutes': o.maxMinutes = Number(next()); if (!(o.maxMinutes > 0)) throw new Error('--max-minutes must be > 0'); break;
      case '--out-dir': o.outDir = next(); break;
      case '--budget-stages': o.budgetStages = posInt(next(), a); break;
      case '--verbose': case '-v': o.verbose = true; break;
      case '--skip-workspace': break; // read in main()
      case '--help': case '-h': console.log(usage()); process.exit(0);
      default: throw new Error(`unknown argument ${a}\n${usage()}`);
    }
  }
  o.sizes = o.sizes.split(',').map((s) => posInt(s.trim(), '--sizes'));
  o.servers = o.servers.split(',').map((s) => s.trim()).filter(Boolean);
  if (!o.servers.length || o.servers.some((s) => s !== 'anchor' && s !== 'ours')) throw new Error(`--servers takes anchor and/or ours, got '${o.servers}'`);
  o.servers = ['anchor', 'ours'].filter((s) => o.servers.includes(s)); // fixed order: cells always read "anchor / ours"
  o.iterTable = sizeTable(o.iterations, ITERATIONS, '--iterations');
  o.changeTable = sizeTable(o.changes, CHANGES, '--changes', 0);
  o.semTable = sizeTable(o.semIterations, SEMTOKEN_ITERATIONS, '--semtokens-iterations');
  return o;
}
function posInt(v, name, min = 1) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} needs integers >= ${min}, got '${v}'`);
  return n;
}
function sizeTable(spec, defaults, name, min = 1) {
  const t = { ...defaults };
  for (const kv of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [k, v] = kv.split(':');
    t[posInt(k, name)] = posInt(v, name, min);
  }
  return t;
}
const nearest = (table, n) => table[Object.keys(table).map(Number).sort((a, b) => Math.abs(a - n) - Math.abs(b - n) || a - b)[0]];

const log = (m) => console.error(`[bench] ${m}`);
class HarnessError extends Error {}

// ---------------------------------------------------------------- 1. anchor
function anchorDir() {
  if (process.env.BENCH_ANCHOR_DIR) return resolve(process.env.BENCH_ANCHOR_DIR);
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'dockerfile-stages', 'bench-anchor');
}
function installedVersion(dir) {
  try { return JSON.parse(readFileSync(join(dir, 'node_modules', ANCHOR_PKG, 'package.json'), 'utf8')).version; } catch { return null; }
}
function npmCommand() {
  // the npm that runs us (npm run bench) if known, else npm from PATH
  const cli = process.env.npm_execpath;
  if (cli && /\.(c|m)?js$/.test(cli) && existsSync(cli)) return { cmd: process.execPath, pre: [cli], shell: false };
  return { cmd: process.platform === 'win32' ? 'npm.cmd' : 'npm', pre: [], shell: process.platform === 'win32' };
}
function ensureAnchor() {
  const dir = anchorDir();
  const serverJs = join(dir, 'node_modules', ANCHOR_PKG, 'lib', 'server.js');
  if (installedVersion(dir) === ANCHOR_VERSION && existsSync(serverJs)) { log(`anchor: ${ANCHOR_PKG}@${ANCHOR_VERSION} in ${dir}`); return serverJs; }
  log(`anchor: installing ${ANCHOR_PKG}@${ANCHOR_VERSION} into ${dir} (once)`);
  mkdirSync(dir, { recursive: true });
  // a private package.json so npm installs here and never walks up into some other project
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name: 'dockerfile-stages-bench-anchor', version: '0.0.0', private: true,
    description: 'Anchor server for `npm run bench` in dockerfile-stages (scripts/bench/run.mjs). Safe to delete.',
  }, null, 2) + '\n');
  // `npm run bench` exports npm_config_* of the calling project; do not let its prefix leak into this install
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_config_(local_)?prefix$/i.test(k)) delete env[k];
  const npm = npmCommand();
  const r = spawnSync(npm.cmd, [...npm.pre, 'install', '--no-audit', '--no-fund', '--prefix', dir, `${ANCHOR_PKG}@${ANCHOR_VERSION}`],
    { cwd: dir, env, stdio: ['ignore', 'inherit', 'inherit'], shell: npm.shell });
  if (r.status !== 0 || installedVersion(dir) !== ANCHOR_VERSION || !existsSync(serverJs)) {
    throw new HarnessError(`anchor install failed in ${dir} (npm exit ${r.status}${r.error ? ', ' + r.error.message : ''}); delete the directory and retry`);
  }
  return serverJs;
}

// ---------------------------------------------------------------- 2. our server
function ensureOurs() {
  if (process.env.BENCH_OURS) { log(`ours: $BENCH_OURS = ${process.env.BENCH_OURS} (no build)`); return process.env.BENCH_OURS; }
  const serverJs = join(ROOT, 'dist', 'server.js');
  // Measure what ships: the production bundle (minified, as in the .vsix).
  log('ours: building the production bundle (node scripts/esbuild.mjs --production)');
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'esbuild.mjs'), '--production'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0 || !existsSync(serverJs)) throw new HarnessError(`the production build failed (exit ${r.status}) or did not produce dist/server.js`);
  // Warm the V8 code caches kept beside the two server bundles (each written when a first server
  // exits), as any second start would find them: one first session, initialize, initialized,
  // a pause (the server loads its engine bundle and warms up), shutdown, exit.
  for (const f of ['server-main.js.cache', 'server-engine.js.cache']) { try { rmSync(join(ROOT, 'dist', f)); } catch { /* none yet */ } }
  const warm = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bench', 'first-session.mjs'), serverJs], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], timeout: 20_000 });
  if (warm.status !== 0) throw new HarnessError(`the first session that writes the code caches failed (exit ${warm.status})`);
  return `${quote(process.execPath)} ${quote(serverJs)} --stdio`;
}
// which build was measured: size, mtime and hash of dist/server.js, taken before and after the run
function buildStamp(file) {
  try { const b = readFileSync(file); return { file: relative(ROOT, file), bytes: b.length, mtime: statSync(file).mtime.toISOString(), sha256: createHash('sha256').update(b).digest('hex') }; } catch { return null; }
}
const quote = (s) => (/[\s'"\\$`]/.test(s) ? `'${s.replace(/'/g, `'\\''`)}'` : s);

// ---------------------------------------------------------------- 3. lspbench invocations
let current = null; // running lspbench child, killed with its whole process group on Ctrl-C / wall limit
function lspbench(args, o, what) {
  return new Promise((res) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [join(HERE, 'lspbench.mjs'), ...args, ...(o.verbose ? ['--verbose'] : [])],
      { cwd: ROOT, stdio: ['ignore', 'pipe', o.verbose ? 'inherit' : 'pipe'], detached: process.platform !== 'win32' });
    current = child;
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr?.on('data', (d) => { stderr = (stderr + d).slice(-8000); });
    let killed = false;
    const wall = setTimeout(() => { killed = true; killTree(child); }, o.maxMinutes * 60_000);
    child.on('error', (e) => { stderr += `\n${e.message}`; });
    child.on('close', (code, signal) => {
      clearTimeout(wall); current = null;
      res({ what, code, signal, killed, stdout, stderr, seconds: (Date.now() - t0) / 1000 });
    });
  });
}
function killTree(child) {
  try { if (process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL'); else child.kill('SIGKILL'); } catch { /* gone */ }
}
process.on('SIGINT', () => { if (current) killTree(current); console.error('\n[bench] interrupted'); process.exit(130); });

function readJson(file) { try { return JSON.parse(readFileSync(file, 'utf8')); } catch { return null; } }

// ---------------------------------------------------------------- 4. report
function fmt(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (typeof x !== 'number') return String(x);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
}
const runFailed = (s) => !s || !s.okRuns;
function reqCell(s, name) {
  const r = s?.requests?.[name];
  if (runFailed(s)) return 'failed';
  if (!r || r.status === 'n/a') return '—';
  if (r.status === 'unsupported') return 'unsup.';
  let c = fmt(r.medianMs);
  if (r.timeouts) c += ` (${r.timeouts} t/o)`;
  if (r.errors) c += ` (${r.errors} err)`;
  return c;
}
function answerCell(s, name) {
  const r = s?.requests?.[name];
  if (runFailed(s)) return 'failed';
  if (!r || r.status === 'n/a') return '—';
  if (r.status === 'unsupported') return 'unsup.';
  const nonEmpty = (r.positions ?? 0) - (r.emptyResults ?? 0);
  let c = r.positions ? `${nonEmpty} of ${r.positions}` : '—';
  if (r.timeouts) c += ` (${r.timeouts} t/o)`;
  if (r.errors) c += ` (${r.errors} err)`;
  return c;
}

function budgetLines(o, sizes, cold) {
  const lines = [];
  const ours = (obj) => obj?.summary?.find((s) => s.server === 'ours');
  const add = (ok, text) => lines.push({ status: ok === null ? 'N/A' : ok ? 'PASS' : 'FAIL', text });
  if (!o.servers.includes('ours')) { add(null, 'budgets apply to our server, which was not run (--servers)'); return lines; }
  // cold start: size-independent
  const c = cold?.coldStarts?.find((x) => x.server === 'ours');
  const fl = cold?.coldStarts?.find((x) => x.floor);
  if (!o.coldStarts) add(null, 'cold start: not measured (--cold-starts 0)');
  else if (!c || c.median === null || !fl || fl.median === null) add(false, `cold start: no samples${c?.errors?.length ? ` (${c.errors[0]})` : ''}`);
  else {
    const limit = BUDGETS.coldStartFactor * fl.median;
    add(c.median <= limit, `cold start spawn→initialize ${fmt(c.median)} ms ${c.median <= limit ? '≤' : '>'} ${BUDGETS.coldStartFactor} × node -e 0 (${fmt(fl.median)} ms) = ${fmt(limit)} ms  [ratio ${(c.median / fl.median).toFixed(2)}, n=${c.n}]`);
  }
  const at = sizes.find((x) => x.stages === o.budgetStages);
  const where = `@${o.budgetStages} stages`;
  const reqBudget = (label, s, r, limit) => {
    if (!at) return add(null, `${label} ${where}: not measured (${o.budgetStages} not in --sizes)`);
    if (!r || !s?.okRuns) return add(false, `${label} ${where}: run failed${s?.errors?.[0] ? `: ${s.errors[0].slice(0, 200)}` : ''}`);
    if (r.status === 'unsupported') return add(false, `${label} ${where}: unsupported by our server`);
    if (r.medianMs === null || r.medianMs === undefined) return add(false, `${label} ${where}: no successful samples${r.errorSample ? ` (${r.errorSample})` : ''}`);
    const extra = [r.timeouts ? `${r.timeouts} timeouts` : '', r.errors ? `${r.errors} errors` : ''].filter(Boolean).join(', ');
    add(r.medianMs <= limit && !r.timeouts && !r.errors, `${label} ${where}: median ${fmt(r.medianMs)} ms ${r.medianMs <= limit ? '≤' : '>'} ${limit} ms${extra ? ` (${extra})` : ''}`);
  };
  const m = ours(at?.main); const st = ours(at?.sem);
  for (const name of STAGE_REQUESTS) reqBudget(name, m, m?.requests?.[name], BUDGETS.stageRequestMs);
  if (!at) add(null, `didChange→publishDiagnostics ${where}: not measured (${o.budgetStages} not in --sizes)`);
  else if (!m?.okRuns) add(false, `didChange→publishDiagnostics ${where}: run failed${m?.errors?.[0] ? `: ${m.errors[0].slice(0, 200)}` : ''}`);
  else if (m.changeToDiagMedianMs === null) add(false, `didChange→publishDiagnostics ${where}: no samples (no publishDiagnostics after didChange?)`);
  else add(m.changeToDiagMedianMs <= BUDGETS.changeToDiagMs, `didChange→publishDiagnostics ${where}: median ${fmt(m.changeToDiagMedianMs)} ms ${m.changeToDiagMedianMs <= BUDGETS.changeToDiagMs ? '≤' : '>'} ${BUDGETS.changeToDiagMs} ms`);
  reqBudget('semanticTokens/full', st, st?.requests?.semanticTokens, BUDGETS.semanticTokensMs);
  const cb = at?.burst?.find((r) => r.server === 'ours');
  if (!at) add(null, `cancel burst → next hover ${where}: not measured (${o.budgetStages} not in --sizes)`);
  else if (!cb || cb.medianMs === null) add(false, `cancel burst → next hover ${where}: no samples${cb?.error ? ` (${cb.error.slice(0, 200)})` : ''}`);
  else add(cb.medianMs <= BUDGETS.cancelBurstMs, `cancel burst → next hover ${where}: median ${fmt(cb.medianMs)} ms ${cb.medianMs <= BUDGETS.cancelBurstMs ? '≤' : '>'} ${BUDGETS.cancelBurstMs} ms (${cb.cancelled} of ${cb.cancelled + cb.answered + cb.otherErrors} cancelled requests answered RequestCancelled)`);
  return lines;
}

function render(o, ctx) {
  const { started, machine, servers, cold, sizes, failures, outDir } = ctx;
  const names = o.servers;
  const both = names.length > 1;
  const who = names.join(' / ');
  const get = (obj, name) => obj?.summary?.find((s) => s.server === name);
  const md = [];
  md.push(`# Dockerfile Stages — server benchmark, ${started}`);
  md.push('');
  md.push(`machine: ${machine.cpu}, nproc ${machine.nproc}, ${machine.memTotalMB} MB RAM, node ${machine.node}, ${machine.platform}; load average at start ${machine.loadavg.join(' ')}`);
  md.push(`fixtures: gen.mjs --seed ${o.seed} (${sizes.map((s) => `${s.stages} st. = ${s.lines} lines`).join(', ')}); ${o.repeat} fresh-process run(s) per server and size, servers interleaved; per-request timeout ${o.timeoutMs} ms`);
  md.push('');
  for (const n of names) md.push(`- **${n}**: \`${servers[n]}\`${n === 'ours' && ctx.build ? ` (${ctx.build.file} ${ctx.build.sha256.slice(0, 12)}, built ${ctx.build.mtime})` : ''}`);
  md.push('');
  if (cold?.coldStarts?.length) {
    const fl = cold.coldStarts.find((c) => c.floor);
    md.push(`## Cold start (spawn → initialize result; ${o.coldStarts} samples each, round-robin)`);
    md.push('');
    md.push('| process | median ms | p95 ms | min ms | median / floor |');
    md.push('|---|---:|---:|---:|---:|');
    for (const c of cold.coldStarts) {
      md.push(`| ${c.floor ? '`node -e 0` spawn→exit (floor)' : c.server} | ${fmt(c.median)} | ${fmt(c.p95)} | ${fmt(c.min)} | ${c.floor ? '1.00' : fl?.median && c.median ? (c.median / fl.median).toFixed(2) : '—'}${c.errors?.length ? ` (${c.errors.length} errors)` : ''} |`);
    }
    md.push('');
  }
  md.push(`## Medians in ms${both ? ` — each cell: ${who}` : ` — ${who}`}`);
  md.push('');
  md.push(`| metric | ${sizes.map((s) => `${s.stages} st. (${s.lines} lines)`).join(' | ')} |`);
  md.push(`|---|${sizes.map(() => '---:').join('|')}|`);
  const cells = (fn) => sizes.map((sz) => names.map((n) => fn(sz, n)).join(' / ')).join(' | ');
  const row = (label, fn) => md.push(`| ${label} | ${cells(fn)} |`);
  const mainNum = (key) => (sz, n) => { const s = get(sz.main, n); return runFailed(s) ? 'failed' : fmt(s[key]); };
  row('spawn→initialize', mainNum('spawnToInitMs'));
  row('didOpen→first diagnostics', mainNum('openToDiagMs'));
  row('**didChange→publishDiagnostics**', mainNum('changeToDiagMedianMs'));
  row('didChange→publishDiagnostics p95', mainNum('changeToDiagP95Ms'));
  row('didChange→documentSymbol', mainNum('changeToSymbolsMedianMs'));
  for (const r of STAGE_REQUESTS) row(`**${r}**`, (sz, n) => reqCell(get(sz.main, n), r));
  row('documentSymbol', (sz, n) => reqCell(get(sz.main, n), 'symbols'));
  row('**semanticTokens/full**', (sz, n) => (sz.semSkipped.includes(n) ? 'skipped (quadratic: see BASELINE)¹' : reqCell(get(sz.sem, n), 'semanticTokens')));
  row('**cancel burst → next hover**²', (sz, n) => { const r = sz.burst?.find((x) => x.server === n); return !r ? '—' : r.error && r.medianMs === null ? 'failed' : fmt(r.medianMs); });
  row('cancel burst: answered RequestCancelled', (sz, n) => { const r = sz.burst?.find((x) => x.server === n); return !r ? '—' : `${r.cancelled} of ${r.cancelled + r.answered + r.otherErrors}`; });
  row('peak RSS MB', mainNum('peakRssMB'));
  row('diagnostics on open (count)', (sz, n) => { const s = get(sz.main, n); return runFailed(s) ? 'failed' : String(s.diagnostics ?? '—'); });
  md.push('');
  if (sizes.some((s) => s.semSkipped.length)) {
    md.push(`¹ skipped (quadratic: see BASELINE in scripts/bench/README.md): the anchor's semanticTokens/full is O(tokens²) — 2.1 s at 100 stages, 19 s at 300, 206 s for one request at 1000 — so it is not requested from the anchor above ${ANCHOR_SEMTOKENS_MAX_STAGES} stages.`);
    md.push('');
  }
  md.push(`² cancel burst (cancelburst.mjs): ${CANCEL_BURST_ROUNDS} rounds per server, each 60 requests (references, documentSymbol, semanticTokens/full in turn; only those the server supports, and no semanticTokens from the anchor above ${ANCHOR_SEMTOKENS_MAX_STAGES} stages) cancelled right after sending, then a hover on the middle stage name timed until its answer.`);
  md.push('');
  md.push('Bold rows have budgets. "unsup." = the server does not advertise the request. "(k t/o)", "(k err)" = timed-out / failed requests, left out of the median.');
  md.push('');
  md.push(`## Non-empty answers (positions with a non-empty result / positions asked)${both ? ` — ${who}` : ''}`);
  md.push('');
  md.push(`| request | ${sizes.map((s) => `${s.stages} st.`).join(' | ')} |`);
  md.push(`|---|${sizes.map(() => '---:').join('|')}|`);
  for (const r of STAGE_REQUESTS) row(r, (sz, n) => answerCell(get(sz.main, n), r));
  row('documentSymbol', (sz, n) => answerCell(get(sz.main, n), 'symbols'));
  row('semanticTokens/full', (sz, n) => (sz.semSkipped.includes(n) ? 'skipped' : answerCell(get(sz.sem, n), 'semanticTokens')));
  md.push('');
  const posSz = [...sizes].reverse().find((s) => s.positions?.length);
  if (posSz) md.push(`Positions (${posSz.stages} stages): ${posSz.positions.map((p) => `${p.label} \`${p.token}\` ${p.pos.line + 1}:${p.pos.character + 1}`).join(', ')}. inlayHint asks for a 61-line viewport around each position.`);
  md.push('');
  md.push(`## Budgets (our server at ${o.budgetStages} stages${o.budgetStages !== BUDGET_STAGES ? `, NOT the official ${BUDGET_STAGES}` : ''}; reported, not enforced)`);
  md.push('');
  for (const b of ctx.budgets) md.push(`- ${b.status === 'PASS' ? 'PASS' : b.status === 'FAIL' ? '**FAIL**' : 'N/A'} — ${b.text}`);
  md.push('');
  if (failures.length) {
    md.push('## Problems');
    md.push('');
    for (const f of failures) md.push(`- ${f}`);
    md.push('');
  }
  md.push(`Raw data: \`${relative(ROOT, outDir) || '.'}/\` — summary.json, plus lspbench's own JSON per invocation (${o.coldStarts ? 'coldstart.json, ' : ''}stages-N.json, semtokens-N.json) and the fixtures.`);
  return md.join('\n') + '\n';
}

// collect run failures, request errors/timeouts and stderr tails so odd answers are visible in the report
function problems(label, res, inv) {
  const out = [];
  if (!inv) return out;
  if (inv.killed) out.push(`${label}: lspbench killed after the ${inv.wallMinutes}-minute wall limit`);
  else if (inv.code !== 0 && inv.code !== 1) out.push(`${label}: lspbench exited with ${inv.code ?? inv.signal}: ${inv.stderr.trim().split('\n').slice(-3).join(' ⏎ ')}`);
  if (!res) { if (!inv.killed && (inv.code === 0 || inv.code === 1)) out.push(`${label}: no JSON written`); return out; }
  for (const r of res.runs || []) {
    if (!r.ok) out.push(`${label}: ${r.server} run ${r.repeatIndex + 1} failed: ${r.error}${r.stderrTail ? ` — stderr: ${r.stderrTail.trim().split('\n').slice(-3).join(' ⏎ ')}` : ''}`);
    if (r.openToDiagError) out.push(`${label}: ${r.server} run ${r.repeatIndex + 1}: no diagnostics after didOpen (${r.openToDiagError})`);
    if (r.change?.diagTimeouts) out.push(`${label}: ${r.server} run ${r.repeatIndex + 1}: ${r.change.diagTimeouts} didChange without publishDiagnostics${r.change.gaveUp ? ` (${r.change.gaveUp})` : ''}`);
  }
  for (const s of res.summary || []) {
    for (const [k, r] of Object.entries(s.requests || {})) {
      if (r.errors || r.timeouts) out.push(`${label}: ${s.server} ${k}: ${r.errors} errors, ${r.timeouts} timeouts (${r.errorSample})${r.gaveUpRuns ? `; stopped asking after ${MAX_TIMEOUTS} timeouts in ${r.gaveUpRuns} run(s)` : ''}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------- main
async function main() {
  let o;
  try { o = parseArgs(process.argv.slice(2)); } catch (e) { console.error(e.message); process.exit(2); }
  let machineInfo;
  try { ({ machineInfo } = await import('./lspbench.mjs')); } catch (e) {
    console.error(`[bench] cannot load lspbench.mjs (${e.message}). Run \`npm install\` in the repo first (it needs vscode-jsonrpc).`);
    process.exit(1);
  }
  const started = new Date();
  const stamp = started.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  let outDir = resolve(o.outDir || join(ROOT, 'bench-results', stamp));
  for (let i = 2; !o.outDir && existsSync(outDir); i++) outDir = join(ROOT, 'bench-results', `${stamp}-${i}`);
  mkdirSync(outDir, { recursive: true });
  const machine = machineInfo();

  const servers = {};
  try {
    if (o.servers.includes('anchor')) servers.anchor = `${quote(process.execPath)} ${quote(ensureAnchor())} --stdio`;
    if (o.servers.includes('ours')) servers.ours = ensureOurs();
  } catch (e) { console.error(`[bench] ${e.message}`); process.exit(1); }
  const build = servers.ours && !process.env.BENCH_OURS ? buildStamp(join(ROOT, 'dist', 'server.js')) : null;

  // fixtures: deterministic, written next to the results so a run is self-contained
  const fixtures = join(outDir, 'fixtures');
  const g = spawnSync(process.execPath, [join(HERE, 'gen.mjs'), '--stages', o.sizes.join(','), '--seed', o.seed, '--dir', fixtures],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  if (g.status !== 0) { console.error(`[bench] gen.mjs failed: ${g.stderr}`); process.exit(1); }

  const serverArgs = (names) => names.flatMap((n) => ['--server', servers[n], '--name', n]);
  const common = ['--cwd', ROOT, '--timeout-ms', String(o.timeoutMs), '--max-timeouts', String(MAX_TIMEOUTS)];
  const failures = [];
  let harnessFailed = false;
  const invoke = async (label, args, outFile) => {
    log(`${label} …`);
    const inv = await lspbench([...args, ...common, '--out', outFile], o, label);
    inv.wallMinutes = o.maxMinutes;
    const res = inv.killed ? null : readJson(outFile);
    if (inv.stdout) writeFileSync(outFile.replace(/\.json$/, '.txt'), inv.stdout); // lspbench's per-server text tables (p95, first ms, result sizes)
    if (inv.killed || (inv.code !== 0 && inv.code !== 1) || !res) harnessFailed = true;
    failures.push(...problems(label, res, inv));
    log(`${label}: ${inv.seconds.toFixed(0)} s${inv.killed ? ' (KILLED: wall limit)' : inv.code === 1 ? ' (some runs failed)' : inv.code !== 0 ? ` (lspbench exit ${inv.code ?? inv.signal})` : ''}`);
    return res;
  };

  let cold = null;
  if (o.coldStarts > 0) {
    cold = await invoke(`cold starts (${o.coldStarts} × ${o.servers.join(', ')}, node -e 0)`,
      [...serverArgs(o.servers), '--cold-starts', String(o.coldStarts), '--floor'], join(outDir, 'coldstart.json'));
  }

  const sizes = [];
  for (const n of o.sizes) {
    const file = join(fixtures, `stages-${n}.Dockerfile`);
    const text = readFileSync(file, 'utf8');
    const sz = { stages: n, file, lines: text.split(/\r?\n/).length, bytes: Buffer.byteLength(text), semSkipped: [] };
    const it = nearest(o.iterTable, n);
    sz.main = await invoke(`${n} stages: ${MAIN_REQUESTS.join(', ')}, didChange`, [...serverArgs(o.servers), '--file', file,
      '--requests', MAIN_REQUESTS.join(','), '--repeat', String(o.repeat), '--iterations', String(it), '--warmup', it >= 10 ? '2' : '1',
      '--changes', String(nearest(o.changeTable, n))], join(outDir, `stages-${n}.json`));
    sz.positions = sz.main?.runs?.find((r) => r.positions?.length)?.positions || [];
    const semServers = o.servers.filter((s) => !(s === 'anchor' && n > ANCHOR_SEMTOKENS_MAX_STAGES));
    sz.semSkipped = o.servers.filter((s) => !semServers.includes(s));
    if (semServers.length) {
      sz.sem = await invoke(`${n} stages: semanticTokens/full (${semServers.join(', ')})`, [...serverArgs(semServers), '--file', file,
        '--requests', 'semanticTokens', '--repeat', String(o.repeat), '--iterations', String(nearest(o.semTable, n)), '--warmup', '1',
        '--changes', '0'], join(outDir, `semtokens-${n}.json`));
    }
    // "cancel burst": 60 requests cancelled right after sending, then time the next hover (cancelburst.mjs).
    log(`${n} stages: cancel burst (${o.servers.join(', ')}) …`);
    const burstOut = join(outDir, `cancelburst-${n}.json`);
    const b = spawnSync(process.execPath, [join(HERE, 'cancelburst.mjs'), ...serverArgs(o.servers), '--file', file, '--rounds', String(CANCEL_BURST_ROUNDS),
      '--timeout-ms', String(o.timeoutMs), '--no-semtokens-above', String(ANCHOR_SEMTOKENS_MAX_STAGES), '--no-semtokens-for', 'anchor'],
    { cwd: ROOT, encoding: 'utf8', timeout: o.maxMinutes * 60_000, killSignal: 'SIGKILL' });
    sz.burst = b.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    writeFileSync(burstOut, JSON.stringify(sz.burst, null, 1));
    if (b.status !== 0) failures.push(`${n} stages: cancel burst exited ${b.status ?? b.signal}: ${(b.stderr || '').trim().split('\n').slice(-2).join(' ⏎ ')}`);
    for (const r of sz.burst) if (r.error) failures.push(`${n} stages: cancel burst, ${r.server}: ${r.error}`);
    sizes.push(sz);
  }

  const buildAfter = build && buildStamp(join(ROOT, build.file));
  if (build && buildAfter?.sha256 !== build.sha256) failures.push(`${build.file} changed during the run (rebuilt at ${buildAfter?.mtime ?? '?'}): the numbers mix two builds, run again`);
  const budgets = budgetLines(o, sizes, cold);
  const ctx = { started: started.toISOString(), machine, servers, cold, sizes, failures, outDir, budgets, build };
  let md = render(o, ctx);
  // The workspace case (workspace.mjs): index, cross-file references and rename on 2,000 files; the anchor has none.
  let workspace = null;
  if (o.servers.includes('ours') && !process.env.BENCH_OURS && !process.argv.includes('--skip-workspace')) {
    log('workspace: 2,000 files, index, references, rename …');
    try {
      const { workspaceBench } = await import('./workspace.mjs');
      const w = await workspaceBench();
      workspace = w.res;
      md += '\n' + w.md;
    } catch (e) {
      failures.push(`workspace case failed: ${e.message}`);
    }
  }
  writeFileSync(join(outDir, 'summary.md'), md);
  writeFileSync(join(outDir, 'summary.json'), JSON.stringify({
    tool: 'scripts/bench/run.mjs', started: ctx.started, finished: new Date().toISOString(), machine,
    options: { sizes: o.sizes, repeat: o.repeat, coldStarts: o.coldStarts, servers: o.servers, seed: o.seed, timeoutMs: o.timeoutMs,
      maxMinutes: o.maxMinutes, iterations: o.iterTable, changes: o.changeTable, semtokensIterations: o.semTable },
    anchor: { package: ANCHOR_PKG, version: ANCHOR_VERSION, dir: o.servers.includes('anchor') ? anchorDir() : null },
    serverCommands: servers, oursBuild: build, budgets: { limits: BUDGETS, atStages: o.budgetStages, results: budgets },
    coldStarts: cold?.coldStarts ?? null,
    sizes: sizes.map((s) => ({ stages: s.stages, lines: s.lines, bytes: s.bytes, positions: s.positions, semanticTokensSkippedFor: s.semSkipped,
      main: s.main?.summary ?? null, semanticTokens: s.sem?.summary ?? null, cancelBurst: s.burst ?? null })),
    problems: failures, harnessFailed, workspace,
  }, null, 1));
  process.stdout.write(md);
  log(`wrote ${relative(process.cwd(), outDir) || '.'}/summary.md and summary.json${harnessFailed ? ' — HARNESS FAILURE, see Problems' : ''}`);
  process.exitCode = harnessFailed ? 1 : 0;
}

main().catch((e) => { console.error(e.stack || e); process.exit(1); });
