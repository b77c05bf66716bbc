/** The request scheduler (server/src/server/scheduler.ts): order, cancellation, slicing, no starvation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cancelled, forEachSliced, isCancelled, Scheduler, type CancelToken } from '../../server/src/server/scheduler';

/** A cancellation token like vscode-jsonrpc's: a flag plus listeners. */
class Token implements CancelToken {
  isCancellationRequested = false;
  private readonly listeners = new Set<() => void>();
  cancel(): void {
    this.isCancellationRequested = true;
    for (const l of [...this.listeners]) l();
  }
  onCancellationRequested(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }
}

/** A fake clock: jobs "work" by advancing it. */
function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

const outcome = (p: Promise<unknown>) =>
  p.then(
    (v) => `ok:${String(v)}`,
    (e: unknown) => (isCancelled(e) ? (e.superseded ? 'superseded' : 'cancelled') : `error:${String(e)}`),
  );

test('queued jobs run by priority, FIFO within a priority, one at a time', async () => {
  const s = new Scheduler({ now: clock().now });
  const order: string[] = [];
  let running = 0;
  const job = (name: string) => async () => {
    running++;
    assert.equal(running, 1, 'two jobs at once');
    order.push(name);
    await Promise.resolve();
    running--;
    return name;
  };
  const all = Promise.all([
    s.schedule('background', job('b1')),
    s.schedule('normal', job('n1')),
    s.schedule('interactive', job('i1')),
    s.schedule('background', job('b2')),
    s.schedule('interactive', job('i2')),
  ]);
  await all;
  assert.deepEqual(order, ['i1', 'i2', 'n1', 'b1', 'b2']);
});

test('a job cancelled before it starts never runs and is rejected as cancelled', async () => {
  const s = new Scheduler({ now: clock().now });
  const ran: string[] = [];
  const early = new Token();
  early.cancel();
  const t = new Token();
  const a = outcome(s.schedule('normal', () => void ran.push('already cancelled'), { token: early }));
  const b = outcome(s.schedule('normal', () => void ran.push('cancelled while queued'), { token: t }));
  const c = outcome(
    s.schedule('normal', () => {
      ran.push('kept');
      return 1;
    }),
  );
  t.cancel();
  assert.deepEqual(await Promise.all([a, b, c]), ['cancelled', 'cancelled', 'ok:1']);
  assert.deepEqual(ran, ['kept']);
  assert.equal(s.stats.cancelled, 2);
});

test('a cancelled queued job is answered at once, before the running job ends', async () => {
  const s = new Scheduler({ now: clock().now });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const long = s.schedule('normal', () => gate);
  const t = new Token();
  let settled = '';
  const queued = s.schedule('normal', () => 'ran', { token: t }).catch((e: unknown) => (settled = isCancelled(e) ? 'cancelled' : 'other'));
  await new Promise((r) => setImmediate(r));
  t.cancel();
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(settled, 'cancelled', 'the cancelled job waited for the running one');
  release();
  await long;
  await queued;
});

test('a long job yields at checkpoints: an interactive request runs before it resumes', async () => {
  const c = clock();
  const s = new Scheduler({ now: c.now, sliceMs: 10 });
  const order: string[] = [];
  const long = s.schedule('background', async (slice) => {
    for (let stage = 0; stage < 5; stage++) {
      await slice.checkpoint();
      order.push(`stage${stage}`);
      if (stage === 1) void s.schedule('interactive', () => void order.push('hover'));
      c.advance(6);
    }
  });
  await long;
  // stage0 (0 ms), stage1 (6 ms) run in the first slice; the checkpoint at 12 ms yields and the hover goes first.
  assert.deepEqual(order, ['stage0', 'stage1', 'hover', 'stage2', 'stage3', 'stage4']);
  assert.ok(s.stats.yields >= 1);
});

test('cancelling a running job stops it at its next checkpoint', async () => {
  const c = clock();
  const s = new Scheduler({ now: c.now, sliceMs: 1000 });
  const t = new Token();
  const done: number[] = [];
  const r = outcome(
    s.schedule(
      'normal',
      async (slice) => {
        await forEachSliced(
          slice,
          [0, 1, 2, 3, 4, 5, 6, 7],
          (i) => {
            done.push(i);
            if (i === 2) t.cancel();
          },
          1,
        );
        return 'finished';
      },
      { token: t },
    ),
  );
  assert.equal(await r, 'cancelled');
  assert.deepEqual(done, [0, 1, 2]);
  // The scheduler is free again.
  assert.equal(await s.schedule('normal', () => 'next'), 'next');
});

test('a job cancelled while it waits to resume is dropped and the scheduler goes on', async () => {
  const c = clock();
  const s = new Scheduler({ now: c.now, sliceMs: 5 });
  const t = new Token();
  const order: string[] = [];
  const r = outcome(
    s.schedule(
      'background',
      async (slice) => {
        for (let i = 0; i < 4; i++) {
          await slice.checkpoint();
          order.push(`b${i}`);
          c.advance(10);
          if (i === 0)
            void s.schedule('interactive', () => {
              order.push('i');
              t.cancel();
            });
        }
      },
      { token: t },
    ),
  );
  assert.equal(await r, 'cancelled');
  assert.deepEqual(order, ['b0', 'i']);
  assert.equal(await s.schedule('background', () => 'after'), 'after');
});

test('a newer job with the same key supersedes a queued one (stale versions are dropped)', async () => {
  const s = new Scheduler({ now: clock().now });
  const ran: number[] = [];
  const v1 = outcome(s.schedule('normal', () => ran.push(1), { key: 'diag:a' }));
  const v2 = outcome(s.schedule('normal', () => ran.push(2), { key: 'diag:a' }));
  const other = outcome(s.schedule('normal', () => ran.push(9), { key: 'diag:b' }));
  const v3 = outcome(s.schedule('normal', () => ran.push(3), { key: 'diag:a' }));
  assert.deepEqual(await Promise.all([v1, v2, other, v3]), ['superseded', 'superseded', 'ok:1', 'ok:2']);
  assert.deepEqual(ran, [9, 3]);
});

test('no starvation: a background job waiting past its bound runs before newer interactive requests', async () => {
  const c = clock();
  const s = new Scheduler({ now: c.now, maxWaitMs: { background: 100, normal: 50 } });
  const order: string[] = [];
  const bg = s.schedule('background', () => void order.push('bg'));
  // A stream of interactive requests, each taking 30 ms and scheduling the next.
  let n = 0;
  const more = (): Promise<void> =>
    s.schedule('interactive', () => {
      order.push(`i${n}`);
      c.advance(30);
      if (++n < 10) void more();
    });
  void more();
  await bg;
  const at = order.indexOf('bg');
  // Queued at t=0 with a 100 ms bound: i0..i3 (until t=120), then the background job.
  assert.ok(at > 0 && at <= 5, `background job ran at position ${at}: ${order.join(',')}`);
  while (n < 10) await new Promise((r) => setImmediate(r));
});

test('a job that throws rejects its promise and does not stop the queue', async () => {
  const s = new Scheduler({ now: clock().now });
  const a = outcome(
    s.schedule('normal', () => {
      throw new Error('boom');
    }),
  );
  const b = outcome(
    s.schedule('normal', async () => {
      await Promise.resolve();
      throw new Error('later');
    }),
  );
  const d = outcome(s.schedule('normal', () => 'fine'));
  assert.deepEqual(await Promise.all([a, b, d]), ['error:Error: boom', 'error:Error: later', 'ok:fine']);
});

test('Cancelled says whether it was superseded', () => {
  assert.equal(new Cancelled().superseded, false);
  assert.equal(new Cancelled(true).superseded, true);
  assert.ok(isCancelled(new Cancelled()));
  assert.ok(!isCancelled(new Error('x')));
});

test('a burst delivered one message per turn is ordered as a whole: the hover at its end runs first', async () => {
  const s = new Scheduler({ now: clock().now });
  const order: string[] = [];
  const all: Promise<unknown>[] = [];
  // Like vscode-jsonrpc: one message per event-loop turn, the next turn asked for before the handler schedules its job.
  for (let i = 0; i < 10; i++) {
    const turn = new Promise((r) => setImmediate(r));
    all.push(s.schedule('normal', () => void order.push(`tokens${i}`)));
    await turn;
  }
  all.push(s.schedule('interactive', () => void order.push('hover')));
  await Promise.all(all);
  assert.equal(order[0], 'hover', order.join(','));
});
