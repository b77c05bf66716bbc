// Helpers for the real-engine tests: find the private engine started by
// scripts/engine/setup-engine.sh and run its docker CLI.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const DSE_DIR = process.env.DSE_DIR || '/tmp/dse';
// The wrapper pins Debian's /usr/bin/docker (BuildKit built in), our socket
// and DOCKER_BUILDKIT=1. Never the `docker` first on PATH: on these machines
// that is a 28.x CLI without buildx that silently uses the legacy builder.
export const DOCKER = path.join(DSE_DIR, 'bin', 'docker');

/**
 * Run the engine's docker CLI. Resolves to { code, stdout, stderr } (never
 * rejects on a non-zero exit; rejects only if the process cannot start).
 */
export function docker(args, { env = {}, input, timeoutMs = 300_000, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(DOCKER, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: signal ? `killed by ${signal} after ${timeoutMs} ms` : code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** Like docker(), but throws with the command's output if it fails. */
export async function dockerOk(args, opts) {
  const r = await docker(args, opts);
  if (r.code !== 0) {
    throw new Error(`docker ${args.join(' ')} failed (${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  }
  return r;
}

/**
 * Why the engine can't be used, or null if it answers. Tests skip on a
 * reason; CI starts the engine first, so there the reason is null.
 */
export async function engineUnavailable() {
  if (!existsSync(DOCKER)) {
    return `no engine: ${DOCKER} not found (run scripts/engine/setup-engine.sh start, then scripts/engine/make-base-images.sh)`;
  }
  try {
    const r = await docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
    if (r.code !== 0) {
      return `no engine: \`${DOCKER} info\` failed (${r.code}): ${r.stderr.trim().split('\n')[0]} (run scripts/engine/setup-engine.sh start)`;
    }
  } catch (err) {
    return `no engine: cannot run ${DOCKER}: ${err.message}`;
  }
  return null;
}

/** Throws a helpful error if any of the images is not in the local store. */
export async function requireImages(images) {
  const missing = [];
  for (const img of images) {
    const r = await docker(['image', 'inspect', '--format', '{{.Id}}', img], { timeoutMs: 20_000 });
    if (r.code !== 0) missing.push(img);
  }
  if (missing.length) {
    throw new Error(`base images missing from the engine: ${missing.join(', ')}; run scripts/engine/make-base-images.sh`);
  }
}

export async function imageSize(ref) {
  const r = await dockerOk(['image', 'inspect', '--format', '{{.Size}}', ref]);
  return Number(r.stdout.trim());
}
