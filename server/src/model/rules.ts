/**
 * What each diagnostic code means: the rule metadata of SARIF output (and of
 * any report that lists rules). A Record over Code, so a new code cannot be
 * added to Codes without its description here.
 */
import { Codes, type Code, type Severity } from './checks';

export interface Rule {
  /** A short PascalCase name (SARIF `name`). */
  readonly name: string;
  readonly short: string;
  readonly full: string;
  /** The severity the check reports it with (some codes are reported at more than one). */
  readonly severity: Severity;
  /** The BuildKit behaviour the rule follows. */
  readonly buildkit: string;
}

export const RULES: Readonly<Record<Code, Rule>> = {
  [Codes.laterStage]: {
    name: 'StageLaterReference',
    severity: 'error',
    short: 'A stage is used before it is defined.',
    full: '`COPY --from=<stage>` or `RUN --mount=from=<stage>` names a stage that is defined further down: BuildKit only resolves stages defined above the current one, so the build fails.',
    buildkit: 'dockerfile2llb: stages are resolved in order; a later stage is "not found".',
  },
  [Codes.selfReference]: {
    name: 'StageSelfReference',
    severity: 'error',
    short: 'A stage uses itself.',
    full: 'A stage copies or mounts from itself: a circular dependency that BuildKit rejects.',
    buildkit: 'dockerfile2llb: "circular dependency detected on stage".',
  },
  [Codes.indexOutOfRange]: {
    name: 'StageIndexOutOfRange',
    severity: 'error',
    short: 'A numeric stage index does not exist.',
    full: '`--from=<n>` refers to a stage by its index, and the Dockerfile has fewer stages (or the index is not earlier than the current stage).',
    buildkit: 'dockerfile2llb: invalid stage index.',
  },
  [Codes.duplicateName]: {
    name: 'DuplicateStageName',
    severity: 'error',
    short: 'Two stages have the same name.',
    full: 'Stage names must be unique (compared case-insensitively); BuildKit refuses the Dockerfile.',
    buildkit: 'instructions.Parse: "duplicate stage name".',
  },
  [Codes.reservedName]: {
    name: 'ReservedStageName',
    severity: 'warning',
    short: 'A stage is named `scratch` or `context`.',
    full: '`scratch` and `context` have a meaning of their own in FROM and --from; a stage of that name is confusing or unreachable.',
    buildkit: 'linter rule ReservedStageName.',
  },
  [Codes.invalidName]: {
    name: 'InvalidStageName',
    severity: 'error',
    short: 'The stage name is not valid.',
    full: 'A stage name must start with a letter and contain only letters, digits, `-`, `_` and `.`.',
    buildkit: 'instructions.Parse: "invalid name for build stage".',
  },
  [Codes.nameCasing]: {
    name: 'StageNameCasing',
    severity: 'warning',
    short: 'The stage name is not lower-case.',
    full: 'BuildKit stores stage names lower-case; writing them otherwise makes references look different from what they resolve to.',
    buildkit: 'linter rule StageNameCasing.',
  },
  [Codes.asCasing]: {
    name: 'FromAsCasing',
    severity: 'warning',
    short: 'The AS keyword does not match the case of FROM.',
    full: 'Write `FROM … AS name` or `from … as name`, not a mix.',
    buildkit: 'linter rule FromAsCasing.',
  },
  [Codes.fromCase]: {
    name: 'FromStageCase',
    severity: 'error',
    short: 'FROM names a stage with different case.',
    full: 'FROM looks stage names up exactly as written, and stages are stored lower-case: `FROM Builder` is an image, not stage `builder`.',
    buildkit: 'dockerfile2llb: FROM resolves stage names case-sensitively against the lower-cased names.',
  },
  [Codes.fromLater]: {
    name: 'FromLaterStage',
    severity: 'warning',
    short: 'FROM names a stage defined later (or itself).',
    full: 'FROM only sees stages above it, so the name is taken as an image name, which is rarely what was meant.',
    buildkit: 'dockerfile2llb: FROM resolves only earlier stages.',
  },
  [Codes.unknownStage]: {
    name: 'UnknownStageName',
    severity: 'warning',
    short: 'A --from or mount from= names no stage.',
    full: 'The name is not a stage of this Dockerfile, so BuildKit takes it as an image (or a named build context); often a typo of a stage name.',
    buildkit: 'dockerfile2llb: unknown names in --from are images.',
  },
  [Codes.mountIndex]: {
    name: 'MountFromIndex',
    severity: 'warning',
    short: 'A mount from= uses a stage index.',
    full: '`RUN --mount=from=<n>` takes a stage name, not an index: BuildKit reads the number as an image name.',
    buildkit: 'dockerfile2llb: mount from= is not resolved by index.',
  },
  [Codes.emptyReference]: {
    name: 'EmptyStageReference',
    severity: 'error',
    short: 'A --from or from= has no value.',
    full: 'The flag is given without a stage or image.',
    buildkit: 'instructions.Parse: empty --from.',
  },
  [Codes.unreachable]: {
    name: 'UnreachableStage',
    severity: 'hint',
    short: 'No target builds this stage.',
    full: 'The stage has no name (so no --target selects it), is not the last stage, and no other stage uses it: it is never built.',
    buildkit: 'dockerfile2llb: only the target and the stages it needs are built.',
  },
  [Codes.fromArguments]: {
    name: 'FromArguments',
    severity: 'error',
    short: 'FROM has the wrong number of arguments.',
    full: 'FROM takes one argument (the base) or three (`<base> AS <name>`).',
    buildkit: 'instructions.Parse: "FROM requires either one or three arguments".',
  },
  [Codes.conflict]: {
    name: 'MergeConflict',
    severity: 'error',
    short: 'An unresolved merge conflict marker.',
    full: 'The file holds `<<<<<<<`, `=======` or `>>>>>>>` lines left by a merge.',
    buildkit: 'the parser fails on the marker lines.',
  },
  [Codes.singleStageToolchain]: {
    name: 'SingleStageToolchain',
    severity: 'information',
    short: 'This image ships its build toolchain.',
    full: 'A single-stage Dockerfile builds on a toolchain image (Go, Node, Python, Rust, Java, .NET, C/C++) and ships it. `dockerfile-stages convert` turns it into a multi-stage build whose runtime image holds only the artifacts.',
    buildkit: 'the final stage is the image: everything in it is shipped.',
  },
  [Codes.composeUnknownTarget]: {
    name: 'ComposeUnknownTarget',
    severity: 'error',
    short: "A Compose service's build.target names no stage.",
    full: "`build.target` in a Compose file names no stage of the service's Dockerfile: `docker compose build` fails.",
    buildkit: 'dockerfile2llb: "target stage could not be found".',
  },
  [Codes.composeMissingDockerfile]: {
    name: 'ComposeDockerfileNotFound',
    severity: 'warning',
    short: "A Compose service's Dockerfile cannot be read.",
    full: 'The Dockerfile a Compose service builds does not exist or cannot be read, so its `build.target` cannot be checked.',
    buildkit: 'the build fails: the Dockerfile is not found in the context.',
  },
  [Codes.fileTooLarge]: {
    name: 'FileTooLarge',
    severity: 'information',
    short: 'The file is larger than dockerStages.maxFileSize.',
    full: 'The document is larger than the dockerStages.maxFileSize setting: the stage analysis is skipped.',
    buildkit: 'not a BuildKit rule: a limit of this tool.',
  },
};
