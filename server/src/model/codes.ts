/**
 * The diagnostics table: every code the server reports, in one place. A code is
 * stable (users suppress and search by it: never rename one); each is produced as a
 * plain-data `Problem` (model/checks.ts) and turned into an LSP diagnostic only by
 * features/diagnostics.ts `toDiagnostic`. A new check adds its code here first.
 */
export const Codes = {
  // Stage references and names (model/checks.ts checkModel).
  laterStage: 'stage-later-reference',
  selfReference: 'stage-self-reference',
  indexOutOfRange: 'stage-index-out-of-range',
  duplicateName: 'duplicate-stage-name',
  reservedName: 'reserved-stage-name',
  invalidName: 'invalid-stage-name',
  nameCasing: 'stage-name-casing',
  asCasing: 'from-as-casing',
  fromCase: 'from-stage-case',
  fromLater: 'from-later-stage',
  unknownStage: 'unknown-stage-name',
  mountIndex: 'mount-from-index',
  emptyReference: 'empty-stage-reference',
  unreachable: 'unreachable-stage',
  fromArguments: 'from-arguments',
  conflict: 'merge-conflict',
  /** Reported by features/convert.ts (a single-stage file that ships its toolchain). */
  singleStageToolchain: 'single-stage-toolchain',
  /** Compose files (features/compose.ts): `build.target` names no stage of the service's Dockerfile. */
  composeUnknownTarget: 'compose-unknown-target',
  /** Compose files: the service's Dockerfile cannot be read, so its target cannot be checked. */
  composeMissingDockerfile: 'compose-dockerfile-not-found',
  /** The document is larger than dockerStages.maxFileSize: no stage analysis (server/scheduling.ts). */
  fileTooLarge: 'file-too-large',
} as const;

export type Code = (typeof Codes)[keyof typeof Codes];
