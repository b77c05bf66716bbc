/**
 * The warm-up after `initialize` (server/warmup.ts): its sample runs the open path (five stages,
 * a reference the checks report), and the loop stops at once when a document opens or a message
 * waits, after its time budget, and after its run limit, checking before every run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problemsFor } from '../../server/src/features/diagnostics';
import { buildModel } from '../../server/src/model/model';
import { DEFAULT_SETTINGS } from '../../server/src/protocol';
import { WARMUP_DOCKERFILE, warmUp, warmUpOnce, type WarmUpHost } from '../../server/src/server/warmup';

test('the sample is a multi-stage Dockerfile whose checks report something', () => {
  const model = buildModel(WARMUP_DOCKERFILE);
  assert.deepEqual(
    model.stages.map((s) => s.name),
    ['build', 'web', 'test', 'runtime', 'docs'],
  );
  const codes = problemsFor(model, DEFAULT_SETTINGS).map((p) => p.code);
  assert.ok(codes.includes('stage-later-reference'), codes.join());
  assert.equal(warmUpOnce(), codes.length);
});

/** A host whose clock reads 0, 1, 2, … ms at successive reads, busy once `busyAfter` pieces ran. */
function host(busyAfter: number): WarmUpHost & { pieces: number } {
  let t = 0;
  const h = {
    pieces: 0,
    background: (piece: () => boolean): Promise<boolean> => {
      h.pieces++;
      return Promise.resolve(piece());
    },
    busy: () => h.pieces > busyAfter,
    now: () => t++,
  };
  return h;
}

test('warm-up stops when the server gets work, checked before each run', async () => {
  assert.equal(await warmUp(host(0)), 0);
  const h = host(3);
  assert.equal(await warmUp(h), 3);
  assert.equal(h.pieces, 4);
});

test('warm-up stops after its budget and its run limit', async () => {
  // start at 0; the checks read 1 and 2 (< 2.5: a run each), then 3
  assert.equal(await warmUp(host(1000), 2.5), 2);
  assert.equal(await warmUp(host(1000), 1000, 5), 5);
});
