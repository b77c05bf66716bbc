// @vscode/test-cli config: `npx vscode-test` runs the e2e suite (out/test/e2e/suite/*.test.js,
// compiled by `npx tsc -b`) inside VS Code, with test/e2e/workspace open.
// Offline (no VS Code download possible): VSCODE_EXECUTABLE=$PWD/test/e2e/code-shim.mjs npx vscode-test
// (after `bash test/e2e/setup.sh`) runs it in code-server instead. Unset: test-cli downloads VS Code.
// test/e2e/run.mjs is the other entry point (plain @vscode/test-electron, prints "N passed, N failed").
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  label: 'e2e',
  files: 'out/test/e2e/suite/**/*.test.js',
  workspaceFolder: './test/e2e/workspace',
  launchArgs: ['--disable-extensions'],
  // Default: this repo. E2E_EXTENSION_PATH runs the same suite against another build of the extension.
  ...(process.env.E2E_EXTENSION_PATH ? { extensionDevelopmentPath: process.env.E2E_EXTENSION_PATH } : {}),
  mocha: { ui: 'bdd', timeout: 60_000 }, // test-cli's default ui is 'tdd'
  ...(process.env.VSCODE_EXECUTABLE ? { useInstallation: { fromPath: process.env.VSCODE_EXECUTABLE } } : {}),
});
