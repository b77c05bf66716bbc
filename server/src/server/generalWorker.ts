/**
 * The general (dockerfile-utils) checks off the server's thread. Each stage is checked as
 * its own small text (features/generalPieces.ts), and a stage whose text did not change
 * keeps its answer; still, the first check of a 25,000-line file is synchronous work of
 * about a second that no cancellation or scheduler can interrupt, so the checks run in a
 * worker thread (dist/general-worker.js) while hovers and other requests are answered. One
 * worker, one check at a time; a newer text for the same document replaces one still
 * waiting (stale versions are never checked). If the worker cannot start or dies, checks
 * run on the server's thread instead, as a background job of the scheduler.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { Diagnostic } from 'vscode-languageserver';
import { GeneralFeatures } from '../features/dls';
import { GeneralPieceCache, type GeneralPiece } from '../features/generalPieces';
import { Cancelled } from './scheduler';

/** node:worker_threads, loaded when the first check runs rather than at start-up. */
function workerThreads(): typeof import('node:worker_threads') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('node:worker_threads') as typeof import('node:worker_threads');
}

/** The worker's young generation, in MB (see start). */
const WORKER_YOUNG_GENERATION_MB = 4;

interface Job {
  key: string;
  pieces: readonly GeneralPiece[];
  resolve: (d: Diagnostic[]) => void;
  reject: (e: unknown) => void;
}

interface Reply {
  id: number;
  diagnostics?: Diagnostic[];
  error?: string;
}

/** What the worker is sent: a check, or a document to forget. */
type Request = { id: number; key: string; pieces: readonly GeneralPiece[] } | { forget: string };

export type InThread = (key: string, pieces: readonly GeneralPiece[]) => Promise<Diagnostic[]>;

export class GeneralValidator {
  private worker: Worker | undefined;
  private failed = false;
  private readonly waiting = new Map<string, Job>();
  private current: (Job & { id: number }) | undefined;
  private nextId = 0;

  /**
   * @param script the worker's file (dist/general-worker.js); undefined: always in-thread
   * @param inThread the fallback, e.g. a scheduler background job around a GeneralPieceCache
   * @param forgetInThread what the fallback does when a document closes
   */
  constructor(
    private readonly script: string | undefined,
    private readonly inThread: InThread,
    private readonly log: (m: string) => void,
    private readonly forgetInThread: (key: string) => void = () => undefined,
  ) {}

  /** The general diagnostics of a document, given as its pieces; rejects with `Cancelled(true)` when a newer text for `key` replaced it first. */
  validate(key: string, pieces: readonly GeneralPiece[]): Promise<Diagnostic[]> {
    return new Promise<Diagnostic[]>((resolve, reject) => {
      const old = this.waiting.get(key);
      if (old) old.reject(new Cancelled(true));
      this.waiting.set(key, { key, pieces, resolve, reject });
      this.next();
    });
  }

  /** Forget a document (closed): its waiting check is dropped, and the answers kept for it. */
  forget(key: string): void {
    this.forgetInThread(key);
    this.worker?.postMessage({ forget: key } satisfies Request);
    const old = this.waiting.get(key);
    if (!old) return;
    this.waiting.delete(key);
    old.reject(new Cancelled(true));
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private start(): Worker | undefined {
    if (this.worker || this.failed) return this.worker;
    if (!this.script || !existsSync(this.script)) {
      this.failed = true;
      return undefined;
    }
    try {
      // A small young generation: the checks allocate a whole-file AST at once, and V8's
      // default (up to 3 × 16 MB semi-spaces) added ~30 MB to the server's peak RSS at
      // 25,000 lines, for no speed gain (measured: 118 → 86 MB process peak, 1.46 → 1.19 s).
      const w = new (workerThreads().Worker)(this.script, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
      w.unref();
      w.on('message', (r: Reply) => {
        this.settle(r);
      });
      w.on('error', (e) => {
        this.lost(`general checks worker failed: ${e.message}`);
      });
      w.on('exit', (code) => {
        this.lost(`general checks worker exited (${code})`);
      });
      this.worker = w;
      return w;
    } catch (e) {
      this.failed = true;
      this.log(`general checks worker did not start: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  private lost(why: string): void {
    if (!this.worker) return;
    this.worker = undefined;
    this.failed = true;
    this.log(`${why}; the general checks run on the server's thread from now on`);
    const cur = this.current;
    this.current = undefined;
    if (cur) this.inThread(cur.key, cur.pieces).then(cur.resolve, cur.reject);
    this.next();
  }

  private settle(r: Reply): void {
    const cur = this.current;
    if (!cur || cur.id !== r.id) return;
    this.current = undefined;
    if (r.error !== undefined) {
      this.log(`general checks failed: ${r.error}`);
      cur.resolve([]);
    } else cur.resolve(r.diagnostics ?? []);
    this.next();
  }

  private next(): void {
    if (this.current) return;
    const job = this.waiting.values().next().value;
    if (!job) return;
    this.waiting.delete(job.key);
    const w = this.start();
    if (!w) {
      // In-thread: the fallback schedules itself; keep going with the next one meanwhile.
      this.inThread(job.key, job.pieces).then(job.resolve, job.reject);
      this.next();
      return;
    }
    this.current = { ...job, id: this.nextId++ };
    w.postMessage({ id: this.current.id, key: job.key, pieces: job.pieces } satisfies Request);
  }
}

/** The worker's side (dist/general-worker.js). */
export function runGeneralWorker(): void {
  const { isMainThread, parentPort } = workerThreads();
  if (isMainThread || !parentPort) return;
  const port = parentPort;
  const general = new GeneralFeatures(() => undefined);
  const cache = new GeneralPieceCache((text) => general.validate(text));
  port.on('message', (m: Request) => {
    if ('forget' in m) {
      cache.forget(m.forget);
      return;
    }
    try {
      port.postMessage({ id: m.id, diagnostics: cache.validate(m.key, m.pieces) } satisfies Reply);
    } catch (e) {
      port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) } satisfies Reply);
    }
  });
}

/** Where the worker bundle sits next to the server bundle. */
export const generalWorkerScript = (): string => path.join(__dirname, 'general-worker.js');
