#!/usr/bin/env node
// `npm run lint`: ESLint (eslint.config.mjs: type-aware strict rules and the layer
// invariants) and `prettier --check` (files listed in .prettierignore are not yet
// formatted). Prints "N passed, N failed" (one check each), which
// scripts/run-suites.mjs counts as the `lint` suite.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
const checks = [
  ['eslint', [bin('eslint'), '--max-warnings', '0', '.']],
  ['prettier', [bin('prettier'), '--check', 'server/src/**/*.ts', 'client/src/**/*.ts', 'test/**/*.ts', 'eslint.config.mjs']],
];
let passed = 0;
let failed = 0;
for (const [name, argv] of checks) {
  const r = spawnSync(argv[0], argv.slice(1), { cwd: root, stdio: 'inherit' });
  if (r.status === 0) {
    passed++;
    console.log(`ok ${name}`);
  } else {
    failed++;
    console.log(`not ok ${name} (exit ${r.status ?? r.signal})`);
  }
}
console.log(`lint: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
