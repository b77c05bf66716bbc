// Shared by code-shim.mjs and run.mjs: where setup.sh put code-server and playwright-core, and how
// to launch Debian's chromium headless with the flags this offline machine needs.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '../..');
export const E2E_HOME = process.env.E2E_HOME ||
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'dockerfile-stages/vscode');
export const CODE_SERVER = process.env.CODE_SERVER || path.join(E2E_HOME, 'node_modules/.bin/code-server');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SHIM = path.join(HERE, 'code-shim.mjs');

/** Throws with a hint to run setup.sh when something it installs is missing. */
export function checkInstalled() {
  const missing = [];
  if (!fs.existsSync(CODE_SERVER)) missing.push(`code-server (${CODE_SERVER})`);
  if (!fs.existsSync(CHROMIUM)) missing.push(`chromium (${CHROMIUM})`);
  if (missing.length) throw new Error(`missing ${missing.join(' and ')}: run  bash test/e2e/setup.sh`);
}

/** playwright-core: the copy setup.sh installed in E2E_HOME first, else the repo's devDependency. */
export function loadPlaywright() {
  for (const base of [E2E_HOME, REPO_ROOT]) {
    try { return createRequire(path.join(base, 'package.json'))('playwright-core'); } catch { /* next */ }
  }
  throw new Error(`playwright-core not found in ${E2E_HOME} or ${REPO_ROOT}: run  bash test/e2e/setup.sh`);
}

export async function launchChromium(userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-chromium-'))) {
  return loadPlaywright().chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    // Without the background-networking flags chromium keeps dialling Google hosts, which this machine refuses.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
  });
}
