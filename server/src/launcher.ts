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
import { Script } from 'node:vm';

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

try {
  start();
} catch (e) {
  if (process.env['DOCKERFILE_STAGES_DEBUG']) process.stderr.write(`code cache not used: ${String(e)}\n`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- runs the chosen bundle in this process
  require(main);
}
