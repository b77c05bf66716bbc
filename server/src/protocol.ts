/**
 * The contract between the client and the server: settings, command ids and
 * their argument types. No runtime dependencies: the client bundles it too.
 */

export const EXTENSION_ID = 'dockerfile-stages.dockerfile-stages';
export const SETTINGS_SECTION = 'dockerStages';

/** Extensions that already serve dockerfile-language-service features for Dockerfiles. */
export const DOCKER_EXTENSION_IDS: readonly string[] = [
  'docker.docker',
  'ms-azuretools.vscode-containers',
  'ms-azuretools.vscode-docker',
];

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
  };
  /** Files larger than this (in characters) are not analysed. */
  readonly maxFileSize: number;
}

export const DEFAULT_SETTINGS: Settings = {
  languageFeatures: 'all',
  inlayHints: { stageIndex: true, references: true },
  diagnostics: { enable: true, unreachableStages: true },
  maxFileSize: 2_000_000,
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
  const lf = raw['languageFeatures'];
  const max = raw['maxFileSize'];
  return {
    languageFeatures: lf === 'stagesOnly' ? 'stagesOnly' : 'all',
    inlayHints: { stageIndex: bool(hints['stageIndex'], d.inlayHints.stageIndex), references: bool(hints['references'], d.inlayHints.references) },
    diagnostics: { enable: bool(diags['enable'], d.diagnostics.enable), unreachableStages: bool(diags['unreachableStages'], d.diagnostics.unreachableStages) },
    maxFileSize: typeof max === 'number' && Number.isFinite(max) && max > 0 ? Math.floor(max) : d.maxFileSize,
  };
}

/** Command ids. `dockerStages.client.*` are emitted by the server and run by the client. */
export const Commands = {
  showStages: 'dockerStages.showStages',
  restartServer: 'dockerStages.restartServer',
  showOutput: 'dockerStages.showOutput',
} as const;

/** Source name on our diagnostics. */
export const DIAGNOSTIC_SOURCE = 'dockerfile-stages';
