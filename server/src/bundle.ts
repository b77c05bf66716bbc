/**
 * Runs one of the server's bundles (dist/*.js) in this process from a V8 code cache when
 * there is one, and writes one after the first run: compiling a bundle is a third of its
 * start-up, and the cache (checked by V8 against the source, rejected and rewritten when the
 * bundle changes) removes most of it. The cache is written once the bundle has done its first
 * work (at exit, or after a few seconds), so that the functions that work compiled are in it.
 * It goes next to the bundle, or into the temporary directory where that is not writable.
 *
 * Used by the launcher (dist/server.js → dist/server-main.js) and by main.ts (→
 * dist/server-engine.js, whose `require` maps `vscode-languageserver` to the start-up bundle's).
 *
 * Those two bundles are written already wrapped as a module function (scripts/esbuild.mjs): their
 * text is compiled as read. Any other file is wrapped here (`Module.wrap`), which V8 must copy
 * into one flat string before it compiles it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

type Wrapper = (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;

export interface RunOptions {
  /** Resolves the bundle's `require` calls (given the bundle's own require); default: its own. */
  require?: (id: string, own: NodeJS.Require) => unknown;
  /** When the cache is written if none was accepted (ms after the run; also at exit). */
  writeAfterMs?: number;
}

/** How scripts/esbuild.mjs begins a bundle it wrapped (Node's own module wrapper, `Module.wrap`). */
export const WRAPPED = '(function (exports, require, module, __filename, __dirname) { ';

/** Where a bundle's code cache may be: next to it, else in the temporary directory. */
function cachesOf(file: string): string[] {
  return [`${file}.cache`, join(tmpdir(), `dockerfile-stages-${basename(file, '.js')}-${process.version}.cache`)];
}

/** Runs `file` as a CommonJS module and returns its exports. */
export function runBundle(file: string, options: RunOptions = {}): unknown {
  const text = readFileSync(file, 'utf8');
  const source = text.startsWith(WRAPPED) ? text : Module.wrap(text.replace(/^#!.*/, ''));
  const caches = cachesOf(file);
  let cachedData: Buffer | undefined;
  for (const c of caches) {
    try {
      cachedData = readFileSync(c);
      break;
    } catch {
      // no cache there
    }
  }
  const script = new Script(source, { filename: file, cachedData });
  if (process.env['DOCKERFILE_STAGES_DEBUG'])
    process.stderr.write(`code cache of ${basename(file)}: ${!cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'used'}\n`);
  const fn = script.runInThisContext() as Wrapper;
  const mod = new Module(file);
  mod.filename = file;
  const own = Module.createRequire(file);
  const map = options.require;
  const req = map ? (Object.assign((id: string) => map(id, own), own) as NodeJS.Require) : own;
  if (!cachedData || script.cachedDataRejected) {
    let written = false;
    const write = (): void => {
      if (written) return;
      written = true;
      const data = script.createCachedData();
      for (const c of caches) {
        try {
          writeFileSync(c, data);
          return;
        } catch {
          // not writable: try the next place
        }
      }
    };
    process.once('exit', write);
    setTimeout(write, options.writeAfterMs ?? 5000).unref();
  }
  fn.call(mod.exports, mod.exports, req, mod, file, dirname(file));
  return mod.exports;
}
