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
import { closeSync, fstatSync, openSync, read, readFileSync, writeFileSync } from 'node:fs';
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

const AHEAD = Symbol.for('dockerfile-stages.read-ahead');

/** Where a bundle's code cache may be: next to it, else in the temporary directory. */
function cachesOf(file: string): string[] {
  return [`${file}.cache`, join(tmpdir(), `dockerfile-stages-${basename(file, '.js')}-${process.version}.cache`)];
}

/**
 * A file being read in libuv's thread pool: one `read` into a buffer of the file's size. The copy,
 * and the fresh memory it fills (about 10 µs a page on the bench machine), happen on another
 * thread while this one goes on. `bytes` is set once the whole file is in.
 */
class ReadAhead {
  bytes: Buffer | undefined;
  /** False when the file could not be opened (not there). */
  readonly opened: boolean;

  constructor(path: string) {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      this.opened = false;
      return;
    }
    this.opened = true;
    let size: number;
    try {
      size = fstatSync(fd).size;
    } catch {
      closeSync(fd);
      return;
    }
    const buffer = Buffer.allocUnsafeSlow(size);
    read(fd, buffer, 0, size, 0, (err, n) => {
      closeSync(fd);
      if (!err && n === size) this.bytes = buffer;
    });
  }
}

/**
 * The reads started, by path. The launcher (dist/server.js) and the start-up bundle that loads the
 * engine (dist/server-main.js) each hold a copy of this module, so the table is the process's,
 * under a registered symbol, not this copy's.
 */
const ahead: Map<string, ReadAhead> = ((globalThis as { [AHEAD]?: Map<string, ReadAhead> })[AHEAD] ??= new Map<string, ReadAhead>());

/**
 * Starts reading a bundle and its code cache in the thread pool, for a `runBundle` of it later in
 * this process: the launcher starts the engine's (dist/server-engine.js, 230 KB, and its cache)
 * before it runs the start-up bundle, so that they are in memory when the engine loads, after the
 * `initialize` answer (the reads were 2.2 ms of the first open). `runBundle` reads what is not
 * in yet itself.
 */
export function readAhead(file: string): void {
  if (ahead.has(file)) return;
  ahead.set(file, new ReadAhead(file));
  for (const c of cachesOf(file)) {
    const r = new ReadAhead(c);
    ahead.set(c, r);
    if (r.opened) break;
  }
}

/** The bytes of `path`: as read ahead when that read is done, else read now (throws when it cannot be read). */
function bytesOf(path: string): { bytes: Buffer; early: boolean } {
  const early = ahead.get(path)?.bytes;
  ahead.delete(path);
  return early ? { bytes: early, early: true } : { bytes: readFileSync(path), early: false };
}

/** Runs `file` as a CommonJS module and returns its exports. */
export function runBundle(file: string, options: RunOptions = {}): unknown {
  const read = bytesOf(file);
  const text = read.bytes.toString('utf8');
  const source = text.startsWith(WRAPPED) ? text : Module.wrap(text.replace(/^#!.*/, ''));
  const caches = cachesOf(file);
  let cachedData: Buffer | undefined;
  for (const c of caches) {
    try {
      cachedData = bytesOf(c).bytes;
      break;
    } catch {
      // no cache there
    }
  }
  const script = new Script(source, { filename: file, cachedData });
  if (process.env['DOCKERFILE_STAGES_DEBUG'])
    process.stderr.write(
      `code cache of ${basename(file)}: ${!cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'used'}${read.early ? ' (read ahead)' : ''}\n`,
    );
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
