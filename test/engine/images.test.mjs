// The base images made by scripts/engine/make-base-images.sh: every tag is
// there, and each stand-in has what Dockerfiles written for the official
// image rely on. Skips when the engine is not running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCKER, docker, dockerOk, engineUnavailable, requireImages } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const unavailable = await engineUnavailable();

/** unit -> tags, from `make-base-images.sh --list` (the single source of truth). */
function units() {
  const r = spawnSync('bash', [path.join(root, 'scripts/engine/make-base-images.sh'), '--list'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = new Map();
  const list = r.stdout.slice(r.stdout.indexOf('\nunits'));
  for (const m of list.matchAll(/^ {2}([a-z][\w-]*) +(\S.*)$/gm)) out.set(m[1], m[2].trim().split(/\s+/));
  return out;
}

test('every unit\'s tags exist and point at one image', { timeout: 120_000 }, async (t) => {
  if (unavailable) return t.skip(unavailable);
  const all = units();
  assert.ok(all.size >= 17, `units parsed from --list: ${[...all.keys()]}`);
  await requireImages([...all.values()].map((tags) => tags[0]));
  for (const [unit, tags] of all) {
    const ids = new Set();
    for (const tag of tags) ids.add((await dockerOk(['image', 'inspect', '--format', '{{.Id}}', tag])).stdout.trim());
    assert.equal(ids.size, 1, `${unit}: ${tags.join(', ')} -> ${[...ids].join(', ')}`);
  }
});

// image -> [shell script, regexps its output must match]
const CHECKS = {
  'debian:bookworm': ['. /etc/os-release; echo "$VERSION_ID $VERSION_CODENAME"; ls /etc/apt/apt.conf.d; ls /usr/share/man | wc -l',
    [/^12 bookworm$/m, /docker-clean/, /^[1-9]\d*$/m]],
  'debian:bookworm-slim': ['. /etc/os-release; echo "$VERSION_ID"; cat /etc/dpkg/dpkg.cfg.d/docker; echo "man:$(ls /usr/share/man | wc -l)"',
    [/^12$/m, /path-exclude \/usr\/share\/man/, /^man:0$/m]],
  'golang:1.19': ['go version; command -v go; go env GOPATH CGO_ENABLED; git --version; gcc --version | head -n1; pwd',
    [/go1\.19\.8 linux/, /^\/usr\/local\/go\/bin\/go$/m, /^\/go\n1$/m, /^git version/m, /^gcc/m, /^\/go$/m]],
  'node:18': ['node -v; npm -v; id node',
    [/^v18\./m, /^9\./m, /uid=1000\(node\) gid=1000\(node\)/]],
  'node:18-slim': ['node -v; command -v npm || echo no-npm; id -u node',
    [/^v18\./m, /^no-npm$/m, /^1000$/m]],
  'python:3.11': ['python --version; python3 --version; pip --version; command -v python; python -m venv /tmp/v && echo venv-ok; ls /usr/lib/python3.11/EXTERNALLY-MANAGED 2>&1; python -c "import sys; print(sys.path)"',
    [/^Python 3\.11\./m, /^pip \d/m, /^\/usr\/local\/bin\/python$/m, /^venv-ok$/m, /No such file/, /\/usr\/local\/lib\/python3\.11\/dist-packages/]],
  'python:3.11-slim': ['python --version; pip --version; python -m venv /tmp/v && echo venv-ok',
    [/^Python 3\.11\./m, /^pip \d/m, /^venv-ok$/m]],
  'rust:1.63': ['rustc --version; cargo --version; echo "$CARGO_HOME"; cd /tmp && cargo new -q --vcs none hi && cd hi && cargo run -q --offline',
    [/^rustc 1\.63\./m, /^cargo /m, /^\/usr\/local\/cargo$/m, /^Hello, world!$/m]],
  'maven:3-eclipse-temurin-17': ['java -version 2>&1; javac -version; mvn -v -B 2>&1 | head -n1; echo "$JAVA_HOME"; ls "$JAVA_HOME/bin/java"',
    [/version "17\./, /^javac 17\./m, /Apache Maven 3\.8/, /^\/opt\/java\/openjdk$/m, /^\/opt\/java\/openjdk\/bin\/java$/m]],
  'eclipse-temurin:17-jre': ['java -version 2>&1; command -v javac || echo no-javac; echo "$JAVA_HOME"',
    [/version "17\./, /^no-javac$/m, /^\/opt\/java\/openjdk$/m]],
  'gcc:12': ['gcc --version | head -n1; g++ --version | head -n1; cmake --version | head -n1; make --version | head -n1',
    [/^gcc .* 12\./m, /^g\+\+ .* 12\./m, /^cmake version 3\./m, /^GNU Make/m]],
};

for (const [image, [script, patterns]] of Object.entries(CHECKS)) {
  test(`${image} behaves like the official image`, { timeout: 120_000 }, async (t) => {
    if (unavailable) return t.skip(unavailable);
    await requireImages([image]);
    const r = await docker(['run', '--rm', '--network=none', image, 'sh', '-c', script]);
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 0, out);
    for (const p of patterns) assert.match(out, p);
  });
}

/** Paths inside an image, without running it (distroless has no shell). */
async function listFiles(image) {
  const id = (await dockerOk(['create', image, '/nonexistent'])).stdout.trim();
  try {
    const tar = spawnSync('bash', ['-c', `"$0" export "$1" | tar -t`, DOCKER, id], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(tar.status, 0, tar.stderr);
    return new Set(tar.stdout.split('\n').map((l) => l.replace(/\/$/, '')));
  } finally {
    await docker(['rm', '-f', id]);
  }
}

const DISTROLESS = {
  static: { has: ['etc/ssl/certs/ca-certificates.crt', 'usr/share/zoneinfo/Europe/Paris', 'etc/services', 'home/nonroot', 'tmp'], lacks: ['bin/sh', 'lib64/ld-linux-x86-64.so.2'] },
  base: { has: ['etc/ssl/certs/ca-certificates.crt', 'lib64/ld-linux-x86-64.so.2', 'lib/x86_64-linux-gnu/libc.so.6'], lacks: ['bin/sh', 'usr/lib/x86_64-linux-gnu/libstdc++.so.6'] },
  cc: { has: ['lib64/ld-linux-x86-64.so.2', 'usr/lib/x86_64-linux-gnu/libstdc++.so.6'], lacks: ['bin/sh', 'usr/bin/apt'] },
};

for (const [flavor, { has, lacks }] of Object.entries(DISTROLESS)) {
  test(`gcr.io/distroless/${flavor}-debian12 (and :nonroot) is shell-less with the right files`, { timeout: 120_000 }, async (t) => {
    if (unavailable) return t.skip(unavailable);
    if (process.arch !== 'x64') return t.skip('paths checked are x86_64 ones');
    const image = `gcr.io/distroless/${flavor}-debian12`;
    await requireImages([image, `${image}:nonroot`]);
    const files = await listFiles(image);
    for (const f of has) assert.ok(files.has(f), `${image} lacks ${f}`);
    for (const f of lacks) assert.ok(!files.has(f), `${image} has ${f}`);
    const cfg = JSON.parse((await dockerOk(['image', 'inspect', '--format', '{{json .Config}}', `${image}:nonroot`])).stdout);
    assert.equal(cfg.User, '65532:65532');
    assert.equal(cfg.WorkingDir, '/home/nonroot');
    assert.ok(cfg.Env.includes('SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt'));
    const r = await docker(['run', '--rm', '--network=none', image, '/bin/sh', '-c', 'true']);
    assert.notEqual(r.code, 0, 'no shell in distroless');
  });
}
