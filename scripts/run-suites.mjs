#!/usr/bin/env node
// Runs the test suites one after another and prints one closing line
// "N passed, N failed" summing all of them (CI reads that line).
//   node scripts/run-suites.mjs [suite ...]     suites: lint unit golden lsp grammar engine editors e2e ui (default: all that exist)
// node:test suites run with the TAP reporter; their "# pass / # fail" counts are summed.
// The e2e runner prints its own "N passed, N failed" line, which is read.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const list = (dir, re) => (existsSync(path.join(root, dir)) ? readdirSync(path.join(root, dir)).filter((f) => re.test(f)).sort().map((f) => path.join(dir, f)) : []);

const SUITES = {
  lint: () => ({ command: [process.execPath, 'scripts/lint.mjs'] }),
  unit: () => ({ files: list('out/test/unit', /\.test\.js$/) }),
  golden: () => ({ files: list('out/test/golden', /\.test\.js$/) }),
  lsp: () => ({ files: list('out/test/lsp', /\.test\.js$/) }),
  grammar: () => ({ files: list('test/grammar', /\.test\.mjs$/) }),
  engine: () => ({ files: list('test/engine', /\.test\.mjs$/) }),
  editors: () => ({ files: list('test/editors', /\.test\.mjs$/) }),
  e2e: () => (existsSync(path.join(root, 'test/e2e/run.mjs')) ? { command: [process.execPath, 'test/e2e/run.mjs'] } : { files: [] }),
  ui: () => (existsSync(path.join(root, 'test/ui/run.mjs')) ? { command: [process.execPath, 'test/ui/run.mjs'] } : { files: [] }),
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SUITES);
let passed = 0;
let failed = 0;
const rows = [];

function run(argv) {
  return new Promise((resolve) => {
    const p = spawn(argv[0], argv.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    p.stderr.on('data', (d) => process.stderr.write(d));
    p.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

for (const name of wanted) {
  const def = SUITES[name];
  if (!def) { console.error(`unknown suite ${name}`); process.exit(2); }
  const s = def();
  const t0 = Date.now();
  let p = 0;
  let f = 0;
  if (s.command) {
    console.log(`\n=== suite ${name}: ${s.command.join(' ')}`);
    const r = await run(s.command);
    const m = [...r.out.matchAll(/^(?:\w+: )?(\d+) passed, (\d+) failed/gm)].pop();
    p = m ? Number(m[1]) : 0;
    f = m ? Number(m[2]) : 0;
    if (r.code !== 0 && f === 0) f = 1; // a runner that died still fails
  } else {
    if (s.files.length === 0) { rows.push([name, 'no tests', 0]); continue; }
    console.log(`\n=== suite ${name}: ${s.files.length} file(s)`);
    const r = await run([process.execPath, '--test', '--test-reporter=tap', ...s.files]);
    p = Number(/^# pass (\d+)/m.exec(r.out)?.[1] ?? 0);
    f = Number(/^# fail (\d+)/m.exec(r.out)?.[1] ?? 0) + Number(/^# cancelled (\d+)/m.exec(r.out)?.[1] ?? 0);
    if (r.code !== 0 && f === 0) f = 1;
  }
  passed += p;
  failed += f;
  rows.push([name, `${p} passed, ${f} failed`, Math.round((Date.now() - t0) / 1000)]);
}

console.log('\n=== summary');
for (const [n, r, s] of rows) console.log(`${n.padEnd(8)} ${r}${s ? ` (${s} s)` : ''}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
