// podman and buildah (Debian, rootful) build a --target for real through the
// project's own build plan (out/server/src/builds: the argv the VS Code tasks and
// the language server spawn), and a hostile target reaches each builder unchanged.
// Setup: scripts/engine/podman-images.sh (installs them, loads base images from our dockerd).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { planBuild } = require(path.join(root, 'out/server/src/builds/plan.js'));
const { inspectArgv } = require(path.join(root, 'out/server/src/builds/argv.js'));
const { parseImageInspect } = require(path.join(root, 'out/server/src/builds/format.js'));
const { which } = require(path.join(root, 'out/server/src/builds/which.js'));

function run(argv, env = process.env) {
  return new Promise((resolve, reject) => {
    const p = spawn(argv.command, argv.args, { cwd: argv.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out }));
  });
}

const DOCKERFILE = `FROM debian:bookworm-slim AS base
RUN echo base > /base.txt
FROM base AS tool
RUN echo tool > /tool.txt
FROM base AS final
RUN echo "the final stage must not be built for --target tool" && false
`;

function missing(kind) {
  if (!which(kind, process.env.PATH ?? '', root)) return `${kind} not installed (scripts/engine/podman-images.sh)`;
  const r = spawnSync('podman', ['image', 'exists', 'debian:bookworm-slim']);
  return r.status === 0 ? null : 'debian:bookworm-slim is not in podman storage (scripts/engine/podman-images.sh)';
}

for (const kind of ['podman', 'buildah']) {
  test(`${kind} builds --target tool (and not the failing final stage), argv from the shared plan`, { timeout: 300_000 }, async (t) => {
    const why = missing(kind);
    if (why) return t.skip(why);
    const dir = mkdtempSync(path.join(tmpdir(), `dfs-${kind}-`));
    try {
      writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
      const plan = planBuild(
        { type: 'dockerfile-stages', file: path.join(dir, 'Dockerfile'), target: 'tool', args: ['--network', 'none'] },
        { workspaceFolder: dir, settings: { builder: kind, args: '', tag: `dfs-engine-${kind}:\${target}`, context: '', runArgs: '' }, which: (n) => which(n, process.env.PATH ?? '', dir) },
      );
      assert.ok(!('error' in plan), plan.error);
      assert.equal(plan.argv.args[0], kind === 'buildah' ? 'bud' : 'build');
      const r = await run(plan.argv);
      assert.equal(r.code, 0, r.out.slice(-3000));
      assert.doesNotMatch(r.out, /must not be built/);
      const ins = await run(inspectArgv(plan.builder, plan.spec.tag, dir));
      assert.equal(ins.code, 0, ins.out);
      const info = parseImageInspect(ins.out);
      assert.ok(info?.id, ins.out.slice(0, 500));
      // The image's files (mounted, not run: this sandbox refuses the rlimits `podman run` sets).
      const ctr = spawnSync('buildah', ['from', '--pull=never', plan.spec.tag], { encoding: 'utf8' }).stdout.trim();
      try {
        const mnt = spawnSync('buildah', ['mount', ctr], { encoding: 'utf8' }).stdout.trim();
        assert.ok(mnt, 'buildah mount');
        assert.equal(readFileSync(path.join(mnt, 'tool.txt'), 'utf8'), 'tool\n');
        assert.equal(readFileSync(path.join(mnt, 'base.txt'), 'utf8'), 'base\n');
      } finally {
        spawnSync('buildah', ['umount', ctr]);
        spawnSync('buildah', ['rm', ctr]);
        spawnSync('podman', ['rmi', '-f', plan.spec.tag]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${kind}: a hostile target reaches the builder unchanged (argv, no shell)`, { timeout: 120_000 }, async (t) => {
    const why = missing(kind);
    if (why) return t.skip(why);
    const dir = mkdtempSync(path.join(tmpdir(), `dfs-${kind}-h-`));
    try {
      writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
      const marker = path.join(dir, 'pwned');
      const hostile = `x$(touch ${marker});touch ${marker}\`touch ${marker}\``;
      const plan = planBuild(
        { type: 'dockerfile-stages', file: path.join(dir, 'Dockerfile'), target: hostile, args: ['--network', 'none'] },
        { workspaceFolder: dir, settings: { builder: kind, args: '', tag: 'dfs-hostile:${target}', context: '', runArgs: '' }, which: (n) => which(n, process.env.PATH ?? '', dir) },
      );
      assert.ok(!('error' in plan));
      const r = await run(plan.argv);
      assert.notEqual(r.code, 0);
      assert.ok(r.out.includes(hostile), `the builder names the target as given:\n${r.out.slice(-1500)}`);
      assert.ok(!existsSync(marker), 'no shell ran the name');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
