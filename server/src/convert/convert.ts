/**
 * "Convert to multi-stage build": a single-stage Dockerfile that builds on a
 * toolchain image becomes a named builder stage (every original build step,
 * in order) and a runtime stage on a minimal base that fits the language,
 * holding exactly the artifacts (`COPY --from=<builder>`) and the runtime
 * configuration (ENV, EXPOSE, USER, WORKDIR, VOLUME, LABEL, HEALTHCHECK,
 * STOPSIGNAL, ENTRYPOINT, CMD).
 *
 * Traps handled (each found by building for real): a shell-form CMD in an
 * image without a shell (exec form, or a base with a shell); a Go program that
 * uses net needs CGO_ENABLED=0 to run in scratch; an ARG used in both stages
 * is declared in both; a user created in the builder does not exist in the
 * runtime image; runtime packages installed in the builder.
 *
 * Never loses a line: every original instruction and comment is in the result
 * (checked by `lostLines`, or the conversion is not offered). Where the
 * artifact cannot be found with confidence, the result holds TODO comments and
 * a placeholder COPY that fails the build loudly, never a file that builds
 * and then silently fails to run.
 *
 * Pure: built on the StageModel; file reads go through the injected ConvertContext.
 */
import { Codes } from '../model/checks';
import type { Range } from 'vscode-languageserver-types';
import { buildModel, type Stage, type StageModel } from '../model/model';
import { expand, type ArgValues } from '../model/expand';
import { defined } from '../model/text';
import { isAlpine, parseImage, type ImageRef, type RuntimeChoice } from './images';
import type { LanguageModule } from './registry';
import {
  analyzeLanguage,
  isToolchainImage,
  languageModule,
  languageName,
  languageOfCommand,
  languageOfImage,
  preferredLanguage,
  type Artifact,
  type Language,
  type LanguagePlan,
} from './registry';
import { assemble } from './assemble';
import { base, checkPrograms, covered, commandsNeedShell, packageNeeds, runtimeCommands, type PackageNeeds } from './runtime';
import { scriptOf, withScripts } from './scripts';
import { execForm, simpleCommands } from './shell';
import { contextCopies, finalWorkdir, packageInstalls, walkStage, type ConvertContext, type Step } from './steps';

export type { ConvertContext } from './steps';
export type { Language } from './registry';

/** The diagnostic code. Stable: users suppress and search by it. */
/** The stable code of the "ships its build toolchain" diagnostic (one of checks.ts's Codes). */
export const CONVERT_CODE = Codes.singleStageToolchain;

export interface ToolchainFinding {
  readonly language: Language;
  readonly base: ImageRef;
  /** The base image in the FROM line. */
  readonly range: Range;
  /** 0-based lines of the RUN steps that build. */
  readonly buildLines: readonly number[];
  readonly message: string;
}

export interface ConvertOptions {
  readonly context?: ConvertContext;
  /** Static binaries: `scratch` (default, smallest) or Google's distroless static image (CA certificates, tzdata, a nonroot user). */
  readonly staticBase?: 'scratch' | 'distroless';
  /** Also add a `dev` stage (toolchain and sources, run from source) for Compose `target: dev`. */
  readonly devStage?: boolean;
}

export interface Conversion {
  readonly finding: ToolchainFinding;
  readonly text: string;
  readonly language: Language;
  readonly builderName: string;
  readonly runtimeImage: string;
  readonly artifacts: readonly Artifact[];
  /** What the user must finish (also written as TODO comments in the result). Empty when confident. */
  readonly todos: readonly string[];
  readonly notes: readonly string[];
  /** Original lines missing from the result: always empty for an offered conversion. */
  readonly lost: readonly string[];
}

const ALWAYS_RUNTIME = new Set(['CMD', 'ENTRYPOINT', 'EXPOSE', 'VOLUME', 'HEALTHCHECK', 'STOPSIGNAL', 'LABEL', 'MAINTAINER', 'ONBUILD']);
const STATE = new Set(['ENV', 'WORKDIR', 'USER', 'ARG', 'SHELL']);
const BUILD = new Set(['RUN', 'COPY', 'ADD']);

const shellQuote = (w: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

// ---- detection --------------------------------------------------------------------------

const BUILD_PACKAGE =
  /-dev$|-devel$|^(build-essential|build-base|alpine-sdk|gcc|gcc-\d+|g\+\+|g\+\+-\d+|gcc-c\+\+|clang|make|cmake|golang|golang-go|go|rustc|cargo|rust|maven|gradle|default-jdk|default-jdk-headless|openjdk-\d+-jdk(-headless)?|java-\d+-openjdk-devel|npm|nodejs|dotnet-sdk-[\d.]+)$/;

function buildTools(steps: readonly Step[]): string[] {
  return packageInstalls(steps)
    .flatMap((i) => i.packages)
    .filter((p) => BUILD_PACKAGE.test(p));
}

/** RUN steps that install build packages and remove them again before the step ends (`apk del .build-deps`, `apt-get purge`). */
function purgingSteps(steps: readonly Step[]): Step[] {
  return packageInstalls(steps)
    .filter((i) => i.packages.some((p) => BUILD_PACKAGE.test(p)) || i.step.commands.some((c) => c.words.includes('--virtual') || c.words.includes('-t')))
    .map((i) => i.step)
    .filter((s) =>
      s.commands.some((c) => {
        const t = base(c.words[0] ?? '');
        return (
          ((t === 'apt-get' || t === 'apt') && /^(purge|remove|autoremove)$/.test(c.words[1] ?? '')) ||
          (t === 'apk' && c.words[1] === 'del') ||
          (/^(yum|dnf|microdnf)$/.test(t) && /^(remove|erase|autoremove)$/.test(c.words[1] ?? ''))
        );
      }),
    );
}

interface StageFacts {
  readonly stage: Stage;
  readonly value: string;
  readonly ref: ImageRef;
  readonly steps: readonly Step[];
  readonly builds: readonly { step: Step; language: Language }[];
}

/** The single stage and its build commands, or why there is nothing to look at. */
function stageFacts(model: StageModel): StageFacts | string {
  if (model.conflictMarkers.length) return 'the file has merge conflict markers';
  if (model.stages.length === 0) return 'the file has no FROM';
  if (model.stages.length !== 1) return `it is already a multi-stage build (${model.stages.length} stages)`;
  const stage = defined(model.stages[0], 'the single stage');
  const value = stage.base.value || stage.base.raw;
  if (!stage.from.image || value === '') return 'the FROM line names no image';
  if (value.toLowerCase() === 'scratch') return 'it builds FROM scratch: there is no toolchain to leave behind';
  if (model.preludeInstructions.some((i) => i.keyword !== 'ARG')) return 'instructions before the first FROM';
  const steps = walkStage(model, stage);
  // Windows images: other runtime images, paths and shells; not handled.
  if (/windows|nanoserver|servercore|ltsc20\d\d/i.test(value) || steps.some((s) => s.keyword === 'WORKDIR' && /^["']?[A-Za-z]:[\\/]/.test(s.body.trim())))
    return 'Windows images are not converted';
  const ref = parseImage(value);
  const byImage = languageOfImage(ref);
  const builds: { step: Step; language: Language }[] = [];
  for (const s of steps) {
    for (const c of s.commands) {
      // On a language's image, a build script (`./scripts/build.sh`) builds with that language.
      const l = languageOfCommand(c) ?? (byImage && scriptOf(c) ? byImage : undefined);
      if (l) builds.push({ step: s, language: l });
    }
  }
  // `CMD go run .` compiles at start-up: a build too.
  const module = byImage ? languageModule(byImage) : undefined;
  for (const s of steps) {
    if ((s.keyword !== 'CMD' && s.keyword !== 'ENTRYPOINT') || !module?.runsFromSource) continue;
    const words = execForm(s.body.trim()) ?? simpleCommands(s.body, undefined)[0]?.words;
    if (words && module.runsFromSource(words)) builds.push({ step: s, language: module.id });
  }
  return { stage, value, ref, steps, builds };
}

/** The single stage of a Dockerfile that ships its toolchain, or undefined. */
export function detectToolchain(model: StageModel): ToolchainFinding | undefined {
  const f = stageFacts(model);
  if (typeof f === 'string' || f.builds.length === 0) return undefined;
  const { ref, steps, builds, value } = f;
  const byImage = languageOfImage(ref);
  const tools = buildTools(steps);
  const language: Language =
    byImage ??
    preferredLanguage(
      builds.map((b) => b.language),
      tools,
    );
  const module = languageModule(language);
  const purged = purgingSteps(steps);
  const installsKept = tools.length > 0 && packageInstalls(steps).some((i) => i.packages.some((p) => BUILD_PACKAGE.test(p)) && !purged.includes(i.step));
  const toolchain = byImage
    ? isToolchainImage(ref, byImage) || installsKept || module.buildsOnRuntimeImage?.(steps) === true
    : installsKept || (/^(buildpack-deps)$/.test(ref.name) && purged.length === 0);
  if (!toolchain) return undefined;
  const buildLines = [...new Set(builds.map((b) => b.step.firstLine))];
  const message =
    `This image ships its build toolchain: ${value} (${languageName(language)}) builds the program and stays in the final image. ` +
    'A multi-stage build keeps it in a builder stage and copies only the result into a small runtime image.';
  return { language, base: ref, range: (f.stage.from.image as { range: Range }).range, buildLines, message };
}

/** Why a Dockerfile is not converted, in the user's terms (for the CLI and the server's messages). */
export function notConvertibleReason(model: StageModel): string {
  const f = stageFacts(model);
  if (typeof f === 'string') return f;
  const { steps, builds, ref, value } = f;
  const purged = purgingSteps(steps);
  if (purged.length && !(languageOfImage(ref) && isToolchainImage(ref, languageOfImage(ref) as Language))) {
    return `the toolchain is already removed in the RUN at line ${defined(purged[0], 'first purging step').firstLine + 1}: the image does not ship it`;
  }
  if (builds.length === 0) {
    const copies = steps.filter((s) => s.keyword === 'COPY' || s.keyword === 'ADD');
    const runs = steps.filter((s) => s.keyword === 'RUN');
    if (
      copies.length &&
      runs.every((r) =>
        r.commands.every(
          (c) => !/^(make|cmake|gcc|cc|g\+\+|go|cargo|npm|yarn|pnpm|mvn|gradle|dotnet|pip|pip3|python|python3|uv|poetry)$/.test(base(c.words[0] ?? '')),
        ),
      )
    )
      return 'it only copies prebuilt files: no build step runs in the image';
    return 'no build step runs in the image (no compiler, package build or install command found)';
  }
  const lang = languageOfImage(ref);
  if (lang && !isToolchainImage(ref, lang))
    return `no build step runs on ${value}: it is already a runtime image, and installing packages on it needs no separate builder`;
  return `the stage builds (${languageName(builds[0]?.language ?? '')}) but on an image without a toolchain to leave behind (${value})`;
}

// ---- conversion -------------------------------------------------------------------------

/** ARG defaults at the end of the stage (global ones included), to compare paths that use them. */
function argDefaults(model: StageModel, stage: Stage): ArgValues {
  const values = new Map<string, string | null>();
  for (const g of model.globalArgs) values.set(g.name, g.value === null ? null : expand(g.value, values).value);
  for (const a of stage.args) values.set(a.name, a.value === null ? (values.get(a.name) ?? null) : expand(a.value, values).value);
  return values;
}

/** Converts a single-stage toolchain Dockerfile; undefined when it does not qualify. */
export function convertToMultiStage(model: StageModel, options: ConvertOptions = {}): Conversion | undefined {
  const r = explainConversion(model, options);
  return r.conversion;
}

/** The conversion, or the reason there is none (undefined when the file is not a single-stage build at all). */
export function explainConversion(model: StageModel, options: ConvertOptions = {}): { conversion?: Conversion; reason?: string } {
  const finding = detectToolchain(model);
  if (!finding) return { reason: notConvertibleReason(model) };
  const stage = defined(model.stages[0], 'the single stage');
  const copies = contextCopies(walkStage(model, stage));
  // RUN steps that call build scripts or make also run what those say (read from the context).
  const steps = withScripts(walkStage(model, stage), copies, options.context);
  const wdFinal = finalWorkdir(steps, stage);
  const args = argDefaults(model, stage);
  const module = languageModule(finding.language);

  // Where the build ends: state instructions after it only configure the runtime.
  let lastBuild = -1;
  steps.forEach((s, i) => {
    if (BUILD.has(s.keyword)) lastBuild = i;
  });
  const moved = (s: Step, i: number) => ALWAYS_RUNTIME.has(s.keyword) || (STATE.has(s.keyword) && i > lastBuild);
  const rc = runtimeCommands(steps, wdFinal);
  const plan: LanguagePlan = analyzeLanguage({
    steps,
    base: finding.base,
    language: finding.language,
    context: options.context,
    copies,
    finalWorkdir: wdFinal,
    runtimeWords: rc.runtimeWords,
    distroless: options.staticBase === 'distroless',
    envAt: (name: string, step: Step) => step.env.get(name),
  });
  if (plan.decline) return { reason: plan.decline };
  const todos = [...plan.todos];
  const notes = [...plan.notes];
  const artifacts = plan.artifacts.map((a) => ({ ...a }));

  // Files copied from the context after the last RUN: no build step uses them, so the program does.
  const addedRun = plan.insertions.some((x) => x.before === steps.length && x.lines.some((l) => /^RUN\s/.test(l)));
  const lastRun = addedRun ? steps.length : steps.map((s) => s.keyword === 'RUN').lastIndexOf(true);
  for (const c of copies) {
    const src = c.sources[0] ?? '';
    const file = c.sources.length === 1 && c.dest.endsWith('/') && /\.[A-Za-z0-9]+$/.test(src) && !/[*?[]/.test(src) ? `${c.dest}${base(src)}` : c.dest;
    if (c.step.index <= lastRun || covered(artifacts, file, args)) continue;
    artifacts.push({ from: file, to: file, why: 'copied from the context after the build: used at run time' });
  }
  const needs = packageNeeds(steps, plan, plan.systemLibs ?? module.systemLibs, isAlpine(finding.base), todos);
  let needShell = commandsNeedShell(rc);
  if (checkPrograms({ rc, rewritten: (s) => plan.rewriteCommand?.(s) !== undefined, plan, artifacts, copies, workdir: wdFinal, args, needs, todos, notes }))
    needShell = true;
  if (!rc.cmdStep && !rc.entryStep)
    todos.push(`No CMD or ENTRYPOINT: the runtime image does not inherit the one of ${finding.base.raw}. Add the command that starts the program.`);

  const runtime: RuntimeChoice = plan.choose({ shell: needShell, apt: needs.packages.size > 0 });
  if (needs.packages.size && !runtime.apt && !isAlpine(finding.base))
    todos.push(`The runtime image ${runtime.image} has no package manager for: ${[...needs.packages].join(', ')}.`);
  addSystemFiles(needs, runtime, artifacts);

  // Artifacts: without one, a placeholder that fails the build loudly.
  const placeholder = artifacts.length === 0;
  if (placeholder) todos.push('Could not find what the build produces: replace the placeholder COPY with the files the program needs.');
  const runtimeRuns = [...plan.runtimeSetup, ...userSetup(steps, module, runtime, artifacts)];
  if (needs.packages.size && runtime.apt) {
    runtimeRuns.unshift(
      `RUN apt-get update && apt-get install -y --no-install-recommends ${[...needs.packages].sort().join(' ')} && rm -rf /var/lib/apt/lists/*`,
    );
  } else if (needs.packages.size && isAlpine(finding.base)) runtimeRuns.unshift(`RUN apk add --no-cache ${[...needs.packages].sort().join(' ')}`);

  const builderName = stage.name ?? 'builder';
  const runtimeName = builderName === 'runtime' ? 'final' : 'runtime';
  const pin = pinComment(finding.base, runtime.image);
  if (pin) notes.push(pin.join(' '));
  const problem = options.context?.problem?.();
  if (problem) notes.push(`The build context: ${problem}.`);
  const headComments = [
    ...(pin ?? []).map((c) => `# ${c}`),
    ...(runtime.comment ?? []).map((c) => `# ${c}`),
    ...(problem ? [`# Note(convert): ${problem}.`] : []),
    ...todos.map((t) => `# TODO(convert): ${t}`),
  ];
  if (runtime.comment) notes.push(...runtime.comment);
  const out = assemble({
    model,
    stage,
    steps,
    moved,
    lastBuild,
    plan,
    module,
    runtime,
    artifacts,
    rc,
    builderName,
    runtimeName,
    workdir: wdFinal,
    runtimeRuns,
    headComments,
    placeholder,
    todoCount: todos.length,
    devStage: options.devStage === true,
    notes,
  });
  const lost = lostLines(model.text, out.text);
  // The result must read back as builder (+ dev) + runtime: a dangling continuation or an
  // open heredoc at the end of the builder would swallow the next FROM.
  const check = buildModel(out.text);
  const names = check.stages.map((s) => s.name);
  if (
    names.length !== out.stageNames.length ||
    names.some((n, i) => n !== out.stageNames[i]) ||
    check.stages[check.stages.length - 1]?.base.raw !== runtime.image
  ) {
    return { reason: 'the converted file would not read back as a builder and a runtime stage (an open continuation or heredoc at the end)' };
  }
  return { conversion: { finding, text: out.text, language: plan.language, builderName, runtimeImage: runtime.image, artifacts, todos, notes, lost } };
}

/** The builder's digest pin names that one image: it cannot be reused for the runtime base, so it is kept as a comment, never dropped silently. */
function pinComment(builder: ImageRef, runtime: string): string[] | undefined {
  if (!builder.digest || runtime.includes('@')) return undefined;
  if (runtime === 'scratch') return [`Pin(convert): the builder is pinned (${builder.raw}); scratch is empty and needs no pin.`];
  return [
    `TODO(convert): the builder is pinned (${builder.raw}), and a digest names one image only.`,
    `Pin this base the same way: ${runtime}@sha256:<digest> (\`docker buildx imagetools inspect ${runtime}\` prints it).`,
  ];
}

/** Time zone data and CA certificates the builder installed: packages on a Debian runtime, files copied otherwise. */
function addSystemFiles(needs: PackageNeeds, runtime: RuntimeChoice, artifacts: Artifact[]): void {
  if (needs.tzdata && !runtime.apt) artifacts.push({ from: '/usr/share/zoneinfo/', to: '/usr/share/zoneinfo/', why: 'time zone data (tzdata)' });
  else if (needs.tzdata) needs.packages.add('tzdata');
  if (needs.certs && !runtime.apt && !artifacts.some((a) => a.from.startsWith('/etc/ssl/certs')))
    artifacts.push({ from: '/etc/ssl/certs/ca-certificates.crt', to: '/etc/ssl/certs/ca-certificates.crt', why: 'CA certificates' });
  else if (needs.certs && runtime.apt) needs.packages.add('ca-certificates');
}

/** The user the program runs as must exist in the runtime: created again (with a shell) or /etc/passwd copied. */
function userSetup(steps: readonly Step[], module: LanguageModule, runtime: RuntimeChoice, artifacts: Artifact[]): string[] {
  const lastUser = [...steps].reverse().find((s) => s.keyword === 'USER');
  const userName = lastUser?.body.trim().split(':')[0];
  const runs: string[] = [];
  if (!userName || /^\d+$/.test(userName) || /^\$/.test(userName) || userName === 'root') return runs;
  const creators = steps.flatMap((s) => s.commands).filter((c) => /^(useradd|adduser|groupadd|addgroup)$/.test(base(c.words[0] ?? '')));
  if (creators.length && runtime.shell) runs.push(`RUN ${creators.map((c) => c.words.map(shellQuote).join(' ')).join(' && ')}`);
  else if (
    creators.length ||
    !runtime.passwd ||
    (!module.sameFamilyUsers && !(runtime.image.includes('distroless') && ['nobody', 'nonroot'].includes(userName)))
  ) {
    artifacts.push(
      { from: '/etc/passwd', to: '/etc/passwd', why: `the user ${userName}` },
      { from: '/etc/group', to: '/etc/group', why: `the user ${userName}` },
    );
  }
  return runs;
}

// ---- never lose a line ------------------------------------------------------------------

/**
 * Lines of `original` (instructions, continuation lines, comments) that
 * `converted` does not contain. A line counts as kept when it is there as
 * written, commented out after a rewrite (`# <line>`), or, for the FROM line,
 * with ` AS <name>` appended. Blank lines do not count.
 */
export function lostLines(original: string, converted: string): string[] {
  const have = new Map<string, number>();
  for (const l of converted.split(/\r\n|\r|\n/)) {
    const k = l.trimEnd();
    have.set(k, (have.get(k) ?? 0) + 1);
  }
  const take = (k: string) => {
    const n = have.get(k) ?? 0;
    if (n === 0) return false;
    have.set(k, n - 1);
    return true;
  };
  const lost: string[] = [];
  const named = [...have.keys()];
  for (const raw of original.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const l = raw.trimEnd();
    if (l.trim() === '') continue;
    if (take(l) || take(`# ${l}`)) continue;
    const as = named.find((k) => k.startsWith(l) && /^\s+(AS|as)\s+[A-Za-z][\w.-]*$/.test(k.slice(l.length)) && (have.get(k) ?? 0) > 0);
    if (as && take(as)) continue;
    lost.push(l);
  }
  return lost;
}
