/**
 * The general checks' runner (server/src/server/generalWorker.ts): in the worker thread
 * (dist/general-worker.js) and, when the worker cannot start, on the caller's thread, the
 * answer for a document given in stage pieces equals a whole-file check; a newer text for the
 * same document replaces one still waiting.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver';
import { GeneralFeatures } from '../../server/src/features/dls';
import { GeneralPieceCache, generalPieces } from '../../server/src/features/generalPieces';
import { buildModel } from '../../server/src/model/model';
import { GeneralValidator } from '../../server/src/server/generalWorker';
import { isCancelled } from '../../server/src/server/scheduler';

const root = path.resolve(__dirname, '../../..');
const script = path.join(root, 'dist/general-worker.js');
const general = new GeneralFeatures(() => undefined);
const sorted = (ds: readonly Diagnostic[]): string[] => ds.map((d) => JSON.stringify(d)).sort();
const text = execFileSync(process.execPath, [path.join(root, 'scripts/bench/gen.mjs'), '--stages', '10', '--seed', '7'], { encoding: 'utf8' });
const whole = sorted(general.validate(buildModel(text).text));

test('in the worker thread, the checks of a document in stage pieces equal a whole-file check', async () => {
  assert.ok(existsSync(script), 'dist/general-worker.js is built before the unit tests');
  const logs: string[] = [];
  const v = new GeneralValidator(
    script,
    () => Promise.reject(new Error('not in the thread')),
    (m) => logs.push(m),
  );
  try {
    assert.deepEqual(sorted(await v.validate('a', generalPieces(buildModel(text)))), whole);
    // Again after an edit of one stage (the worker keeps the other stages' answers).
    const edited = text.replace(/\nRUN /, '\nRUN  ');
    assert.deepEqual(sorted(await v.validate('a', generalPieces(buildModel(edited)))), sorted(general.validate(buildModel(edited).text)));
    v.forget('a');
    assert.deepEqual(sorted(await v.validate('a', generalPieces(buildModel(text)))), whole);
    // One check runs at a time: of two more texts sent while it runs, the newer replaces the older.
    const running = v.validate('c', generalPieces(buildModel(text)));
    const replaced = v.validate('c', generalPieces(buildModel('FROM a\nRUN x\n')));
    const newest = v.validate('c', generalPieces(buildModel(text)));
    const [r1, r2, r3] = await Promise.allSettled([running, replaced, newest]);
    assert.equal(r1.status, 'fulfilled');
    assert.ok(r2.status === 'rejected' && isCancelled(r2.reason), 'the replaced text is never checked');
    assert.ok(r3.status === 'fulfilled');
    assert.deepEqual(sorted(r3.value), whole);
    assert.deepEqual(logs, []);
  } finally {
    v.dispose();
  }
});

test('without a worker, the checks run on the thread, and a newer text replaces one still waiting', async () => {
  const cache = new GeneralPieceCache((t) => general.validate(t));
  const logs: string[] = [];
  const v = new GeneralValidator(
    path.join(root, 'dist/no-such-worker.js'),
    (key, pieces) =>
      new Promise((resolve) =>
        setImmediate(() => {
          resolve(cache.validate(key, pieces));
        }),
      ),
    (m) => logs.push(m),
    (key) => {
      cache.forget(key);
    },
  );
  const first = v.validate('b', generalPieces(buildModel('FROM a\nRUN x\n')));
  const second = v.validate('b', generalPieces(buildModel(text)));
  const [a, b] = await Promise.allSettled([first, second]);
  // The first had already started (the fallback runs at once), or was replaced before it did.
  assert.ok(a.status === 'fulfilled' || isCancelled(a.reason), String(a.status === 'rejected' ? a.reason : ''));
  assert.equal(b.status, 'fulfilled');
  if (b.status === 'fulfilled') assert.deepEqual(sorted(b.value), whole);
  v.forget('b');
  v.dispose();
});
