/**
 * Which engine a build goes to, and what a builder's output says when that engine
 * is not there (never started, or gone in the middle of a build). Pure.
 */
import type { Builder } from './argv';

/** The engine as the user would name it: DOCKER_HOST, a docker context, CONTAINER_HOST, or the local one. */
export function describeEngine(builder: Builder, env: Readonly<Record<string, string | undefined>>, extraArgs: readonly string[] = []): string {
  const ctxFlag = extraArgs.findIndex((a) => a === '--context' || a.startsWith('--context='));
  if (builder.kind === 'docker' || builder.kind === 'nerdctl') {
    const host = env['DOCKER_HOST'];
    if (host) return `DOCKER_HOST=${host}`;
    const ctx = env['DOCKER_CONTEXT'];
    if (ctx && ctx !== 'default') return `docker context ${ctx}`;
    if (ctxFlag >= 0) return `docker context ${extraArgs[ctxFlag]?.includes('=') ? extraArgs[ctxFlag].split('=')[1] : extraArgs[ctxFlag + 1]}`;
    return 'the local engine';
  }
  const ch = env['CONTAINER_HOST'];
  if (ch) return `CONTAINER_HOST=${ch}`;
  return `local ${builder.kind} storage`;
}

const DOWN =
  /Cannot connect to the Docker daemon|error during connect|Is the docker daemon running|dial (?:unix|tcp)[^\n]*connect: (?:connection refused|no such file or directory)|connection refused|unable to connect to Podman|Cannot connect to Podman/i;
const GONE =
  /unexpected EOF|connection reset by peer|broken pipe|transport is closing|code = Unavailable|error reading from server: EOF|the server closed the connection/i;

/** A clear message when the output says the engine was not reachable or went away; undefined otherwise. */
export function engineProblem(output: string, engine: string, builder: Builder): string | undefined {
  const down = DOWN.exec(output);
  if (down)
    return `The container engine (${engine}) is not reachable: ${builder.display} says "${lineAround(output, down.index)}". Start it, or point DOCKER_HOST / DOCKER_CONTEXT at a running one.`;
  const gone = GONE.exec(output);
  if (gone)
    return `The container engine (${engine}) went away during the build: ${builder.display} says "${lineAround(output, gone.index)}". Nothing was tagged; build again once it is back.`;
  return undefined;
}

function lineAround(text: string, at: number): string {
  const a = text.lastIndexOf('\n', at) + 1;
  const b = text.indexOf('\n', at);
  return text
    .slice(a, b < 0 ? undefined : b)
    .trim()
    .slice(0, 300);
}
