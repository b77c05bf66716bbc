/** client/src/restartPolicy.ts: bounded backoff, one message per streak, a give-up bound. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestartPolicy } from '../../client/src/restartPolicy';

test('delays double from the base up to the bound; only the first crash of a streak notifies', () => {
  const p = new RestartPolicy({ baseDelayMs: 500, maxDelayMs: 4000, windowMs: 60_000, maxCrashes: 10 });
  const ds = [0, 1, 2, 3, 4, 5].map((i) => p.onCrash(1000 + i * 100));
  assert.deepEqual(
    ds.map((d) => d.delayMs),
    [500, 1000, 2000, 4000, 4000, 4000],
  );
  assert.deepEqual(
    ds.map((d) => d.notify),
    [true, false, false, false, false, false],
  );
  assert.ok(ds.every((d) => d.restart));
});

test('gives up after maxCrashes within the window, saying so once', () => {
  const p = new RestartPolicy({ maxCrashes: 3, windowMs: 60_000 });
  const ds = [0, 1, 2, 3, 4].map((i) => p.onCrash(i * 10));
  assert.deepEqual(
    ds.map((d) => d.restart),
    [true, true, true, false, false],
  );
  assert.deepEqual(
    ds.map((d) => d.notify),
    [true, false, false, true, false],
  );
});

test('crashes older than the window are forgotten: a new streak starts with the base delay and one message', () => {
  const p = new RestartPolicy({ baseDelayMs: 100, windowMs: 1000, maxCrashes: 3 });
  p.onCrash(0);
  p.onCrash(10);
  const later = p.onCrash(5000);
  assert.deepEqual([later.restart, later.delayMs, later.notify, later.crashes], [true, 100, true, 1]);
});

test('a manual restart resets the streak', () => {
  const p = new RestartPolicy({ maxCrashes: 1 });
  p.onCrash(0);
  assert.equal(p.onCrash(1).restart, false);
  p.reset();
  assert.equal(p.onCrash(2).restart, true);
});
