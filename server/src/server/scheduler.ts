/**
 * The request scheduler: one queue of jobs in front of the server's single thread.
 *
 * vscode-jsonrpc hands the server one message per event-loop turn, and a synchronous
 * handler runs to its end before the next message (or the `$/cancelRequest` that
 * cancels it) is even read. So every request handler and background job that may take
 * long runs through here:
 *
 *  - a job starts only on a later event-loop turn (`setImmediate`), after the reader has
 *    had the chance to read what the client sent meanwhile; a job whose token was
 *    cancelled before it started never runs and is rejected with `Cancelled`
 *    (routing answers RequestCancelled, -32800);
 *  - a long job calls `await slice.checkpoint()` between units of work (stages, files):
 *    once its slice (`sliceMs`) is used up it goes back into the queue, so waiting
 *    interactive requests run first, and a cancelled job stops there;
 *  - priorities: `interactive` (hover, highlight, completion, inlay hints) before
 *    `normal` (other requests, stage diagnostics) before `background` (general
 *    diagnostics, indexing), FIFO within a priority;
 *  - no starvation: an entry that has waited longer than its priority's `maxWaitMs` goes
 *    first (the longest waiting first), so a stream of interactive requests delays a
 *    background job by at most that bound plus one slice;
 *  - stale work: a job scheduled with a `key` supersedes a queued, not yet started job with
 *    the same key (e.g. the diagnostics of an older version of a document), which is
 *    rejected with `Cancelled` (`superseded: true`).
 *
 * No LSP types here: a token is anything with `isCancellationRequested` (and optionally
 * `onCancellationRequested`), so the scheduler is unit-tested with a fake clock.
 */
import { monotonicMs } from './clock';

export type Priority = 'interactive' | 'normal' | 'background';

const RANK: Record<Priority, number> = { interactive: 0, normal: 1, background: 2 };

export interface CancelToken {
  readonly isCancellationRequested: boolean;
  onCancellationRequested?(listener: () => void): { dispose(): void };
}

/** A job stopped because its request was cancelled or a newer job with its key superseded it. */
export class Cancelled extends Error {
  constructor(readonly superseded = false) {
    super(superseded ? 'superseded by newer work' : 'request cancelled');
    this.name = 'Cancelled';
  }
}

export const isCancelled = (e: unknown): e is Cancelled => e instanceof Cancelled;

/** What a running job gets: a yielding point and its token. */
export interface Slice {
  /**
   * A point where the job may stop or pause: throws `Cancelled` when its token is cancelled,
   * and when the slice is used up, resumes on a later turn after more urgent entries ran.
   */
  checkpoint(): Promise<void>;
  readonly token: CancelToken | undefined;
}

export interface ScheduleOptions {
  token?: CancelToken | undefined;
  /** A newer job with the same key replaces this one while it has not started. */
  key?: string | undefined;
}

export interface SchedulerOptions {
  /** Defers a callback to a later event-loop turn (default `setImmediate`). */
  defer?: (f: () => void) => void;
  now?: () => number;
  /** How long a job may run before a checkpoint yields (ms). */
  sliceMs?: number;
  /** The longest an entry of each priority waits before it goes first (ms). */
  maxWaitMs?: Partial<Record<Priority, number>>;
}

interface Entry {
  readonly priority: Priority;
  readonly queuedAt: number;
  readonly seq: number;
  readonly token: CancelToken | undefined;
  readonly key: string | undefined;
  /** Starts (or resumes) the job. */
  readonly go: () => void;
  /** Rejects it without running. */
  readonly drop: (e: Cancelled) => void;
  dispose: () => void;
}

export interface SchedulerStats {
  ran: number;
  cancelled: number;
  superseded: number;
  yields: number;
}

const MAX_SETTLE_TURNS = 32;

const DEFAULT_MAX_WAIT: Record<Priority, number> = { interactive: 50, normal: 250, background: 1000 };

export class Scheduler {
  private readonly queue: Entry[] = [];
  private readonly keyed = new Map<string, Entry>();
  private busy = false;
  private pumping = false;
  private seq = 0;
  /** Jobs scheduled so far: while this still grows turn after turn, the transport is delivering a burst. */
  private arrivals = 0;
  private readonly defer: (f: () => void) => void;
  private readonly now: () => number;
  private readonly sliceMs: number;
  private readonly maxWait: Record<Priority, number>;
  readonly stats: SchedulerStats = { ran: 0, cancelled: 0, superseded: 0, yields: 0 };

  constructor(options: SchedulerOptions = {}) {
    this.defer = options.defer ?? ((f) => void setImmediate(f));
    this.now = options.now ?? monotonicMs;
    this.sliceMs = options.sliceMs ?? 8;
    this.maxWait = { ...DEFAULT_MAX_WAIT, ...options.maxWaitMs };
  }

  /** Entries waiting (not counting the one running). */
  get pending(): number {
    return this.queue.length;
  }

  /** Runs `job` on a later turn, in priority order; rejects with `Cancelled` if it is cancelled first. */
  schedule<T>(priority: Priority, job: (slice: Slice) => T | Promise<T>, options: ScheduleOptions = {}): Promise<T> {
    const { token, key } = options;
    this.arrivals++;
    return new Promise<T>((resolve, reject) => {
      if (token?.isCancellationRequested) {
        this.stats.cancelled++;
        reject(new Cancelled());
        return;
      }
      let sliceStart = 0;
      // Whether this job holds the thread (it gives it back at a checkpoint or when it ends).
      let holding = false;
      const done = () => {
        if (holding) {
          holding = false;
          this.release();
        }
      };
      const slice: Slice = {
        token,
        checkpoint: () => {
          if (token?.isCancellationRequested) return Promise.reject(new Cancelled());
          if (this.now() - sliceStart < this.sliceMs) return Promise.resolve();
          this.stats.yields++;
          // Give the thread back: the job resumes as a new entry of its priority.
          return new Promise<void>((res, rej) => {
            this.push({
              priority,
              queuedAt: this.now(),
              seq: this.seq++,
              token,
              key: undefined,
              go: () => {
                holding = true;
                sliceStart = this.now();
                res();
              },
              drop: rej,
              dispose: () => undefined,
            });
            done();
          });
        },
      };
      const entry: Entry = {
        priority,
        queuedAt: this.now(),
        seq: this.seq++,
        token,
        key,
        go: () => {
          holding = true;
          sliceStart = this.now();
          this.stats.ran++;
          let result: T | Promise<T>;
          try {
            result = job(slice);
          } catch (e) {
            done();
            reject(e instanceof Error ? e : new Error(String(e)));
            return;
          }
          Promise.resolve(result).then(
            (v) => {
              done();
              resolve(v);
            },
            (e: unknown) => {
              done();
              reject(e instanceof Error ? e : new Error(String(e)));
            },
          );
        },
        drop: reject,
        dispose: () => undefined,
      };
      if (key !== undefined) {
        const old = this.keyed.get(key);
        if (old) {
          this.remove(old);
          this.stats.superseded++;
          old.drop(new Cancelled(true));
        }
        this.keyed.set(key, entry);
      }
      this.push(entry);
    });
  }

  private push(entry: Entry): void {
    const sub = entry.token?.onCancellationRequested?.(() => {
      // Answer a cancelled request at once instead of when its turn comes.
      if (this.remove(entry)) {
        this.stats.cancelled++;
        entry.drop(new Cancelled());
      }
    });
    if (sub)
      entry.dispose = () => {
        sub.dispose();
      };
    this.queue.push(entry);
    this.pump();
  }

  private remove(entry: Entry): boolean {
    const i = this.queue.indexOf(entry);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    entry.dispose();
    if (entry.key !== undefined && this.keyed.get(entry.key) === entry) this.keyed.delete(entry.key);
    return true;
  }

  /** The running job ended or yielded: the next entry may run on a later turn. */
  private release(): void {
    this.busy = false;
    this.pump();
  }

  /**
   * Runs the next entry on a later turn. vscode-jsonrpc hands over one message per turn, so a
   * burst the client sent at once arrives over several turns: while new jobs keep arriving,
   * wait (at most `MAX_SETTLE_TURNS` turns) so that the whole burst is queued and ordered by
   * priority, not run first come first served.
   */
  private pump(): void {
    if (this.busy || this.pumping || this.queue.length === 0) return;
    this.pumping = true;
    let seen = this.arrivals;
    let turns = 0;
    const tick = () => {
      if (this.arrivals !== seen && turns++ < MAX_SETTLE_TURNS) {
        seen = this.arrivals;
        this.defer(tick);
        return;
      }
      this.pumping = false;
      this.runNext();
    };
    this.defer(tick);
  }

  /** The next entry: the longest-overdue one if any, else the most urgent (FIFO within a priority). */
  private pick(): Entry | undefined {
    const now = this.now();
    let best: Entry | undefined;
    let overdue: Entry | undefined;
    for (const e of this.queue) {
      if (
        now - e.queuedAt > this.maxWait[e.priority] &&
        (!overdue || e.queuedAt < overdue.queuedAt || (e.queuedAt === overdue.queuedAt && e.seq < overdue.seq))
      )
        overdue = e;
      if (!best || RANK[e.priority] < RANK[best.priority] || (RANK[e.priority] === RANK[best.priority] && e.seq < best.seq)) best = e;
    }
    return overdue ?? best;
  }

  private runNext(): void {
    if (this.busy) return;
    for (;;) {
      const e = this.pick();
      if (!e) return;
      this.remove(e);
      if (e.token?.isCancellationRequested) {
        this.stats.cancelled++;
        e.drop(new Cancelled());
        continue;
      }
      this.busy = true;
      e.go();
      return;
    }
  }
}

/** Calls `f` on each item with a checkpoint every `every` items: a loop a cancellation can stop. */
export async function forEachSliced<T>(slice: Slice, items: readonly T[], f: (item: T, index: number) => void, every = 16): Promise<void> {
  for (const [i, item] of items.entries()) {
    if (i % every === 0) await slice.checkpoint();
    f(item, i);
  }
}
