/**
 * When the language server process dies (killed, out of memory, a crash), the client
 * starts it again after a bounded, growing delay and tells the user once per streak of
 * crashes. Pure (no `vscode`): extension.ts turns the decision into the language client's
 * `errorHandler.closed()` answer.
 *
 *  - the n-th crash within `windowMs` waits min(baseDelayMs · 2^(n-1), maxDelayMs) before the
 *    restart (0.5 s, 1 s, 2 s, … 30 s by default);
 *  - the first crash of a streak notifies (one message, however many restarts follow);
 *  - after `maxCrashes` crashes within `windowMs` it gives up (and notifies that, once);
 *  - crashes older than `windowMs` are forgotten, so a server that ran a while starts a new streak.
 */
export interface RestartPolicyOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  windowMs?: number;
  maxCrashes?: number;
}

export interface RestartDecision {
  restart: boolean;
  delayMs: number;
  /** Tell the user (first crash of a streak, or giving up). */
  notify: boolean;
  /** Crashes within the window, this one included. */
  crashes: number;
}

export class RestartPolicy {
  private crashes: number[] = [];
  private readonly base: number;
  private readonly max: number;
  private readonly window: number;
  private readonly maxCrashes: number;

  constructor(options: RestartPolicyOptions = {}) {
    this.base = options.baseDelayMs ?? 500;
    this.max = options.maxDelayMs ?? 30_000;
    this.window = options.windowMs ?? 3 * 60_000;
    this.maxCrashes = options.maxCrashes ?? 8;
  }

  /** The server died at `now` (ms). */
  onCrash(now: number): RestartDecision {
    this.crashes = this.crashes.filter((t) => now - t < this.window);
    this.crashes.push(now);
    const n = this.crashes.length;
    if (n > this.maxCrashes) return { restart: false, delayMs: 0, notify: n === this.maxCrashes + 1, crashes: n };
    return { restart: true, delayMs: Math.min(this.max, this.base * 2 ** (n - 1)), notify: n === 1, crashes: n };
  }

  /** A manual restart (the Restart Language Server command) starts a new streak. */
  reset(): void {
    this.crashes = [];
  }
}
