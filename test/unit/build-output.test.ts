/**
 * Build errors back on Dockerfile lines, from real builder output (Docker
 * 20.10 with BuildKit and with the legacy builder, captured from the engine of
 * scripts/engine; podman's and newer BuildKit's formats from their sources).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { locateBuildErrors } from '../../client/src/builds/output';
import { buildModel } from '../../server/src/model/model';
import { computeBuildTargets } from '../../server/src/features/codeLens';

const DOCKERFILE = `ARG V=1
FROM debian:bookworm AS base
RUN echo base

FROM base
RUN echo "unnamed step" && \\
    ls /nope-$V

FROM scratch AS files
COPY missing.txt /
LABEL a=b
`;
const outline = computeBuildTargets(buildModel(DOCKERFILE), 'file:///w/Dockerfile', 1, undefined);
const at = (ps: { range: { start: { line: number }; end: { line: number } } }[]) => ps.map((p) => `${p.range.start.line}-${p.range.end.line}`);

const BUILDKIT_RUN = `#1 [internal] load build definition from Dockerfile
#1 sha256:1a64553be2e87cf679ff13bdb831074a7f6d6607c68c29b33442199a3446f194
#1 transferring dockerfile: 186B 0.0s done
#1 DONE 0.1s

#4 [1/3] FROM docker.io/library/debian:bookworm
#4 DONE 0.0s

#5 [base 2/2] RUN echo base
#5 0.507 base
#5 DONE 0.6s

#6 [stage-1 1/1] RUN echo "unnamed step" &&     ls /nope-$V
#6 sha256:b4010f9161c3a0597d964bc6690f2557091e9e8af5f67f43b3b932482296a7a2
#6 0.943 unnamed step
#6 0.949 ls: cannot access '/nope-': No such file or directory
#6 ERROR: executor failed running [/bin/sh -c echo "unnamed step" &&     ls /nope-$V]: exit code: 2
------
 > [stage-1 1/1] RUN echo "unnamed step" &&     ls /nope-$V:
------
executor failed running [/bin/sh -c echo "unnamed step" &&     ls /nope-$V]: exit code: 2
`;

test('BuildKit: a failing RUN in an unnamed stage (stage-1) is put on its lines, with its output', () => {
  const ps = locateBuildErrors(BUILDKIT_RUN, outline, 'Dockerfile');
  assert.deepEqual(at(ps), ['5-6']);
  assert.equal(
    ps[0]?.message,
    `RUN failed: executor failed running [/bin/sh -c echo "unnamed step" &&     ls /nope-$V]: exit code: 2
unnamed step
ls: cannot access '/nope-': No such file or directory`,
  );
});

test('BuildKit: a COPY of a missing file in a named stage', () => {
  const out = `#4 [files 1/1] COPY missing.txt /
#4 sha256:aa64476ae8b99b2d149304b98eea1862e773a52500eb994cf069d536bda67460
#4 ERROR: "/missing.txt" not found: not found
------
 > [files 1/1] COPY missing.txt /:
------
failed to compute cache key: "/missing.txt" not found: not found
`;
  const ps = locateBuildErrors(out, outline, 'Dockerfile');
  assert.deepEqual(at(ps), ['9-9']);
  assert.equal(ps[0]?.message, 'COPY failed: failed to compute cache key: "/missing.txt" not found: not found');
});

test('BuildKit and legacy: an unknown target points at the nearest stage name, with "did you mean"', () => {
  const bk = locateBuildErrors(
    '#2 DONE 0.1s\nfailed to solve with frontend dockerfile.v0: failed to create LLB definition: target stage fils could not be found\n',
    outline,
    'Dockerfile',
  );
  assert.deepEqual(
    bk.map((p) => [p.range.start.line, p.range.start.character, p.message]),
    [[8, 16, "Target stage 'fils' could not be found in Dockerfile: did you mean 'files'?"]],
  );
  const legacy = locateBuildErrors(
    'Sending build context to Docker daemon  2.048kB\nError response from daemon: failed to reach build target nope in Dockerfile\n',
    outline,
    'Dockerfile',
  );
  assert.deepEqual(
    legacy.map((p) => [p.range.start.line, p.message]),
    [[1, "Target stage 'nope' could not be found in Dockerfile (its named stages: base, files)"]],
  );
});

test('BuildKit: a base image that cannot be pulled is put on its FROM', () => {
  const out = `#3 [internal] load metadata for docker.io/library/debian:bookworm
#3 ERROR: failed to do request: Head "https://registry-1.docker.io/v2/library/debian/manifests/bookworm": dial tcp: lookup registry-1.docker.io: no such host
------
 > [internal] load metadata for docker.io/library/debian:bookworm:
------
failed to solve with frontend dockerfile.v0: failed to create LLB definition: failed to do request: Head "https://registry-1.docker.io/v2/library/debian/manifests/bookworm": dial tcp: lookup registry-1.docker.io: no such host
`;
  const ps = locateBuildErrors(out, outline, 'Dockerfile');
  assert.deepEqual(at(ps), ['1-1']);
  assert.match(ps[0]?.message ?? '', /^Cannot get the base image debian:bookworm: failed to do request/);
});

test('legacy builder: the last Step k/n (global ARGs count) is the failing instruction; ANSI colours are dropped', () => {
  const out =
    'Sending build context to Docker daemon  3.584kB\nStep 1/7 : ARG V=1\nStep 2/7 : FROM debian:bookworm AS base\n ---> 698a24f49755\nStep 3/7 : RUN echo base\n ---> Running in 1b788ea01434\nbase\nRemoving intermediate container 1b788ea01434\n ---> 47ede6e9d0e1\nStep 4/7 : FROM base\n ---> 47ede6e9d0e1\n' +
    'Step 5/7 : RUN echo "unnamed step" &&     ls /nope-$V\n ---> Running in dccbb79b3a43\nunnamed step\n\x1b[91mls: \x1b[0m\x1b[91mcannot access \'/nope-\'\x1b[0m\x1b[91m: No such file or directory\x1b[0m\x1b[91m\n' +
    '\x1b[0mThe command \'/bin/sh -c echo "unnamed step" &&     ls /nope-$V\' returned a non-zero code: 2\n';
  const ps = locateBuildErrors(out, outline, 'Dockerfile');
  assert.deepEqual(at(ps), ['5-6']);
  assert.equal(
    ps[0]?.message,
    `RUN failed: The command '/bin/sh -c echo "unnamed step" &&     ls /nope-$V' returned a non-zero code: 2
unnamed step
ls: cannot access '/nope-': No such file or directory`,
  );
  const copy = locateBuildErrors(
    'Step 1/3 : FROM scratch AS files\nStep 2/3 : COPY missing.txt /\nCOPY failed: file not found in build context or excluded by .dockerignore: stat missing.txt: file does not exist\n',
    outline,
    'Dockerfile',
  );
  assert.deepEqual(at(copy), ['9-9'], 'when the step number does not fit (a --target build of a later stage), the text decides');
});

test('parse errors by line; newer BuildKit source excerpts; podman steps', () => {
  const parse = locateBuildErrors(
    'failed to solve with frontend dockerfile.v0: failed to create LLB definition: Dockerfile parse error line 3: unknown instruction: RUNN\n',
    outline,
    'Dockerfile',
  );
  assert.deepEqual(
    parse.map((p) => [p.range.start.line, p.message]),
    [[2, 'Dockerfile parse error: unknown instruction: RUNN']],
  );
  const excerpt = locateBuildErrors(
    'Dockerfile:10\n--------------------\n   9 |     FROM scratch AS files\n  10 | >>> COPY missing.txt /\n--------------------\nERROR: failed to solve: failed to compute cache key: "/missing.txt": not found\n',
    outline,
    'Dockerfile',
  );
  assert.deepEqual(
    excerpt.map((p) => [p.range.start.line, p.message]),
    [[9, 'failed to compute cache key: "/missing.txt": not found']],
  );
  const podman = locateBuildErrors(
    '[1/3] STEP 1/2: FROM debian:bookworm AS base\n[1/3] STEP 2/2: RUN echo base\nbase\n[2/3] STEP 1/2: FROM base\n[2/3] STEP 2/2: RUN echo "unnamed step" &&     ls /nope-$V\nls: cannot access \'/nope-\': No such file or directory\nError: building at STEP "RUN echo "unnamed step" &&     ls /nope-$V": while running runtime: exit status 2\n',
    outline,
    'Dockerfile',
  );
  assert.deepEqual(at(podman), ['5-6']);
  assert.match(podman[0]?.message ?? '', /^RUN failed: building at STEP/);
});

test('a successful build or unknown output gives no problems', () => {
  assert.deepEqual(locateBuildErrors('#5 DONE 0.1s\n#6 naming to docker.io/library/x:y done\n', outline, 'Dockerfile'), []);
  assert.deepEqual(locateBuildErrors('', outline, 'Dockerfile'), []);
});
