/**
 * The contract between the client and the server: settings, command ids and
 * their argument types. No runtime dependencies: the client bundles it too.
 */

export const EXTENSION_ID = 'dockerfile-stages.dockerfile-stages';
export const SETTINGS_SECTION = 'dockerStages';

/** Extensions that already serve dockerfile-language-service features for Dockerfiles. */
export const DOCKER_EXTENSION_IDS: readonly string[] = ['docker.docker', 'ms-azuretools.vscode-containers', 'ms-azuretools.vscode-docker'];

/** `all`: stage features plus the general Dockerfile language features; `stagesOnly`: stage features only. */
export type LanguageFeatures = 'all' | 'stagesOnly';
export type LanguageFeaturesSetting = 'auto' | LanguageFeatures;

export interface Settings {
  readonly languageFeatures: LanguageFeatures;
  readonly inlayHints: {
    readonly stageIndex: boolean;
    readonly references: boolean;
  };
  readonly diagnostics: {
    readonly enable: boolean;
    readonly unreachableStages: boolean;
    /** "This image ships its build toolchain" on single-stage Dockerfiles that a conversion applies to. */
    readonly singleStageToolchain: boolean;
  };
  /** Files larger than this (in characters) are not analysed. */
  readonly maxFileSize: number;
  readonly codeLens: {
    /** Build/Run lenses above each FROM and on Compose services. */
    readonly enable: boolean;
  };
}

export const DEFAULT_SETTINGS: Settings = {
  languageFeatures: 'all',
  inlayHints: { stageIndex: true, references: true },
  diagnostics: { enable: true, unreachableStages: true, singleStageToolchain: true },
  maxFileSize: 2_000_000,
  codeLens: { enable: true },
};

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
function bool(x: unknown, dflt: boolean): boolean {
  return typeof x === 'boolean' ? x : dflt;
}

/**
 * Turns whatever the client sent (the `dockerStages` section, or null) into Settings.
 * `auto` means `all` unless the client resolved it (the VS Code client does, from
 * the installed extensions).
 */
export function normaliseSettings(raw: unknown): Settings {
  const d = DEFAULT_SETTINGS;
  if (!isRecord(raw)) return d;
  const hints = isRecord(raw['inlayHints']) ? raw['inlayHints'] : {};
  const diags = isRecord(raw['diagnostics']) ? raw['diagnostics'] : {};
  const lens = isRecord(raw['codeLens']) ? raw['codeLens'] : {};
  const lf = raw['languageFeatures'];
  const max = raw['maxFileSize'];
  return {
    languageFeatures: lf === 'stagesOnly' ? 'stagesOnly' : 'all',
    inlayHints: { stageIndex: bool(hints['stageIndex'], d.inlayHints.stageIndex), references: bool(hints['references'], d.inlayHints.references) },
    diagnostics: {
      enable: bool(diags['enable'], d.diagnostics.enable),
      unreachableStages: bool(diags['unreachableStages'], d.diagnostics.unreachableStages),
      singleStageToolchain: bool(diags['singleStageToolchain'], d.diagnostics.singleStageToolchain),
    },
    maxFileSize: typeof max === 'number' && Number.isFinite(max) && max > 0 ? Math.floor(max) : d.maxFileSize,
    codeLens: { enable: bool(lens['enable'], d.codeLens.enable) },
  };
}

/** Command ids. `dockerStages.client.*` are emitted by the server and run by the client. */
export const Commands = {
  showStages: 'dockerStages.showStages',
  restartServer: 'dockerStages.restartServer',
  showOutput: 'dockerStages.showOutput',
  buildTarget: 'dockerStages.buildTarget',
  runTarget: 'dockerStages.runTarget',
  copyBuildCommand: 'dockerStages.copyBuildCommand',
  convertToMultiStage: 'dockerStages.convertToMultiStage',
  addDevStage: 'dockerStages.addDevStage',
  showStageGraph: 'dockerStages.showStageGraph',
} as const;

/** `data.id` of the conversion code actions, by which the palette commands find them. */
export const CodeActionIds = {
  convert: 'dockerStages.convertToMultiStage',
  convertWithDev: 'dockerStages.convertToMultiStageWithDev',
  addDevStage: 'dockerStages.addDevStage',
} as const;

/** Commands the server puts into CodeLenses and the client runs; each takes one {@link StageBuildArgs}. */
export const ClientCommands = {
  /** Build a target (or the default target) as a task. */
  build: 'dockerStages.client.build',
  /** Build, then run the image in a terminal. */
  run: 'dockerStages.client.run',
} as const;
export type ClientCommand = (typeof ClientCommands)[keyof typeof ClientCommands];

/**
 * The same commands run by the language server (workspace/executeCommand), for clients other
 * than VS Code: the lenses carry these unless the client says it runs ClientCommands itself
 * (initializationOptions `clientCommands: true`, sent by the VS Code client).
 */
/** The semantic token legend: stage names (declarations) and the references to them. */
export const SEMANTIC_LEGEND = { tokenTypes: ['namespace'], tokenModifiers: ['declaration'] };

export const ServerCommands = {
  build: 'dockerStages.server.build',
  run: 'dockerStages.server.run',
} as const;
export interface LensCommands {
  readonly build: string;
  readonly run: string;
}

// ---- Builds -----------------------------------------------------------------------------

export interface PlainPosition {
  readonly line: number;
  readonly character: number;
}
export interface PlainRange {
  readonly start: PlainPosition;
  readonly end: PlainPosition;
}
export interface PlainTextEdit {
  readonly range: PlainRange;
  readonly newText: string;
}

/** A Compose service whose `build` uses a Dockerfile. */
export interface ComposeBuildInfo {
  /** URI of the Compose file. */
  readonly file: string;
  readonly service: string;
  /** The service's build context, an absolute path. */
  readonly context: string;
  /** `build.args` with literal values, as `NAME=value`. */
  readonly buildArgs: readonly string[];
  /** The service's `platform`, when literal. */
  readonly platform: string | undefined;
}

/**
 * The argument of {@link ClientCommands}: one build of one Dockerfile, as the
 * server sees it. The client adds the builder, the tag and the settings.
 */
export interface StageBuildArgs {
  /** The Dockerfile. */
  readonly uri: string;
  /** `--target`, lower-case; null builds the default target (the last stage). */
  readonly target: string | null;
  /** Index of the stage that gets built. */
  readonly stage: number;
  /** An unnamed stage: apply these edits (` AS <target>`) to document version `version`, save, then build. */
  readonly nameFirst: { readonly version: number; readonly edits: readonly PlainTextEdit[] } | undefined;
  /** Set when a Compose service builds this Dockerfile (its context is the default context) or when the lens sits in a Compose file. */
  readonly compose: ComposeBuildInfo | undefined;
  /** The lens sits in a Compose file: use the service's build args and platform too. */
  readonly fromCompose: boolean;
}

function isString(x: unknown): x is string {
  return typeof x === 'string';
}
function isNonNegativeInteger(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}
function isPosition(x: unknown): x is PlainPosition {
  return isRecord(x) && isNonNegativeInteger(x['line']) && isNonNegativeInteger(x['character']);
}
function isRange(x: unknown): x is PlainRange {
  return isRecord(x) && isPosition(x['start']) && isPosition(x['end']);
}
function isTextEdit(x: unknown): x is PlainTextEdit {
  return isRecord(x) && isRange(x['range']) && isString(x['newText']);
}
function parseCompose(x: unknown): ComposeBuildInfo | undefined | null {
  if (x === undefined || x === null) return undefined;
  if (!isRecord(x)) return null;
  const { file, service, context, buildArgs, platform } = x;
  if (!isString(file) || !isString(service) || !isString(context)) return null;
  if (!Array.isArray(buildArgs) || !buildArgs.every(isString)) return null;
  if (platform !== undefined && platform !== null && !isString(platform)) return null;
  return { file, service, context, buildArgs, platform: isString(platform) ? platform : undefined };
}

/** Validates a command argument received as `unknown`; undefined when it is not a StageBuildArgs. */
export function parseStageBuildArgs(x: unknown): StageBuildArgs | undefined {
  if (!isRecord(x)) return undefined;
  const { uri, target, stage, nameFirst, compose, fromCompose } = x;
  if (!isString(uri) || uri === '') return undefined;
  if (target !== null && !(isString(target) && target !== '')) return undefined;
  if (!Number.isInteger(stage) || (stage as number) < 0) return undefined;
  let nf: StageBuildArgs['nameFirst'];
  if (nameFirst !== undefined && nameFirst !== null) {
    if (!isRecord(nameFirst)) return undefined;
    const { version, edits } = nameFirst;
    if (typeof version !== 'number' || !Number.isInteger(version) || !Array.isArray(edits) || !edits.every(isTextEdit)) return undefined;
    nf = { version, edits };
    if (target === null) return undefined;
  }
  const c = parseCompose(compose);
  if (c === null) return undefined;
  if (fromCompose !== undefined && typeof fromCompose !== 'boolean') return undefined;
  return { uri, target, stage: stage as number, nameFirst: nf, compose: c, fromCompose: fromCompose === true && c !== undefined };
}

/** One instruction of the Dockerfile, for mapping build output back to lines. */
export interface InstructionOutline {
  /** Upper-case keyword. */
  readonly keyword: string;
  readonly range: PlainRange;
  /** The instruction on one line: continuations joined, comments dropped, whitespace collapsed. */
  readonly text: string;
}

export interface StageOutline {
  readonly index: number;
  /** Lower-case name, or null. */
  readonly name: string | null;
  /** The base as written (`golang:1.22`, `builder`, `scratch`). */
  readonly base: string;
  /** Its range (the name, or the FROM keyword). */
  readonly selection: PlainRange;
  /** The `# <name> <description>` comment above it. */
  readonly description: string | undefined;
  readonly last: boolean;
  /** It has CMD or ENTRYPOINT (its own or from a stage it is built on). */
  readonly runnable: boolean;
  /** How to build it; undefined when it cannot be a target (an invalid or shadowed name, or an unnamed stage that cannot be named automatically). */
  readonly build: StageBuildArgs | undefined;
  /** FROM first. */
  readonly instructions: readonly InstructionOutline[];
}

/** `dockerStages/buildTargets`: the stages of a Dockerfile (open or on disk) and how to build each. */
export const BuildTargetsRequest = { method: 'dockerStages/buildTargets' } as const;
export interface BuildTargetsParams {
  readonly uri: string;
}
export interface BuildTargetsResult {
  readonly uri: string;
  /** Document version the outline was computed from (null: read from disk). */
  readonly version: number | null;
  /** Instructions before the first FROM (global ARGs). */
  readonly prelude: readonly InstructionOutline[];
  readonly stages: readonly StageOutline[];
  /** A Compose service that builds this Dockerfile. */
  readonly compose: ComposeBuildInfo | undefined;
}

/** The task type builds run as (tasks.json `"type"`). */
export const TASK_TYPE = 'dockerfile-stages';

/** Source name on our diagnostics. */
export const DIAGNOSTIC_SOURCE = 'dockerfile-stages';

/** The one edit distance (bounded Levenshtein), shared with the client for its "did you mean" on build errors. Pure. */
export { editDistance } from './model/text';

// ---- The stage graph ----------------------------------------------------------------------

/** `dockerStages/graph`: the stage graph of an open Dockerfile (model/graph.ts's StageGraph). */
export const StageGraphRequest = { method: 'dockerStages/graph' } as const;
export interface StageGraphParams {
  readonly uri: string;
}
export interface StageGraphResult {
  readonly uri: string;
  readonly version: number | null;
  readonly graph: import('./model/graph').StageGraph;
}
