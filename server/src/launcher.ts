/**
 * dist/server.js: starts the language server bundle (dist/server-main.js) from a V8
 * code cache when one is there, and writes one after the first start. Compiling the
 * 600 KB bundle is a third of the server's start-up; the cache (checked by V8 against
 * the source, rejected and rewritten when the bundle changes) removes most of it.
 * Any problem with the cache falls back to a plain require.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

/**
 * V8 sends a function to its optimizing compiler once it has run a few times its "interrupt
 * budget" of bytecode (66 KB by default). Opening a large Dockerfile runs the scanner's
 * functions that much within milliseconds, so dozens of them are compiled at once, on a
 * background thread that on a small machine (2 cores: the bench's and CI's) competes with the
 * parse it is meant to speed up: the first parse of a 2,400-line file took 40 ms, 25 ms with the
 * optimizer kept out (in a fresh process, median of 11), and of a 25,000-line file 200 → 158 ms.
 * An eight times larger budget keeps the compiler for code that stays hot: a keystroke's
 * re-parse and the other requests reach their optimised speed after a few more calls
 * (`npm run bench`: didChange and documentSymbol medians unchanged). A plain runtime flag,
 * read whenever a function's budget is renewed; DOCKERFILE_STAGES_V8_DEFAULTS=1 leaves V8 as is.
 */
function tuneEngine(): void {
  if (process.env['DOCKERFILE_STAGES_V8_DEFAULTS'] === '1') return;
  setFlagsFromString('--interrupt-budget=524288');
}

const main = join(__dirname, 'server-main.js');
const caches = [`${main}.cache`, join(tmpdir(), `dockerfile-stages-server-${process.version}.cache`)];

function start(): void {
  const source = readFileSync(main, 'utf8').replace(/^#!.*/, '');
  let cachedData: Buffer | undefined;
  for (const c of caches) {
    try {
      cachedData = readFileSync(c);
      break;
    } catch {
      // no cache there
    }
  }
  const script = new Script(Module.wrap(source), { filename: main, cachedData });
  const fn = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  const mod = new Module(main);
  mod.filename = main;
  const req = Module.createRequire(main);
  if (!cachedData || script.cachedDataRejected) {
    // Once the server has answered its first requests (at exit, or after a few seconds),
    // so that the functions start-up and `initialize` compiled are in the cache too.
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
    setTimeout(write, 5000).unref();
  }
  fn.call(mod.exports, mod.exports, req, mod, main, dirname(main));
}

tuneEngine();
try {
  start();
} catch (e) {
  if (process.env['DOCKERFILE_STAGES_DEBUG']) process.stderr.write(`code cache not used: ${String(e)}\n`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- runs the chosen bundle in this process
  require(main);
}
