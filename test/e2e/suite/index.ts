// In-host test runner: VS Code (or code-server) loads this file as --extensionTestsPath and calls
// run() inside the extension host, where `vscode` is the real API. Runs every *.test.js next to it
// with mocha (bdd) in name order, and writes a JSON summary to $E2E_RESULTS_FILE for run.mjs.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export interface E2eSummary {
  passed: number;
  failed: number;
  pending: number;
  durationMs: number;
  tests: { title: string; state: 'passed' | 'failed' | 'pending'; durationMs?: number }[];
  failures: { title: string; error: string }[];
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  if (process.env.E2E_GREP) mocha.grep(new RegExp(process.env.E2E_GREP));
  // E2E_PASS=coexist runs coexist-*.test.js (launched beside a stub Docker extension), E2E_PASS=untrusted runs
  // untrusted-*.test.js (Workspace Trust on, the folder not trusted); otherwise the rest.
  const pass = process.env.E2E_PASS;
  const prefix = pass === 'coexist' || pass === 'untrusted' ? `${pass}-` : undefined;
  const mine = (n: string) => (prefix ? n.startsWith(prefix) : !n.startsWith('coexist-') && !n.startsWith('untrusted-'));
  for (const f of fs
    .readdirSync(__dirname)
    .filter((n) => n.endsWith('.test.js') && mine(n))
    .sort()) {
    mocha.addFile(path.join(__dirname, f));
  }
  const started = Date.now();
  const summary: E2eSummary = { passed: 0, failed: 0, pending: 0, durationMs: 0, tests: [], failures: [] };
  const write = (): void => {
    summary.durationMs = Date.now() - started;
    const file = process.env.E2E_RESULTS_FILE;
    if (file) fs.writeFileSync(file, JSON.stringify(summary, null, 2));
  };
  return new Promise<void>((resolve, reject) => {
    let runner: Mocha.Runner;
    try {
      runner = mocha.run((failures) => {
        write();
        if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else resolve();
      });
    } catch (e) {
      // e.g. a test file that throws while loading
      summary.failed++;
      summary.failures.push({ title: 'loading the test files', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      write();
      reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    runner.on('pass', (t) => {
      summary.passed++;
      summary.tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration });
    });
    runner.on('pending', (t) => {
      summary.pending++;
      summary.tests.push({ title: t.fullTitle(), state: 'pending' });
    });
    // Also emitted for failing hooks (before/after): those count as failures too.
    runner.on('fail', (t, err: unknown) => {
      summary.failed++;
      summary.tests.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration });
      summary.failures.push({ title: t.fullTitle(), error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    });
  });
}
