#!/usr/bin/env node
// gen.mjs — deterministic generator of synthetic but realistic multi-stage Dockerfiles.
//
//   node gen.mjs --stages 100 [--seed 1] [--noise 0.01] [--out file.Dockerfile]
//   node gen.mjs --stages 1,10,100,1000 [--seed 1] --dir fixtures
//        -> fixtures/stages-1.Dockerfile, fixtures/stages-10.Dockerfile, ...
//
// Output depends only on (stages, seed, noise): same arguments -> byte-identical file.
// Each stage has 5-15 instructions after its FROM, drawn from: ARG, ENV, RUN with line
// continuations, COPY --from=<earlier stage by name or index>, RUN --mount=type=cache,from=...,
// RUN --mount=type=bind,from=..., WORKDIR, LABEL, EXPOSE, USER, ADD, heredoc RUN <<EOF / COPY <<EOF,
// and HEALTHCHECK / CMD / ENTRYPOINT near the end of a stage. ~30% of stages build FROM an earlier
// stage. --noise is the per-instruction probability of a small lint issue that most Dockerfile
// linters flag (lower-case keyword, relative WORKDIR), so diagnostics and code actions have work.
//
// Provenance: copied unchanged (apart from this note) from the project's shared benchmark harness,
// /work/shared/bench/gen.mjs, which generated the fixtures behind that folder's BASELINE.md.
// Do not change the generator: `--seed 1` must keep producing byte-identical files, or numbers stop
// being comparable with BASELINE.md and with earlier bench-results/.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function parseArgs(argv) {
  const o = { stages: '10', seed: '1', noise: '0.01', out: null, dir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`); return argv[++i]; };
    if (a === '--stages' || a === '-n') o.stages = next();
    else if (a === '--seed') o.seed = next();
    else if (a === '--noise') o.noise = next();
    else if (a === '--out' || a === '-o') o.out = next();
    else if (a === '--dir') o.dir = next();
    else if (a === '--help' || a === '-h') { o.help = true; }
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

// mulberry32: tiny, fast, deterministic PRNG
function mulberry32(a) {
  return function () {
    a |= 0; a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function hashSeed(str) {
  let h = 2166136261 >>> 0;
  for (let i = 0; i < str.length; i++) { h ^= str.charCodeAt(i); h = Math.imul(h, 16777619) >>> 0; }
  return h;
}

const ROLES = ['deps', 'build', 'test', 'lint', 'assets', 'compile', 'bundle', 'tools', 'gen', 'docs', 'proto', 'migrate', 'runtime', 'fetch', 'vendor'];
const IMAGES = [
  { ref: 'node:${NODE_VERSION}-alpine', pm: 'apk', lang: 'node' },
  { ref: 'node:20-bookworm-slim', pm: 'apt', lang: 'node' },
  { ref: 'golang:${GO_VERSION}-alpine', pm: 'apk', lang: 'go' },
  { ref: 'golang:1.22-bookworm', pm: 'apt', lang: 'go' },
  { ref: 'python:3.12-slim', pm: 'apt', lang: 'python' },
  { ref: 'rust:1.77-slim-bookworm', pm: 'apt', lang: 'rust' },
  { ref: 'debian:bookworm-slim', pm: 'apt', lang: 'sh' },
  { ref: 'ubuntu:22.04', pm: 'apt', lang: 'sh' },
  { ref: 'alpine:${ALPINE_VERSION}', pm: 'apk', lang: 'sh' },
  { ref: '${BASE_REGISTRY}/library/alpine:3.19', pm: 'apk', lang: 'sh' },
  { ref: 'gcr.io/distroless/static-debian12:nonroot', pm: null, lang: 'none' },
  { ref: 'eclipse-temurin:21-jdk', pm: 'apt', lang: 'java' },
];
const APT_PKGS = ['curl', 'ca-certificates', 'git', 'build-essential', 'pkg-config', 'libssl-dev', 'unzip', 'jq', 'make', 'openssh-client', 'tini', 'gnupg', 'xz-utils', 'python3', 'zlib1g-dev'];
const APK_PKGS = ['curl', 'ca-certificates', 'git', 'build-base', 'bash', 'openssl', 'jq', 'make', 'tini', 'musl-dev', 'libc6-compat', 'zstd'];
const CACHE_TARGETS = {
  node: '/root/.npm', go: '/root/.cache/go-build', python: '/root/.cache/pip', rust: '/usr/local/cargo/registry',
  java: '/root/.m2', sh: '/var/cache/apt', none: '/tmp/cache',
};
const BUILD_CMDS = {
  node: ['npm ci --prefer-offline', 'npm run build', 'npm test -- --ci', 'npx tsc -p tsconfig.build.json'],
  go: ['go mod download', 'CGO_ENABLED=0 go build -trimpath -o /out/app ./cmd/app', 'go test ./...', 'go vet ./...'],
  python: ['pip install --no-cache-dir -r requirements.txt', 'python -m compileall -q src', 'python -m pytest -q'],
  rust: ['cargo fetch', 'cargo build --release --locked', 'cargo test --release'],
  java: ['./mvnw -B dependency:go-offline', './mvnw -B package -DskipTests'],
  sh: ['make all', './scripts/build.sh', 'sh ./configure --prefix=/usr/local && make -j"$(nproc)"'],
  none: ['true'],
};

function uniqPush(arr, v) { if (!arr.includes(v)) arr.push(v); }

function generate(stages, seed, noise) {
  const rnd = mulberry32(hashSeed(`${seed}:${stages}`));
  const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
  const chance = (p) => rnd() < p;
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const kw = (k) => (chance(noise) ? k.toLowerCase() : k); // noise: lower-case keyword

  const out = [];
  out.push('# syntax=docker/dockerfile:1.7');
  out.push(`# Synthetic multi-stage Dockerfile: ${stages} stage(s), seed ${seed}. Generated by gen.mjs; do not edit.`);
  out.push('ARG BASE_REGISTRY=docker.io');
  out.push('ARG NODE_VERSION=20');
  out.push('ARG GO_VERSION=1.22');
  out.push('ARG ALPINE_VERSION=3.19');
  out.push('');

  const stageInfo = []; // {name, lang, pm}
  for (let i = 0; i < stages; i++) {
    const name = `${pick(ROLES)}-${i}`;
    let img;
    let fromRef;
    if (i > 0 && chance(0.3)) {
      const base = stageInfo[int(Math.max(0, i - 20), i - 1)];
      img = { pm: base.pm, lang: base.lang };
      fromRef = base.name;
    } else {
      img = pick(IMAGES);
      fromRef = img.ref;
    }
    stageInfo.push({ name, lang: img.lang, pm: img.pm });
    if (chance(0.5)) out.push(`# --- stage ${i}: ${name} ---`);
    const platform = chance(0.15) ? '--platform=$BUILDPLATFORM ' : '';
    out.push(`FROM ${platform}${fromRef} AS ${name}`);

    const earlier = () => {
      // reference an earlier stage, by name (80%) or by numeric index (20%); prefer recent ones
      const j = chance(0.7) ? int(Math.max(0, i - 10), i - 1) : int(0, i - 1);
      return chance(0.8) ? stageInfo[j].name : String(j);
    };
    const n = int(5, 15);
    let workdirSet = false;
    let healthcheck = false;
    for (let k = 0; k < n; k++) {
      const last = k === n - 1;
      let r = rnd();
      if (last && chance(0.4)) r = 0.99; // end some stages with CMD/ENTRYPOINT (only ever as the last instruction)
      else if (r >= 0.97 && !last) r = rnd() * 0.95; // CMD/ENTRYPOINT only as a stage's last instruction
      if (r >= 0.95 && r < 0.97 && healthcheck) r = 0.5; // at most one HEALTHCHECK per stage
      if (r < 0.08) {
        // ARG
        out.push(chance(0.5) ? `${kw('ARG')} TARGETARCH` : `${kw('ARG')} VERSION_${i}=1.${i % 50}.${k}`);
      } else if (r < 0.18) {
        // ENV
        const pairs = [];
        for (let p = int(1, 3); p > 0; p--) uniqPush(pairs, pick([`APP_ENV=production`, `PORT=${8000 + (i % 1000)}`, `PATH="/opt/bin:$PATH"`, `LOG_LEVEL=info`, `HOME=/home/app`, `STAGE_${i}_DIR=/opt/${name}`]));
        out.push(`${kw('ENV')} ${pairs.join(' ')}`);
      } else if (r < 0.36) {
        // RUN with line continuations (package install)
        if (img.pm === 'apt') {
          const pkgs = []; for (let p = int(2, 6); p > 0; p--) uniqPush(pkgs, pick(APT_PKGS));
          out.push(`${kw('RUN')} apt-get update \\`);
          out.push('    && apt-get install -y --no-install-recommends \\');
          for (const p of pkgs) out.push(`        ${p} \\`);
          out.push('    && rm -rf /var/lib/apt/lists/*');
        } else if (img.pm === 'apk') {
          const pkgs = []; for (let p = int(2, 5); p > 0; p--) uniqPush(pkgs, pick(APK_PKGS));
          out.push(`${kw('RUN')} apk add --no-cache \\`);
          for (let p = 0; p < pkgs.length; p++) out.push(`        ${pkgs[p]}${p < pkgs.length - 1 ? ' \\' : ''}`);
        } else {
          out.push(`${kw('RUN')} ["/busybox/sh", "-c", "echo stage ${i}"]`);
        }
      } else if (r < 0.52 && i > 0) {
        // COPY --from=<earlier stage by name or index>
        const chown = chance(0.3) ? '--chown=1000:1000 ' : '';
        const link = chance(0.2) ? '--link ' : '';
        out.push(`${kw('COPY')} ${link}${chown}--from=${earlier()} ${pick(['/out/app', '/app/dist', '/usr/local/bin/tool', '/build/target/release/app', '/opt/venv'])} ${pick(['/usr/local/bin/', '/app/', '/opt/', './'])}`);
      } else if (r < 0.52) {
        out.push(`${kw('COPY')} ${pick(['package.json package-lock.json ./', 'go.mod go.sum ./', 'requirements.txt ./', 'Cargo.toml Cargo.lock ./', '. .'])}`);
      } else if (r < 0.64) {
        // RUN --mount=type=cache[,from=...] [--mount=type=bind,from=...] with continuation
        const id = `${img.lang}-cache`;
        const from = i > 0 && chance(0.7) ? `,from=${earlier()}` : '';
        const cache = `--mount=type=cache,target=${CACHE_TARGETS[img.lang] || '/tmp/cache'},id=${id}${from}${chance(0.3) ? ',sharing=locked' : ''}`;
        const bind = i > 0 && chance(0.4) ? ` \\\n    --mount=type=bind,from=${earlier()},source=/out,target=/in` : '';
        out.push(`${kw('RUN')} ${cache}${bind} \\`);
        out.push(`    ${pick(BUILD_CMDS[img.lang] || BUILD_CMDS.sh)}`);
      } else if (r < 0.72) {
        // WORKDIR (noise: relative path)
        if (chance(noise)) out.push(`WORKDIR src/${name}`);
        else out.push(`${kw('WORKDIR')} ${pick(['/app', '/src', '/build', `/opt/${name}`, '/workspace'])}`);
        workdirSet = true;
      } else if (r < 0.78) {
        // heredoc RUN (occasionally COPY heredoc)
        if (chance(0.75)) {
          out.push(`${kw('RUN')} <<EOF`);
          out.push('set -eux');
          out.push(`echo "building ${name}"`);
          for (let h = int(1, 4); h > 0; h--) out.push(pick(['mkdir -p /out', 'ls -la', `touch /out/.stage-${i}`, 'env | sort > /tmp/env.txt', 'find . -name "*.tmp" -delete']));
          out.push('EOF');
        } else {
          out.push(`${kw('COPY')} <<EOF /etc/${name}.conf`);
          out.push(`name=${name}`);
          out.push(`index=${i}`);
          out.push('EOF');
        }
      } else if (r < 0.84) {
        out.push(`${kw('LABEL')} org.opencontainers.image.title="${name}" org.opencontainers.image.version="1.${i}.0"`);
      } else if (r < 0.88) {
        out.push(`${kw('EXPOSE')} ${8000 + (i % 1000)}`);
      } else if (r < 0.92) {
        out.push(`${kw('USER')} ${pick(['nobody', '1000:1000', 'app', 'nonroot:nonroot'])}`);
      } else if (r < 0.95) {
        out.push(`${kw('ADD')} ${chance(0.5) ? '--chmod=755 ' : ''}https://example.com/releases/tool-${i}.tar.gz /tmp/`);
      } else if (r < 0.97) {
        healthcheck = true;
        out.push(`${kw('HEALTHCHECK')} --interval=30s --timeout=3s --retries=3 \\`);
        out.push(`    CMD curl -fsS http://localhost:${8000 + (i % 1000)}/healthz || exit 1`);
      } else {
        if (chance(0.5)) out.push(`${kw('CMD')} ["${workdirSet ? './' : '/usr/local/bin/'}app", "--port", "${8000 + (i % 1000)}"]`);
        else out.push(`${kw('ENTRYPOINT')} ["/usr/bin/tini", "--", "/usr/local/bin/app"]`);
      }
    }
    out.push('');
  }
  return out.join('\n');
}

function main() {
  let o;
  try { o = parseArgs(process.argv.slice(2)); } catch (e) { console.error(String(e.message)); process.exit(2); }
  if (o.help) {
    console.log('usage: node gen.mjs --stages N[,N...] [--seed S] [--noise P] [--out FILE | --dir DIR]');
    return;
  }
  const list = o.stages.split(',').map((s) => parseInt(s, 10));
  if (list.some((n) => !(n >= 1))) { console.error('--stages must be positive integers'); process.exit(2); }
  const noise = Number(o.noise);
  if (list.length > 1 && !o.dir) { console.error('several --stages need --dir'); process.exit(2); }
  for (const n of list) {
    const text = generate(n, o.seed, noise);
    if (o.dir) {
      mkdirSync(o.dir, { recursive: true });
      const p = join(o.dir, `stages-${n}.Dockerfile`);
      writeFileSync(p, text);
      console.error(`${p}: ${text.split('\n').length} lines, ${Buffer.byteLength(text)} bytes`);
    } else if (o.out) {
      writeFileSync(o.out, text);
      console.error(`${o.out}: ${text.split('\n').length} lines, ${Buffer.byteLength(text)} bytes`);
    } else {
      process.stdout.write(text);
    }
  }
}

main();
