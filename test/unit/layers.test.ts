/**
 * Mapping image history onto instructions, on output recorded from a real engine
 * (test/fixtures/layers/README.md): BuildKit and the legacy builder, a fresh build and
 * a cache hit, a --target whose stage is built FROM another stage, and edited files.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { describeEntry, figureText, fromChain, historyArgv, mapLayers, parseBuildKitSteps, parseHistory } from '../../client/src/builds/layers';
import { computeBuildTargets } from '../../server/src/features/codeLens';
import { buildModel } from '../../server/src/model/model';

const dir = path.resolve(__dirname, '../../../test/fixtures/layers');
const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
const outlineOf = (text: string) => computeBuildTargets(buildModel(text), 'file:///x/Dockerfile', 1, undefined);
const DOCKERFILE = read('chain.Dockerfile');
const APP = 1;

test('history parses to oldest-first entries with byte sizes (docker JSON lines, podman array)', () => {
  const h = parseHistory(read('buildkit-history.jsonl'));
  assert.ok(h);
  assert.equal(h.length, 9);
  assert.equal(h[0]?.createdBy, '');
  assert.equal(h[0]?.size, 115768582);
  assert.equal(h[8]?.createdBy, 'CMD ["cat" "/b.txt"]');
  const podman = parseHistory(
    JSON.stringify([
      { id: 'a', created_by: '/bin/sh -c #(nop) CMD ["x"]', size: 0 },
      { id: 'b', CreatedBy: '/bin/sh -c make', size: 42 },
    ]),
  );
  assert.deepEqual(podman, [
    { createdBy: '/bin/sh -c make', size: 42 },
    { createdBy: '/bin/sh -c #(nop) CMD ["x"]', size: 0 },
  ]);
  assert.equal(parseHistory('not json'), undefined);
  assert.equal(parseHistory('{"CreatedBy":"x","Size":"12MB"}'), undefined, 'human sizes are not bytes: refuse');
});

test('CreatedBy of each builder names the instruction', () => {
  assert.deepEqual(describeEntry('RUN |1 V=1 /bin/sh -c head -c 1 /dev/urandom > /a && echo $V # buildkit'), {
    keyword: 'RUN',
    body: 'head -c 1 /dev/urandom > /a && echo $V',
  });
  assert.deepEqual(describeEntry('|1 V=1 /bin/sh -c echo $V'), { keyword: 'RUN', body: 'echo $V' });
  assert.deepEqual(describeEntry('/bin/sh -c #(nop) COPY file:a9d4 in /b.txt '), { keyword: 'COPY', body: 'file:a9d4 in /b.txt' });
  assert.deepEqual(describeEntry('/bin/sh -c #(nop)  ENV X=1'), { keyword: 'ENV', body: 'X=1' });
  assert.deepEqual(describeEntry('COPY a.txt /src/a.txt # buildkit'), { keyword: 'COPY', body: 'a.txt /src/a.txt' });
  assert.equal(describeEntry('').keyword, '');
});

test('the --target chain: the target and the stages its FROM names', () => {
  const o = outlineOf(DOCKERFILE);
  assert.deepEqual(fromChain(o.stages, APP), [0, 1]);
  assert.deepEqual(fromChain(o.stages, 0), [0]);
});

for (const [builder, history, output] of [
  ['BuildKit', 'buildkit-history.jsonl', 'buildkit-build.txt'],
  ['legacy builder', 'legacy-history.jsonl', 'legacy-build.txt'],
] as const) {
  test(`${builder}: sizes land on the RUN and COPY lines of both stages of --target app`, () => {
    const o = outlineOf(DOCKERFILE);
    const m = mapLayers(o, APP, parseHistory(read(history)) ?? [], read(output));
    assert.ok(m, 'certain');
    assert.deepEqual(m.chain, [0, 1]);
    assert.equal(m.baseSize, 115768582);
    const byLine = new Map(m.figures.map((f) => [f.line + 1, f]));
    assert.deepEqual([...byLine.keys()], [4, 5, 6, 10, 11], 'WORKDIR, COPY, RUN of base; RUN, COPY of app (1-based lines)');
    assert.equal(byLine.get(6)?.size, 3_000_000);
    assert.equal(byLine.get(10)?.size, 1_000_000);
    assert.equal(byLine.get(5)?.size, 6);
    assert.equal(byLine.get(11)?.size, 6);
    if (builder === 'BuildKit') {
      assert.equal(byLine.get(6)?.seconds, 0.8);
      assert.equal(
        figureText(byLine.get(10)!, (n) => `${(n / 1e6).toFixed(1)} MB`),
        '+1.0 MB · 0.8 s',
      );
    } else assert.equal(byLine.get(6)?.seconds, undefined, 'the legacy builder reports no step times');
  });
}

test('BuildKit cache hit: sizes still map, times say cached', () => {
  const m = mapLayers(outlineOf(DOCKERFILE), APP, parseHistory(read('buildkit-history.jsonl')) ?? [], read('buildkit-cached-build.txt'));
  assert.ok(m);
  const run = m.figures.find((f) => f.line === 5);
  assert.equal(run?.size, 3_000_000);
  assert.equal(run?.cached, true);
  assert.equal(
    figureText(run, () => '3.0 MB'),
    '+3.0 MB · cached',
  );
  const steps = parseBuildKitSteps(read('buildkit-cached-build.txt'));
  assert.equal(steps.get('base')?.m, 4);
  assert.equal(steps.get('app')?.steps.get(2)?.keyword, 'COPY');
});

test('edited files: moved lines follow their instruction; a changed RUN or an added instruction shows nothing', () => {
  const h = parseHistory(read('buildkit-history.jsonl')) ?? [];
  const moved = DOCKERFILE.replace('FROM base AS app\n', '\n# a comment\nFROM base AS app\n');
  const m = mapLayers(outlineOf(moved), APP, h);
  assert.ok(m);
  assert.equal(m.figures.find((f) => f.size === 1_000_000)?.line, 11, 'the app RUN moved down by two lines');
  assert.equal(mapLayers(outlineOf(DOCKERFILE.replace('/dev/urandom > /app.bin', '/dev/zero > /app.bin')), APP, h), undefined);
  assert.equal(mapLayers(outlineOf(DOCKERFILE.replace('CMD ["cat", "/b.txt"]', 'RUN true\nCMD ["cat", "/b.txt"]')), APP, h), undefined);
  assert.equal(
    mapLayers(outlineOf(DOCKERFILE.replace('COPY --from=base /src/a.txt /b.txt', 'COPY --from=base /src/a.txt /c.txt')), APP, h),
    undefined,
    'COPY to another destination',
  );
});

test("a history that is not this target's maps to nothing", () => {
  const h = parseHistory(read('buildkit-history.jsonl')) ?? [];
  assert.equal(mapLayers(outlineOf(DOCKERFILE), 0, h), undefined, 'stage base alone would end at its RUN, not at CMD');
  assert.equal(mapLayers(outlineOf(DOCKERFILE), APP, h.slice(-3)), undefined, 'too short');
});

test('history argv per builder: bytes, untruncated', () => {
  assert.deepEqual(historyArgv({ kind: 'docker', command: '/usr/bin/docker', display: 'docker' }, 'x:y', '/w')?.args, [
    'history',
    '--no-trunc',
    '--human=false',
    '--format',
    '{{json .}}',
    '--',
    'x:y',
  ]);
  assert.deepEqual(historyArgv({ kind: 'podman', command: 'podman', display: 'podman' }, 'x:y', '/w')?.args, [
    'history',
    '--no-trunc',
    '--format',
    'json',
    '--',
    'x:y',
  ]);
  assert.equal(historyArgv({ kind: 'buildah', command: 'buildah', display: 'buildah' }, 'x:y', '/w'), undefined);
});
