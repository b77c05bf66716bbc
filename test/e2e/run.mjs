#!/usr/bin/env node
// Runs the e2e suite (out/test/e2e/suite) inside a real VS Code with @vscode/test-electron.
// Offline (default): VS Code is code-server 4.100.3 (VS Code 1.100.3) behind code-shim.mjs; run
//   bash test/e2e/setup.sh once. With network, E2E_DOWNLOAD=1 lets test-electron download VS Code.
// Build first:  npm run build && npx tsc -b && node test/e2e/run.mjs
// Prints a last line "N passed, N failed"; exits non-zero on any failure or when no test ran.
// Env: E2E_DOWNLOAD=1, E2E_GREP=<regexp> (mocha --grep), E2E_EXTENSION_PATH (default: the repo root),
//      E2E_HOME / CODE_SERVER / CHROMIUM / SHIM_TIMEOUT_S / VERBOSE (see code-shim.mjs, lib.mjs).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, SHIM, checkInstalled } from './lib.mjs';

const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1);
const require = createRequire(path.join(REPO_ROOT, 'package.json'));
const { runTests } = require('@vscode/test-electron');

function finish(passed, failed, why) {
  if (why) console.error(`e2e: ${why}`);
  console.log(`e2e: took ${secs()}s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

const extensionDevelopmentPath = path.resolve(process.env.E2E_EXTENSION_PATH || REPO_ROOT);
const extensionTestsPath = path.join(REPO_ROOT, 'out/test/e2e/suite/index.js');
const workspace = path.join(REPO_ROOT, 'test/e2e/workspace');
const download = process.env.E2E_DOWNLOAD === '1';

const main = JSON.parse(fs.readFileSync(path.join(extensionDevelopmentPath, 'package.json'), 'utf8')).main;
const missing = [extensionTestsPath, ...(main ? [path.resolve(extensionDevelopmentPath, main)] : [])]
  .filter((f) => !fs.existsSync(f));
if (missing.length) finish(0, 1, `not built: ${missing.join(', ')}\n  run: npm run build && npx tsc -b`);
if (!download) {
  try { checkInstalled(); } catch (e) { finish(0, 1, e.message); }
}

// Two launches: the main suite, then the coexistence suite (coexist-*.test.js) with a stub extension
// that has the id of Docker's extension installed beside ours. Each gets a fresh profile: the suite
// changes user settings, and nothing installed may leak in.
// A third launch (untrusted-*.test.js): Workspace Trust on and a copy of the workspace that is not trusted, whose
// .vscode/settings.json points the (restricted) builder setting at a probe that leaves a marker file if it ever runs.
async function launch(pass, installed, untrusted = false) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `dockerfile-stages-e2e-${pass}-`));
  let folder = workspace;
  const extraEnv = {};
  if (untrusted) {
    folder = path.join(tmp, 'untrusted-workspace');
    fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
    fs.copyFileSync(path.join(workspace, 'Dockerfile'), path.join(folder, 'Dockerfile'));
    const marker = path.join(tmp, 'probe-ran');
    const probe = path.join(tmp, 'probe-builder.sh');
    fs.writeFileSync(probe, `#!/bin/sh\necho "$@" >> '${marker}'\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'dockerStages.build.builder': probe }, null, 2));
    Object.assign(extraEnv, { SHIM_WORKSPACE_TRUST: '1', E2E_PROBE_MARKER: marker, E2E_PROBE_BUILDER: probe });
  }
  const resultsFile = path.join(tmp, 'results.json');
  // Extensions installed beside ours: unpacked into the fresh extensions dir as <publisher>.<name>-<version>.
  for (const dir of installed) {
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    fs.cpSync(dir, path.join(tmp, 'extensions', `${m.publisher}.${m.name}-${m.version}`), { recursive: true });
  }
  let exitError = null;
  try {
    await runTests({
      extensionDevelopmentPath,
      extensionTestsPath,
      ...(download ? {} : { vscodeExecutablePath: SHIM }),
      // --disable-extensions would disable the installed stub too; the extensions dir is fresh anyway.
      launchArgs: [folder, ...(installed.length ? [] : ['--disable-extensions']),
        `--user-data-dir=${path.join(tmp, 'user-data')}`, `--extensions-dir=${path.join(tmp, 'extensions')}`],
      extensionTestsEnv: {
        E2E_RESULTS_FILE: resultsFile,
        E2E_PASS: pass,
        ...extraEnv,
        ...(process.env.E2E_GREP ? { E2E_GREP: process.env.E2E_GREP } : {}),
      },
    });
  } catch (e) {
    exitError = e instanceof Error ? e.message : String(e);
  }
  let summary = null;
  try { summary = JSON.parse(fs.readFileSync(resultsFile, 'utf8')); } catch { /* the runner never finished */ }
  return { summary, exitError };
}

let passed = 0;
let failed = 0;
const problems = [];
const stub = path.join(REPO_ROOT, 'test/e2e/stub-docker-extension');
for (const [pass, installed, untrusted] of [['main', []], ['coexist', [stub]], ['untrusted', [], true]]) {
  if (untrusted) process.env.SHIM_WORKSPACE_TRUST = '1'; // the shim reads it from its own environment
  const { summary, exitError } = await launch(pass, installed, untrusted);
  delete process.env.SHIM_WORKSPACE_TRUST;
  if (!summary) { failed++; problems.push(`${pass}: no test results (${exitError ?? 'the in-host runner wrote no summary'})`); continue; }
  if (summary.pending) console.log(`e2e ${pass}: ${summary.pending} pending/skipped`);
  for (const f of summary.failures) console.log(`\nFAILED (${pass}): ${f.title}\n${f.error}`);
  passed += summary.passed;
  failed += summary.failed;
  if (exitError && summary.failed === 0) { failed++; problems.push(`${pass}: VS Code exited badly after the tests: ${exitError}`); }
  if (summary.passed + summary.failed === 0 && !process.env.E2E_GREP) { failed++; problems.push(`${pass}: no test ran`); }
}
finish(passed, failed, problems.length ? problems.join('\n') : passed + failed === 0 ? 'no test ran' : undefined);
