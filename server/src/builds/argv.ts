/**
 * The exact argv of a build, a run and an image inspect, for each builder.
 * Pure: no VS Code, no I/O. Only flags that every builder (and Docker's
 * legacy builder) understands: --target, -f, -t, --platform, --build-arg.
 * Never --progress, --load or other BuildKit/buildx-only flags: the docker
 * CLI first on PATH may be one without buildx.
 */
import * as path from 'node:path';

export type BuilderKind = 'docker' | 'podman' | 'buildah' | 'nerdctl';
export const BUILDER_KINDS: readonly BuilderKind[] = ['docker', 'podman', 'buildah', 'nerdctl'];

export interface Builder {
  readonly kind: BuilderKind;
  /** The executable that runs: the path `which` found. */
  readonly command: string;
  /** The executable as the user named it (`docker`, `/opt/bin/podman`), for command lines shown to the user. */
  readonly display: string;
}

export interface Argv {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

export interface BuildSpec {
  /** The Dockerfile, absolute. */
  readonly file: string;
  /** The build context, absolute. */
  readonly context: string;
  /** `--target`; undefined builds the default target. */
  readonly target: string | undefined;
  readonly tag: string;
  readonly platform: string | undefined;
  /** Extra arguments, passed as they are before the context. */
  readonly extraArgs: readonly string[];
}

/** The kind of builder an executable is, from its name (`/usr/bin/podman-remote` → podman); docker-compatible when unknown. */
export function builderKindOf(executable: string): BuilderKind {
  const base = (executable.split(/[\\/]/).pop() ?? '').toLowerCase();
  return BUILDER_KINDS.find((k) => base.startsWith(k)) ?? 'docker';
}

/**
 * The builder for the `dockerStages.build.builder` setting: `auto` takes the
 * first of docker, podman, buildah, nerdctl that `which` finds.
 */
export function resolveBuilder(setting: string, which: (name: string) => string | undefined): Builder | { readonly error: string } {
  const s = setting.trim();
  if (s === '' || s === 'auto') {
    for (const k of BUILDER_KINDS) {
      const found = which(k);
      if (found) return { kind: k, command: found, display: k };
    }
    return {
      error: 'No container builder found on PATH (looked for docker, podman, buildah and nerdctl). Install one, or set dockerStages.build.builder to its path.',
    };
  }
  const found = which(s);
  if (!found) return { error: `The builder '${s}' (dockerStages.build.builder) was not found${s.includes('/') || s.includes('\\') ? '' : ' on PATH'}.` };
  return { kind: builderKindOf(s), command: found, display: s };
}

/**
 * `name value`, or `name=value` when the value starts with a dash: the flag
 * parsers of all four CLIs (pflag) then cannot take it for a flag.
 */
export function flag(name: string, value: string): string[] {
  return value.startsWith('-') ? [`${name}=${value}`] : [name, value];
}

/** A path as a positional argument: absolute paths as they are, relative ones that start with a dash made `./-…`. */
export function positional(p: string): string {
  return p.startsWith('-') ? `.${path.sep}${p}` : p;
}

export function buildArgv(builder: Builder, spec: BuildSpec): Argv {
  const sub = builder.kind === 'buildah' ? ['bud'] : ['build'];
  const args = [...sub];
  if (spec.platform) args.push(...flag('--platform', spec.platform));
  if (spec.target !== undefined) args.push(...flag('--target', spec.target));
  args.push(...flag('-f', spec.file), ...flag('-t', spec.tag));
  args.push(...spec.extraArgs, positional(spec.context));
  return { command: builder.command, args, cwd: spec.context };
}

/** Runs an image in a terminal; buildah cannot run images, so undefined. */
export function runArgv(builder: Builder, tag: string, extraArgs: readonly string[], cwd: string): Argv | undefined {
  if (builder.kind === 'buildah') return undefined;
  return { command: builder.command, args: ['run', '--rm', '-it', ...extraArgs, tag], cwd };
}

export function inspectArgv(builder: Builder, tag: string, cwd: string): Argv {
  if (builder.kind === 'buildah') return { command: builder.command, args: ['inspect', '--type', 'image', '--', tag], cwd };
  return { command: builder.command, args: ['image', 'inspect', '--', tag], cwd };
}
