// Real builds against the project's private engine (scripts/engine/).
// Skips with a reason when the engine is not running; CI starts it
// (setup-engine.sh + make-base-images.sh) so there these must pass.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { docker, dockerOk, engineUnavailable, requireImages, imageSize } from './lib.mjs';

const unavailable = await engineUnavailable();
const RUN_ID = `${process.pid}-${Date.now().toString(36)}`;
const TAG = (name) => `dse-test/${name}:${RUN_ID}`;
const made = [];
let dir;

before(async () => {
  if (unavailable) return;
  dir = await mkdtemp(path.join(tmpdir(), 'dse-engine-test-'));
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  if (made.length) await docker(['image', 'rm', '-f', ...made]);
});

// A chain (base -> middle, plus assets via COPY --from) and stages that are
// not part of it: `broken` fails if it ever runs, `final` and `side` come
// after / beside the target. Each stage leaves a LABEL and a file.
const TARGETS_DOCKERFILE = `
FROM debian:bookworm-slim AS broken
RUN echo ">>> STAGE broken RAN" && false

FROM debian:bookworm-slim AS assets
LABEL stage.assets=ran
RUN echo ">>> STAGE assets RAN" && echo asset > /asset

FROM debian:bookworm-slim AS base
LABEL stage.base=ran
RUN echo ">>> STAGE base RAN" && echo base > /chain-base

FROM base AS side
LABEL stage.side=ran
RUN echo ">>> STAGE side RAN" && echo side > /chain-side

FROM base AS middle
LABEL stage.middle=ran
COPY --from=assets /asset /asset
RUN echo ">>> STAGE middle RAN" && echo middle > /chain-middle

FROM middle AS final
LABEL stage.final=ran
RUN echo ">>> STAGE final RAN" && echo final > /chain-final
`;

function stagesThatRan(log) {
  // BuildKit's plain progress prints a RUN's output as "#N 0.123 <line>";
  // the step header also contains the command, so anchor on the output line.
  return [...new Set([...log.matchAll(/^#\d+ [\d.]+ >>> STAGE (\w+) RAN$/gm)].map((m) => m[1]))].sort();
}

test('--target of a middle stage builds only that stage\'s chain (BuildKit)', { timeout: 300_000 }, async (t) => {
  if (unavailable) return t.skip(unavailable);
  await requireImages(['debian:bookworm-slim']);
  const ctx = path.join(dir, 'targets');
  await mkdir(ctx, { recursive: true });
  await writeFile(path.join(ctx, 'Dockerfile'), TARGETS_DOCKERFILE);
  const tag = TAG('targets-middle');
  made.push(tag);

  // --no-cache: every stage the solver needs really executes its RUN, so the
  // log shows exactly which stages ran.
  const r = await docker(['build', '--progress=plain', '--no-cache', '--target', 'middle', '-t', tag, ctx]);
  const log = r.stdout + r.stderr;
  assert.equal(r.code, 0, `--target middle must not be broken by the unrelated failing stage:\n${log.slice(-3000)}`);
  assert.deepEqual(stagesThatRan(log), ['assets', 'base', 'middle'], log.slice(-3000));

  const labels = JSON.parse((await dockerOk(['image', 'inspect', '--format', '{{json .Config.Labels}}', tag])).stdout);
  // labels are inherited along FROM: base -> middle; not from COPY --from
  assert.equal(labels['stage.base'], 'ran');
  assert.equal(labels['stage.middle'], 'ran');
  for (const s of ['broken', 'assets', 'side', 'final']) assert.equal(labels[`stage.${s}`], undefined, `label of ${s}`);

  const files = (await dockerOk(['run', '--rm', tag, 'sh', '-c', 'cat /chain-base /asset /chain-middle; ls /chain-side /chain-final 2>&1 || true'])).stdout;
  assert.match(files, /^base\nasset\nmiddle\n/);
  assert.match(files, /\/chain-side'?: No such file/);
  assert.match(files, /\/chain-final'?: No such file/);
});

test('a bad --target fails fast with BuildKit\'s message', { timeout: 120_000 }, async (t) => {
  if (unavailable) return t.skip(unavailable);
  const ctx = path.join(dir, 'targets');
  const r = await docker(['build', '--progress=plain', '--target', 'nope', ctx]);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /target stage nope could not be found/);
});

test('legacy builder (DOCKER_BUILDKIT=0) runs every stage before the target, so the failing one breaks it', { timeout: 300_000 }, async (t) => {
  // What users whose CLI has no BuildKit get: documents why the CodeLens
  // must not promise BuildKit's stage skipping.
  if (unavailable) return t.skip(unavailable);
  await requireImages(['debian:bookworm-slim']);
  const ctx = path.join(dir, 'targets');
  const tag = TAG('targets-legacy');
  made.push(tag);
  const r = await docker(['build', '--no-cache', '--force-rm', '--target', 'middle', '-t', tag, ctx], { env: { DOCKER_BUILDKIT: '0' } });
  const log = r.stdout + r.stderr;
  assert.notEqual(r.code, 0, log.slice(-3000));
  assert.match(log, />>> STAGE broken RAN/);
  assert.match(log, /returned a non-zero code: 1/);
});

test('Go hello world: multi-stage FROM scratch is tiny next to the golang image', { timeout: 300_000 }, async (t) => {
  if (unavailable) return t.skip(unavailable);
  await requireImages(['golang:1.19']);
  const ctx = path.join(dir, 'hello');
  await mkdir(ctx, { recursive: true });
  await writeFile(path.join(ctx, 'go.mod'), 'module example.com/hello\n\ngo 1.19\n');
  await writeFile(path.join(ctx, 'main.go'), [
    'package main',
    '',
    'import (',
    '\t"fmt"',
    '\t"runtime"',
    ')',
    '',
    'func main() {',
    '\tfmt.Printf("Hello from scratch! (%s)\\n", runtime.Version())',
    '}',
    '',
  ].join('\n'));
  // CGO_ENABLED=0: the golang image has gcc, so without it a binary that
  // pulls in net/os/user would be dynamically linked and fail in scratch.
  await writeFile(path.join(ctx, 'Dockerfile'), [
    'FROM golang:1.19 AS build',
    'WORKDIR /src',
    'COPY go.mod main.go ./',
    'RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/hello .',
    '',
    'FROM scratch',
    'COPY --from=build /out/hello /hello',
    'ENTRYPOINT ["/hello"]',
    '',
  ].join('\n'));
  const tag = TAG('hello-scratch');
  made.push(tag);
  await dockerOk(['build', '--progress=plain', '-t', tag, ctx]);

  const out = (await dockerOk(['run', '--rm', tag])).stdout;
  assert.equal(out, 'Hello from scratch! (go1.19.8)\n');

  const small = await imageSize(tag);
  const golang = await imageSize('golang:1.19');
  t.diagnostic(`scratch image ${(small / 1e6).toFixed(2)} MB vs golang:1.19 ${(golang / 1e6).toFixed(0)} MB (${Math.round(golang / small)}x)`);
  assert.ok(small > 0 && small < 3_000_000, `scratch image is ${small} bytes, expected < 3 MB`);
  assert.ok(golang > 300_000_000, `golang:1.19 is ${golang} bytes, expected a full toolchain image`);
  assert.ok(golang / small > 100);
});
