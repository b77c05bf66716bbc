/**
 * From a task definition (tasks.json, or made from a CodeLens) and the
 * settings to the exact build: builder, Dockerfile, context, tag and argv.
 * Pure: VS Code and the file system come in as plain values.
 */
import * as path from 'node:path';
import { TASK_TYPE, type StageBuildArgs } from '../protocol';
import { ArgsError, splitArgs } from './args';
import { buildArgv, flag, resolveBuilder, type Argv, type Builder, type BuildSpec } from './argv';
import { DEFAULT_TAG_TEMPLATE, expandTemplate, sanitiseImageReference } from './tag';

/** A `dockerfile-stages` task: what tasks.json holds (see package.json taskDefinitions). */
export interface StagesTaskDefinition {
  readonly type: typeof TASK_TYPE;
  /** The Dockerfile: absolute, or relative to the workspace folder. */
  readonly file: string;
  /** The stage to build; none (or empty) builds the default target. */
  readonly target?: string;
  /** The build context: absolute, or relative to the workspace folder. */
  readonly context?: string;
  /** The image tag, a template like the `dockerStages.build.tag` setting. */
  readonly tag?: string;
  /** More builder arguments, after those of `dockerStages.build.args`. */
  readonly args?: readonly string[];
  readonly platform?: string;
  /** `auto`, `docker`, `podman`, `buildah`, `nerdctl` or an executable's path. */
  readonly builder?: string;
  /** After a successful build, run the image in a terminal. */
  readonly run?: boolean;
}

/** `dockerStages.build.*` and `dockerStages.run.*` as plain values. */
export interface BuildSettings {
  readonly builder: string;
  /** Extra builder arguments as the user typed them (split by splitArgs). */
  readonly args: string;
  readonly tag: string;
  /** Empty: the Compose service's context, else the Dockerfile's folder. */
  readonly context: string;
  readonly runArgs: string;
}

export const DEFAULT_BUILD_SETTINGS: BuildSettings = { builder: 'auto', args: '', tag: DEFAULT_TAG_TEMPLATE, context: '', runArgs: '' };

const str = (x: unknown): x is string => typeof x === 'string';

/** Validates a definition read from tasks.json (unknown); a string says what is wrong. */
export function parseTaskDefinition(x: unknown): StagesTaskDefinition | string {
  if (typeof x !== 'object' || x === null) return 'not an object';
  const d = x as Record<string, unknown>;
  if (d['type'] !== TASK_TYPE) return `type is not ${TASK_TYPE}`;
  if (!str(d['file']) || d['file'].trim() === '') return '"file" (the Dockerfile) is required';
  for (const k of ['target', 'context', 'tag', 'platform', 'builder'] as const) {
    if (d[k] !== undefined && !str(d[k])) return `"${k}" must be a string`;
  }
  const args = d['args'];
  if (args !== undefined && !(Array.isArray(args) && args.every(str))) return '"args" must be an array of strings';
  if (d['run'] !== undefined && typeof d['run'] !== 'boolean') return '"run" must be true or false';
  const def: StagesTaskDefinition = {
    type: TASK_TYPE,
    file: d['file'],
    ...(str(d['target']) && d['target'] !== '' ? { target: d['target'] } : {}),
    ...(str(d['context']) && d['context'] !== '' ? { context: d['context'] } : {}),
    ...(str(d['tag']) && d['tag'] !== '' ? { tag: d['tag'] } : {}),
    ...(args !== undefined ? { args: args } : {}),
    ...(str(d['platform']) && d['platform'] !== '' ? { platform: d['platform'] } : {}),
    ...(str(d['builder']) && d['builder'] !== '' ? { builder: d['builder'] } : {}),
    ...(d['run'] === true ? { run: true } : {}),
  };
  return def;
}

/**
 * The definition for a lens or palette build. The Dockerfile is kept
 * relative to the workspace folder when it is inside it (tasks.json style).
 * A Compose service's context counts only when no context setting is set,
 * except for a lens in the Compose file itself, which builds the service as
 * Compose would (its context, build args and platform).
 */
export function definitionFor(
  args: StageBuildArgs,
  dockerfile: string,
  workspaceFolder: string | undefined,
  settings: BuildSettings,
  run: boolean,
): StagesTaskDefinition {
  const rel = workspaceFolder ? path.relative(workspaceFolder, dockerfile) : '';
  const file = workspaceFolder && rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : dockerfile;
  const c = args.compose;
  const context = c && (args.fromCompose || settings.context.trim() === '') ? c.context : undefined;
  const extra = args.fromCompose && c ? c.buildArgs.flatMap((b) => flag('--build-arg', b)) : [];
  const platform = args.fromCompose ? c?.platform : undefined;
  return {
    type: TASK_TYPE,
    file,
    ...(args.target !== null ? { target: args.target } : {}),
    ...(context ? { context } : {}),
    ...(extra.length ? { args: extra } : {}),
    ...(platform ? { platform } : {}),
    ...(run ? { run: true } : {}),
  };
}

export interface BuildPlan {
  readonly builder: Builder;
  readonly spec: BuildSpec;
  readonly argv: Argv;
  readonly definition: StagesTaskDefinition;
}

export interface PlanEnvironment {
  readonly workspaceFolder: string | undefined;
  readonly settings: BuildSettings;
  /** Finds an executable (a name on PATH, or a path); undefined when missing. */
  readonly which: (name: string) => string | undefined;
}

/** `${workspaceFolder}` and `${fileDirname}` in a path setting, and relative paths against the workspace folder. */
function resolvePath(p: string, base: string, fileDir: string, workspaceFolder: string | undefined): string {
  const expanded = p.replace(/\$\{(workspaceFolder|fileDirname)\}/g, (_m: string, v: string) => (v === 'fileDirname' ? fileDir : (workspaceFolder ?? base)));
  return path.resolve(base, expanded);
}

export function planBuild(def: StagesTaskDefinition, env: PlanEnvironment): BuildPlan | { readonly error: string } {
  const base = env.workspaceFolder ?? process.cwd();
  const file = path.resolve(base, def.file);
  const fileDir = path.dirname(file);
  const builder = resolveBuilder(def.builder ?? env.settings.builder, env.which);
  if ('error' in builder) return builder;
  let context = fileDir;
  if (def.context) context = resolvePath(def.context, base, fileDir, env.workspaceFolder);
  else if (env.settings.context.trim()) context = resolvePath(env.settings.context.trim(), base, fileDir, env.workspaceFolder);
  let extra: string[];
  try {
    extra = [...splitArgs(env.settings.args), ...(def.args ?? [])];
  } catch (e) {
    if (e instanceof ArgsError) return { error: `dockerStages.build.args: ${e.message}` };
    throw e;
  }
  const target = def.target && def.target !== '' ? def.target : undefined;
  const tag = sanitiseImageReference(
    expandTemplate(def.tag ?? (env.settings.tag.trim() || DEFAULT_TAG_TEMPLATE), {
      folder: path.basename(fileDir),
      target: target ?? 'latest',
      file: path.basename(file),
      workspaceFolder: env.workspaceFolder ? path.basename(env.workspaceFolder) : path.basename(fileDir),
    }),
  );
  const spec: BuildSpec = { file, context, target, tag, platform: def.platform, extraArgs: extra };
  return { builder, spec, argv: buildArgv(builder, spec), definition: def };
}
