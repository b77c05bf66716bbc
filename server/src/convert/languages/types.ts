/**
 * The contract between the converter and one language: what a language
 * module must answer (detect, analyse, artifacts, runtime), and the helpers
 * the modules share. A new language is one module implementing
 * `LanguageModule` plus one line in ../registry.ts. Pure: file reads go
 * through the injected ConvertContext.
 */
import type { ImageRef, RuntimeChoice } from '../images';
import { joinPath, type SimpleCommand } from '../shell';
import { contextPathOf, type ContextCopy, type ConvertContext, type Step } from '../steps';

/** A language's id in the registry (`go`, `node`, …). */
export type Language = string;

export interface Artifact {
  /** Absolute path in the builder (a directory ends with `/`). */
  from: string;
  /** Absolute path in the runtime image. */
  to: string;
  /** Why it is copied (for notes). */
  why: string;
  /** Comment lines written above its COPY (without `# `), when the conversion wants to say why it added it. */
  comment?: string[];
}

/** A runtime instruction the language rewrites (e.g. `CMD cargo run` → the built binary); the original stays as a comment. */
export interface CommandRewrite {
  /** Comment lines (without `# `) above the commented-out original. */
  readonly comment: readonly string[];
  /** The new instruction (one line). */
  readonly line: string;
  readonly note: string;
}

export interface Insertion {
  /** Insert before this step (index into steps); `steps.length` means after the last step of the builder. */
  readonly before: number;
  readonly lines: readonly string[];
  /** Only for this kind of runtime image (default: always). */
  readonly when?: (runtime: RuntimeChoice) => boolean;
}

export interface LanguagePlan {
  readonly language: Language;
  artifacts: Artifact[];
  insertions: Insertion[];
  /** Lines at the top of the runtime stage (ENV PATH for a virtualenv, …). */
  runtimeEnv: string[];
  /** RUN lines (with their comments) the runtime stage needs before the artifacts (a global tool installed again, …). */
  runtimeSetup: string[];
  /** Commands the runtime image provides by name (node, python3, java…). */
  tools: Set<string>;
  /** Bare command names found on a PATH directory the plan copies (a virtualenv's bin). */
  pathDirs: string[];
  /** Packages the runtime needs that the builder got from its own base (e.g. nodejs on a plain Debian builder). */
  runtimePackages: string[];
  todos: string[];
  notes: string[];
  /** The runtime image, given whether it needs a shell and a package manager. */
  choose(opts: { shell: boolean; apt: boolean }): RuntimeChoice;
  /** A command that runs the program from source, for a dev stage (exec form words), when one is known. */
  devCommand: string[] | undefined;
  /** Program names that are the toolchain: a runtime command using one needs the builder, not a runtime image. */
  toolchainCommands: ReadonlySet<string>;
  /** A runtime command that runs the toolchain although its program is also a runtime tool (`dotnet run`). */
  toolchainRun?: (words: readonly string[]) => boolean;
  /** A rewrite of a runtime instruction (CMD/ENTRYPOINT) the runtime could not run as written. */
  rewriteCommand?: (step: Step) => CommandRewrite | undefined;
  /** Paths a runtime command names that the build does not produce (a TODO says so; never copied). */
  notProduced?: string[];
  /** Overrides the module's systemLibs (Go with cgo links system libraries). */
  systemLibs?: SystemLibs;
  /** Not converted, and why (shown in the diagnostic and the CLI): e.g. the build removes its own toolchain. */
  decline?: string;
}

export interface LanguageInput {
  readonly steps: readonly Step[];
  readonly base: ImageRef;
  readonly language: Language;
  readonly context: ConvertContext | undefined;
  readonly copies: readonly ContextCopy[];
  readonly finalWorkdir: string | undefined;
  /** The program and arguments the container runs (ENTRYPOINT + CMD), when known, for artifact hints. */
  readonly runtimeWords: readonly (readonly string[])[];
  readonly distroless: boolean;
  /** An ENV in the Dockerfile or the base image's convention, e.g. GOPATH. */
  envAt(name: string, step: Step): string | undefined;
}

export const base = (p: string) => p.replace(/\/+$/, '').split('/').pop() ?? p;
export const prog = (c: SimpleCommand) => base(c.words[0] ?? '');

export function plan(language: Language, choose: LanguagePlan['choose'], toolchain: string[], tools: string[] = []): LanguagePlan {
  return {
    language,
    artifacts: [],
    insertions: [],
    runtimeEnv: [],
    runtimeSetup: [],
    tools: new Set(tools),
    pathDirs: [],
    runtimePackages: [],
    todos: [],
    notes: [],
    choose,
    devCommand: undefined,
    toolchainCommands: new Set(toolchain),
  };
}

export function commandsOf(steps: readonly Step[], pred: (c: SimpleCommand) => boolean): { step: Step; cmd: SimpleCommand }[] {
  const out: { step: Step; cmd: SimpleCommand }[] = [];
  for (const s of steps) for (const c of s.commands) if (pred(c)) out.push({ step: s, cmd: c });
  return out;
}

export function readContext(inp: LanguageInput, imagePath: string): string | undefined {
  const p = contextPathOf(inp.copies, imagePath);
  return p === undefined ? undefined : inp.context?.readFile?.(p);
}

/** Resolves a path a command wrote relative to its directory. */
export function resolveIn(cwd: string | undefined, p: string): string | undefined {
  if (p.startsWith('/')) return joinPath('/', p);
  return cwd === undefined ? undefined : joinPath(cwd, p);
}

/** How a language's builds relate to the system libraries a builder installs (`lib*-dev`). */
export type SystemLibs =
  /** Never links them (Go with CGO off, the JVM, .NET): nothing to carry over. */
  | 'none'
  /** Native extensions may (Python wheels, node addons): the known runtime library is installed. */
  | 'mapped'
  /** Compiled programs link them: the known runtime library, else a TODO. */
  | 'mapped-or-todo';

/** One language of the converter. Registered, in order of preference, in ../registry.ts. */
export interface LanguageModule {
  readonly id: Language;
  /** For messages and titles: `Go`, `Node.js`. */
  readonly name: string;
  /** Is `ref` this language's image family (golang, node, mcr…/dotnet/sdk)? */
  ofImage(ref: ImageRef): boolean;
  /** Is an image of the family the full toolchain (not a slim/JRE/runtime variant)? */
  isToolchainImage(ref: ImageRef): boolean;
  /** Does this shell command build with the language's toolchain? */
  buildsWith(c: SimpleCommand): boolean;
  /** A CMD/ENTRYPOINT that compiles and runs from source (`go run`, `cargo run`): the build happens at start-up. */
  runsFromSource?(words: readonly string[]): boolean;
  /** A runtime variant of the family (node:alpine) that still ships build-only things (devDependencies of `npm run build`). */
  buildsOnRuntimeImage?(steps: readonly Step[]): boolean;
  /** On a plain OS image: does an installed OS package make this the language (when no build command names one)? */
  readonly osToolPackages?: RegExp;
  /** The fallback language (no build command of any other). */
  readonly fallback?: boolean;
  readonly systemLibs: SystemLibs;
  /** The builder's users are known to the runtime image as well (same image family, same passwd). */
  readonly sameFamilyUsers?: boolean;
  /** The dev stage's run-from-source command with the arguments production passes to the built program. */
  devWithArgs?(dev: readonly string[], args: readonly string[]): string[];
  /** Builds, artifacts, runtime image, TODOs. */
  analyse(inp: LanguageInput): LanguagePlan;
}
