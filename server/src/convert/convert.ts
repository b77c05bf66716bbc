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
import { isAlpine, parseImage, type ImageRef, type RuntimeChoice } from './images';
import { analyzeLanguage, isToolchainImage, languageOfCommand, languageOfImage, LANGUAGE_NAMES, type Artifact, type Language, type LanguagePlan } from './languages';
import { execForm, joinPath, jsonArray, referencedVariables, simpleCommands, toExecForm } from './shell';
import {
  contextCopies,
  copiedFromContext,
  DEBIAN_RUNTIME_LIBS,
  baseWorkdir,
  envPairs,
  finalWorkdir,
  imageNameOf,
  isBuildPackage,
  packageInstalls,
  stepText,
  walkStage,
  type ConvertContext,
  type Step,
} from './steps';

export type { ConvertContext } from './steps';
export type { Language } from './languages';

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

/** ENV names that only configure a toolchain; not repeated in the runtime stage. */
const TOOLCHAIN_ENV = /^(GO[A-Z0-9_]*|CGO_[A-Z_]+|CC|CXX|CPP|CFLAGS|CXXFLAGS|CPPFLAGS|LDFLAGS|MAKEFLAGS|CARGO_[A-Z_]*|RUSTFLAGS|RUSTUP_[A-Z_]*|RUST_VERSION|PIP_[A-Z_]*|POETRY_[A-Z_]*|PIPENV_[A-Z_]*|UV_[A-Z_]*|NPM_CONFIG_[A-Z_]*|npm_config_[a-z_]*|YARN_[A-Z_]*|MAVEN_[A-Z_]*|M2_HOME|GRADLE_[A-Z_]*|JAVA_HOME|JDK_[A-Z_]*|DOTNET_CLI_[A-Z_]*|DOTNET_NOLOGO|DOTNET_SKIP_[A-Z_]*|NUGET_[A-Z_]*|DEBIAN_FRONTEND|APT_[A-Z_]*)$/;

const SHELL_BUILTINS = new Set(['exec', 'echo', 'true', 'false', 'cd', 'set', 'export', 'test', '[', 'exit', 'trap', 'wait', 'source', '.', 'eval', 'printf', 'read', 'shift', 'unset', 'if', 'then', 'fi', 'else', 'for', 'do', 'done', 'while']);
/** Tools every image with a shell has (coreutils and friends in Debian slim). */
const SHELL_IMAGE_TOOLS = new Set(['sh', 'bash', 'dash', 'cat', 'ls', 'sleep', 'env', 'mkdir', 'rm', 'cp', 'mv', 'chmod', 'chown', 'grep', 'sed', 'awk', 'date', 'tail', 'head', 'touch', 'id', 'whoami', 'hostname', 'uname', 'tee', 'sort', 'xargs', 'find', 'timeout', 'nohup', 'kill', 'ln', 'pwd', 'basename', 'dirname', 'readlink', 'realpath', 'stat', 'wc', 'cut', 'tr', 'expr', 'seq', 'yes', 'nice']);
/** Debian packages for tools a runtime command may use. */
const APT_TOOLS: Readonly<Record<string, string>> = { curl: 'curl', wget: 'wget', nc: 'netcat-openbsd', ps: 'procps', pgrep: 'procps', tini: 'tini', 'dumb-init': 'dumb-init', gosu: 'gosu', jq: 'jq', ip: 'iproute2', ping: 'iputils-ping', dig: 'dnsutils', bash: 'bash', tzdata: 'tzdata' };
const SYSTEM_DIRS = /^\/(usr\/)?s?bin\//;
const DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

const base = (p: string) => p.replace(/\/+$/, '').split('/').pop() ?? p;

// ---- detection --------------------------------------------------------------------------

function buildTools(steps: readonly Step[]): string[] {
  return packageInstalls(steps)
    .flatMap((i) => i.packages)
    .filter((p) => /-dev$|-devel$|^(build-essential|build-base|alpine-sdk|gcc|gcc-\d+|g\+\+|g\+\+-\d+|gcc-c\+\+|clang|make|cmake|golang|golang-go|go|rustc|cargo|rust|maven|gradle|default-jdk|default-jdk-headless|openjdk-\d+-jdk(-headless)?|java-\d+-openjdk-devel|npm|nodejs|dotnet-sdk-[\d.]+)$/.test(p));
}

/** The single stage of a Dockerfile that ships its toolchain, or undefined. */
export function detectToolchain(model: StageModel): ToolchainFinding | undefined {
  if (model.stages.length !== 1 || model.conflictMarkers.length) return undefined;
  const stage = model.stages[0] as Stage;
  const img = stage.from.image;
  const value = stage.base.value || stage.base.raw;
  if (!img || value === '' || value.toLowerCase() === 'scratch') return undefined;
  if (model.preludeInstructions.some((i) => i.keyword !== 'ARG')) return undefined;
  const ref = parseImage(value);
  const steps = walkStage(model, stage);
  // Windows images: other runtime images, paths and shells; not handled.
  if (/windows|nanoserver|servercore|ltsc20\d\d/i.test(value) || steps.some((s) => s.keyword === 'WORKDIR' && /^["']?[A-Za-z]:[\\/]/.test(s.body.trim()))) return undefined;
  const builds: { step: Step; language: Language }[] = [];
  for (const s of steps) {
    for (const c of s.commands) {
      const l = languageOfCommand(c);
      if (l) builds.push({ step: s, language: l });
    }
  }
  if (builds.length === 0) return undefined;
  const byImage = languageOfImage(ref);
  const tools = buildTools(steps);
  const language: Language = byImage ?? preferredLanguage(builds.map((b) => b.language), tools);
  const toolchain = byImage ? isToolchainImage(ref, byImage) || tools.length > 0 : tools.length > 0 || /^(buildpack-deps)$/.test(ref.name);
  if (!toolchain) return undefined;
  const buildLines = [...new Set(builds.map((b) => b.step.firstLine))];
  const message =
    `This image ships its build toolchain: ${value} (${LANGUAGE_NAMES[language]}) builds the program and stays in the final image. ` +
    'A multi-stage build keeps it in a builder stage and copies only the result into a small runtime image.';
  return { language, base: ref, range: img.range, buildLines, message };
}

/** On a plain OS image the language is what the build steps use; a compiled language wins over make. */
function preferredLanguage(found: readonly Language[], tools: readonly string[]): Language {
  for (const l of ['go', 'rust', 'dotnet', 'java', 'node', 'python'] as const) if (found.includes(l)) return l;
  if (found.includes('c') || tools.some((t) => /^(build-essential|gcc|g\+\+|clang|make|cmake)/.test(t))) return 'c';
  return 'generic';
}

// ---- runtime commands -------------------------------------------------------------------

interface RuntimeCommand {
  readonly step: Step;
  readonly keyword: 'CMD' | 'ENTRYPOINT' | 'HEALTHCHECK';
  /** The text after the keyword (and, for HEALTHCHECK, after its flags and `CMD`). */
  readonly body: string;
  /** Exec-form words, when written so. */
  readonly exec: string[] | undefined;
  /** Exec form that runs a shell (`["sh", "-c", …]`). */
  readonly execShell: boolean;
  /** Shell form that the shell would only split on blanks: its exec-form words. */
  readonly convertible: string[] | undefined;
  /** The simple commands it runs (programs first). */
  readonly commands: readonly (readonly string[])[];
}

function runtimeCommand(step: Step, workdir: string | undefined): RuntimeCommand | undefined {
  const keyword = step.keyword as RuntimeCommand['keyword'];
  let body = step.body.trim();
  if (keyword === 'HEALTHCHECK') {
    const m = /^(?:--\S+\s+)*(CMD|NONE)\b\s*([\s\S]*)$/i.exec(body);
    if (!m || (m[1] as string).toUpperCase() === 'NONE') return undefined;
    body = (m[2] as string).trim();
  }
  const exec = execForm(body);
  const execShell = !!exec && exec.length >= 2 && /^(\/bin\/|\/usr\/bin\/)?(ba|da|a)?sh$/.test(exec[0] as string);
  let commands: (readonly string[])[];
  if (exec && execShell && exec[1] === '-c' && exec[2] !== undefined) commands = simpleCommands(exec[2], workdir).map((c) => c.words);
  else if (exec) commands = exec.length ? [exec] : [];
  else commands = simpleCommands(body, workdir).map((c) => c.words);
  const convertible = exec ? undefined : toExecForm(body);
  return { step, keyword, body, exec, execShell, convertible: convertible && !SHELL_BUILTINS.has(convertible[0] as string) ? convertible : undefined, commands };
}

// ---- conversion -------------------------------------------------------------------------

interface Block {
  readonly step: Step;
  /** Comment and blank lines above the instruction (since the previous one). */
  readonly lead: readonly string[];
  /** The instruction's own lines. */
  readonly lines: readonly string[];
}

const shellQuote = (w: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

function covered(artifacts: readonly Artifact[], path: string, args: ArgValues): boolean {
  const p = expand(path, args).value;
  return artifacts.some((x) => {
    const to = expand(x.to, args).value;
    return to === p || (to.endsWith('/') && (p + '/').startsWith(to)) || to === p + '/';
  });
}

/** ARG defaults at the end of the stage (global ones included), to compare paths that use them. */
function argDefaults(model: StageModel, stage: Stage): ArgValues {
  const values = new Map<string, string | null>();
  for (const g of model.globalArgs) values.set(g.name, g.value === null ? null : expand(g.value, values).value);
  for (const a of stage.args) values.set(a.name, a.value === null ? (values.get(a.name) ?? null) : expand(a.value, values).value);
  return values;
}

function looksLikeFile(w: string): boolean {
  return !w.startsWith('-') && !/^[a-z]+:\/\//i.test(w) && !w.includes('$') && (w.includes('/') || /\.(js|mjs|cjs|py|jar|dll|ya?ml|json|toml|conf|ini|cfg|sh|env|txt|xml|properties|html)$/.test(w));
}

/** Converts a single-stage toolchain Dockerfile; undefined when it does not qualify. */
export function convertToMultiStage(model: StageModel, options: ConvertOptions = {}): Conversion | undefined {
  const finding = detectToolchain(model);
  if (!finding) return undefined;
  const stage = model.stages[0] as Stage;
  const steps = walkStage(model, stage);
  const lines = model.parsed.lines;
  const eol = model.text.includes('\r\n') ? '\r\n' : '\n';
  const builderName = stage.name ?? 'builder';
  const runtimeName = builderName === 'runtime' ? 'final' : 'runtime';
  const copies = contextCopies(steps);
  const wdFinal = finalWorkdir(steps, stage);
  const args = argDefaults(model, stage);

  // Where the build ends: state instructions after it only configure the runtime.
  let lastBuild = -1;
  steps.forEach((s, i) => {
    if (BUILD.has(s.keyword)) lastBuild = i;
  });
  const moved = (s: Step, i: number) => ALWAYS_RUNTIME.has(s.keyword) || (STATE.has(s.keyword) && i > lastBuild);

  const cmds = {
    entry: [...steps].reverse().find((s) => s.keyword === 'ENTRYPOINT'),
    cmd: [...steps].reverse().find((s) => s.keyword === 'CMD'),
    health: [...steps].reverse().find((s) => s.keyword === 'HEALTHCHECK'),
  };
  const runCmds: RuntimeCommand[] = [cmds.entry, cmds.cmd, cmds.health].flatMap((s) => (s ? [runtimeCommand(s, wdFinal)].filter((x): x is RuntimeCommand => !!x) : []));
  const entry = runCmds.find((r) => r.keyword === 'ENTRYPOINT');
  const cmd = runCmds.find((r) => r.keyword === 'CMD');
  // What the container runs: ENTRYPOINT with CMD as its arguments, or CMD alone; HEALTHCHECK on its own.
  const effective: { keyword: string; words: string[] }[] = [];
  if (entry?.exec && !entry.execShell) effective.push({ keyword: 'ENTRYPOINT', words: [...entry.exec, ...(cmd ? (cmd.exec ?? ['/bin/sh', '-c', cmd.body]) : [])] });
  else if (entry) effective.push(...entry.commands.map((c) => ({ keyword: 'ENTRYPOINT', words: [...c] })));
  else if (cmd) effective.push(...cmd.commands.map((c) => ({ keyword: 'CMD', words: [...c] })));
  const health = runCmds.find((r) => r.keyword === 'HEALTHCHECK');
  if (health) effective.push(...health.commands.map((c) => ({ keyword: 'HEALTHCHECK', words: [...c] })));
  const runtimeWords: string[][] = effective.filter((e) => e.keyword !== 'HEALTHCHECK').map((e) => e.words);

  const planInput = {
    steps,
    base: finding.base,
    language: finding.language,
    context: options.context,
    copies,
    finalWorkdir: wdFinal,
    runtimeWords,
    distroless: options.staticBase === 'distroless',
    envAt: (name: string, step: Step) => step.env.get(name),
  };
  const plan: LanguagePlan = analyzeLanguage(planInput);
  const todos = [...plan.todos];
  const notes = [...plan.notes];
  const artifacts = plan.artifacts.map((a) => ({ ...a }));

  // Does the runtime need a shell? Shell syntax in CMD/ENTRYPOINT/HEALTHCHECK, or a shell program.
  let needShell = false;
  for (const r of runCmds) {
    if (r.execShell) needShell = true;
    else if (!r.exec && !r.convertible) needShell = true;
    else if (!r.exec && r.keyword === 'ENTRYPOINT' && cmds.cmd) needShell = true; // shell-form ENTRYPOINT ignores CMD; exec form would not
    else if (!r.exec && r.keyword === 'CMD' && entry?.exec) needShell = true; // the shell form's `/bin/sh -c` is part of the arguments
  }

  // Packages the runtime needs.
  const runtimePackages = new Set<string>(plan.runtimePackages);
  const nativeLanguage = ['go', 'rust', 'c', 'generic'].includes(plan.language);
  let tzdata = false;
  let certs = false;
  for (const inst of packageInstalls(steps)) {
    for (const p of inst.packages) {
      if (p === 'tzdata') tzdata = true;
      else if (p === 'ca-certificates') certs = true;
      else if (!isBuildPackage(p)) runtimePackages.add(p);
      else if (/-dev$/.test(p) && plan.language !== 'go' && plan.language !== 'java' && plan.language !== 'dotnet') {
        const lib = DEBIAN_RUNTIME_LIBS[p];
        if (lib && inst.manager === 'apt') runtimePackages.add(lib);
        else if (nativeLanguage && inst.manager === 'apt' && p !== 'libc6-dev' && p !== 'linux-libc-dev') todos.push(`The builder installs ${p}: install its runtime library in the runtime stage if the program links against it.`);
      }
    }
  }
  const manager = packageInstalls(steps)[0]?.manager ?? (isAlpine(finding.base) ? 'apk' : 'apt');

  // The programs the container runs: each must exist in the runtime image.
  const toolsOf = (rt: RuntimeChoice | undefined) => new Set([...plan.tools, ...(rt?.shell !== false ? SHELL_IMAGE_TOOLS : [])]);
  const programChecks: { name: string; keyword: string }[] = [];
  for (const { keyword, words } of effective) {
    let i = 0;
    // `exec foo`, `env X=1 foo`, `tini -- foo` run foo.
    while (i < words.length && (['exec', 'env', 'nohup', 'tini', 'dumb-init', '--'].includes(base(words[i] as string)) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] as string))) {
      if (['tini', 'dumb-init', 'env'].includes(base(words[i] as string))) programChecks.push({ name: words[i] as string, keyword });
      i++;
    }
    const program = words[i];
    if (program === undefined) continue;
    programChecks.push({ name: program, keyword });
    // Files the command names (config files, scripts, jars): copy them when the builder has them from the context.
    for (const w of words.slice(i + 1)) {
      if (!looksLikeFile(w)) continue;
      const path = w.startsWith('/') ? joinPath('/', w) : wdFinal !== undefined ? joinPath(wdFinal, w) : undefined;
      if (path && !covered(artifacts, path, args) && copiedFromContext(copies, path) && !w.endsWith('.dll')) artifacts.push({ from: path, to: path, why: `used by ${keyword}` });
    }
  }
  for (const { name, keyword } of programChecks) {
    const b = base(name);
    if (plan.toolchainCommands.has(b) || (b === 'dotnet' && effective.some((e) => e.words[0] === name && (e.words[1] === 'run' || e.words[1] === 'watch')))) {
      todos.push(`${keyword} runs the toolchain (\`${b}\`) at run time: build the program in the builder and run the result instead.`);
      continue;
    }
    if (name.includes('/') && !SYSTEM_DIRS.test(name)) {
      const path = name.startsWith('/') ? joinPath('/', name) : wdFinal !== undefined ? joinPath(wdFinal, name) : undefined;
      if (!path) todos.push(`Could not resolve \`${name}\` (the working directory is unknown).`);
      else if (!covered(artifacts, path, args)) artifacts.push({ from: path, to: path, why: `the program ${keyword} runs` });
      continue;
    }
    if (toolsOf(undefined).has(b) || SHELL_BUILTINS.has(b)) {
      if (SHELL_IMAGE_TOOLS.has(b) && !plan.tools.has(b)) needShell = true;
      continue;
    }
    const art = artifacts.find((a) => base(a.to) === b);
    if (art) {
      const dir = art.to.slice(0, art.to.lastIndexOf('/')) || '/';
      if (!DEFAULT_PATH.includes(dir) && !plan.pathDirs.includes(dir)) art.to = `/usr/local/bin/${b}`;
      continue;
    }
    const pkg = APT_TOOLS[b];
    if (pkg && manager === 'apt') {
      runtimePackages.add(pkg);
      notes.push(`${keyword} uses ${b}: the runtime stage installs ${pkg}.`);
      continue;
    }
    if (plan.pathDirs.length) continue; // installed in the virtualenv (or pip --user) that is copied
    todos.push(`${keyword} runs \`${b}\`, which the runtime image may not have: install or copy it.`);
  }
  if (!cmds.cmd && !cmds.entry) todos.push(`No CMD or ENTRYPOINT: the runtime image does not inherit the one of ${finding.base.raw}. Add the command that starts the program.`);

  const runtime: RuntimeChoice = plan.choose({ shell: needShell, apt: runtimePackages.size > 0 });
  if (runtimePackages.size && !runtime.apt && !isAlpine(finding.base)) todos.push(`The runtime image ${runtime.image} has no package manager for: ${[...runtimePackages].join(', ')}.`);
  if (tzdata && !runtime.apt) artifacts.push({ from: '/usr/share/zoneinfo/', to: '/usr/share/zoneinfo/', why: 'time zone data (tzdata)' });
  else if (tzdata) runtimePackages.add('tzdata');
  if (certs && !runtime.apt && !artifacts.some((a) => a.from.startsWith('/etc/ssl/certs'))) artifacts.push({ from: '/etc/ssl/certs/ca-certificates.crt', to: '/etc/ssl/certs/ca-certificates.crt', why: 'CA certificates' });
  else if (certs && runtime.apt) runtimePackages.add('ca-certificates');

  // Artifacts: without one, a placeholder that fails the build loudly.
  const placeholder = artifacts.length === 0;
  if (placeholder) todos.push('Could not find what the build produces: replace the placeholder COPY with the files the program needs.');

  // The user the program runs as.
  const lastUser = [...steps].reverse().find((s) => s.keyword === 'USER');
  const userName = lastUser?.body.trim().split(':')[0];
  const runtimeRuns: string[] = [];
  if (userName && !/^\d+$/.test(userName) && !/^\$/.test(userName) && userName !== 'root') {
    const creators = steps.flatMap((s) => s.commands).filter((c) => /^(useradd|adduser|groupadd|addgroup)$/.test(base(c.words[0] ?? '')));
    const sameFamily = plan.language === 'node' || plan.language === 'python';
    if (creators.length && runtime.shell) runtimeRuns.push(`RUN ${creators.map((c) => c.words.map(shellQuote).join(' ')).join(' && ')}`);
    else if (creators.length || !runtime.passwd || (!sameFamily && !(runtime.image.includes('distroless') && ['nobody', 'nonroot'].includes(userName)))) {
      artifacts.push({ from: '/etc/passwd', to: '/etc/passwd', why: `the user ${userName}` }, { from: '/etc/group', to: '/etc/group', why: `the user ${userName}` });
    }
  }
  if (runtimePackages.size && runtime.apt) {
    runtimeRuns.unshift(`RUN apt-get update && apt-get install -y --no-install-recommends ${[...runtimePackages].sort().join(' ')} && rm -rf /var/lib/apt/lists/*`);
  } else if (runtimePackages.size && isAlpine(finding.base)) runtimeRuns.unshift(`RUN apk add --no-cache ${[...runtimePackages].sort().join(' ')}`);

  // ---- assemble -------------------------------------------------------------------------
  const fromStart = stage.from.range.start.line;
  const fromEnd = stage.from.range.end.line;
  const blocks: Block[] = [];
  let prev = fromEnd;
  for (const s of steps) {
    blocks.push({ step: s, lead: lines.slice(prev + 1, s.firstLine), lines: stepText(model, s).split('\n') });
    prev = s.lastLine;
  }
  const trailing = lines.slice(prev + 1);
  while (trailing.length && trailing[trailing.length - 1] === '') trailing.pop();

  const out: string[] = [...lines.slice(0, fromStart)];
  const fromLines = lines.slice(fromStart, fromEnd + 1);
  if (!stage.name) {
    const as = stage.from.keywordText === stage.from.keywordText.toLowerCase() ? 'as' : 'AS';
    fromLines[fromLines.length - 1] = `${(fromLines[fromLines.length - 1] as string).trimEnd()} ${as} ${builderName}`;
  }
  out.push(...fromLines);
  const insertAt = (i: number) => plan.insertions.filter((x) => x.before === i && (!x.when || x.when(runtime))).flatMap((x) => x.lines);
  blocks.forEach((b, i) => {
    if (moved(b.step, i)) return;
    out.push(...insertAt(i), ...b.lead, ...b.lines);
  });
  out.push(...insertAt(steps.length));

  // The runtime stage.
  const rt: string[] = [];
  const copiedEnv = steps.filter((s, i) => s.keyword === 'ENV' && !moved(s, i) && envPairs(s.inst).some(([k, v]) => runtimeEnv(k, v, artifacts, plan.pathDirs)));
  for (const s of copiedEnv) rt.push(...stepText(model, s).split('\n'));
  rt.push(...plan.runtimeEnv);
  // The working directory when the build ends; moved WORKDIRs (relative ones too) then apply in order.
  // (Not needed when the first WORKDIR moved along is absolute.)
  const wdRuntime = workdirBefore(steps, lastBuild + 1, stage);
  const firstMovedWorkdir = steps.find((s, i) => s.keyword === 'WORKDIR' && moved(s, i));
  const absoluteNext = firstMovedWorkdir !== undefined && /^["']?\//.test(firstMovedWorkdir.body.trim());
  if (wdRuntime && wdRuntime !== '/' && !absoluteNext) rt.push(`WORKDIR ${wdRuntime}`);
  rt.push(...runtimeRuns);
  const passwd = artifacts.filter((a) => a.from === '/etc/passwd' || a.from === '/etc/group');
  for (const a of artifacts) {
    if (passwd.includes(a)) continue;
    rt.push(`COPY --from=${builderName} ${a.from} ${a.to}`);
  }
  if (passwd.length) rt.push(`COPY --from=${builderName} /etc/passwd /etc/group /etc/`);
  if (placeholder) {
    rt.push(
      '# TODO(convert): copy what the build produces. This placeholder fails the build until then, e.g.:',
      `#   COPY --from=${builderName} ${wdFinal && wdFinal !== '/' ? wdFinal : '/app'}/<program> ${wdFinal && wdFinal !== '/' ? wdFinal : '/app'}/<program>`,
      `COPY --from=${builderName} /TODO/path/to/artifact /TODO/destination/`,
    );
  }
  if (lastUser && !moved(lastUser, steps.indexOf(lastUser))) rt.push(...stepText(model, lastUser).split('\n'));
  blocks.forEach((b, i) => {
    if (!moved(b.step, i)) return;
    const lead = rt.length === 0 ? trimBlank(b.lead) : b.lead;
    const rc = runCmds.find((r) => r.step === b.step);
    if (rc && !rc.exec && !runtime.shell && rc.convertible) {
      const prefix = rewritePrefix(b.lines.join('\n'), rc);
      rt.push(...lead, `# Exec form: ${runtime.image} has no shell to run the shell form. Was:`, ...b.lines.map((l) => `# ${l}`), `${prefix}${jsonArray(rc.convertible)}`);
      notes.push(`${rc.keyword} is written in exec form: ${runtime.image} has no /bin/sh.`);
    } else rt.push(...lead, ...b.lines);
  });

  // ARGs the runtime stage uses must be declared in it too.
  const argDecls = runtimeArgs(model, stage, steps, rt, moved);
  const todoLines = todos.length ? ['# TODO(convert): ' + todos.join('\n# TODO(convert): ')] : [];
  const devBody = options.devStage ? devStageBody(plan, artifacts, effective, steps, moved, model) : undefined;
  out.push('');
  if (devBody) {
    out.push(
      '# Development: the toolchain and the sources, run from source. Compose: `build: { target: dev }`.',
      '# A plain `docker build` still produces the last stage.',
      `FROM ${builderName} AS dev`,
      ...runtimeArgs(model, stage, steps, devBody, () => false),
      ...devBody,
      '',
    );
  }
  out.push(`FROM ${runtime.image} AS ${runtimeName}`, ...argDecls, ...todoLines.flatMap((t) => t.split('\n')), ...collapseBlank(rt));
  if (trailing.length) out.push(...trailing);
  const text = out.join(eol) + eol;
  const lost = lostLines(model.text, text);
  // The result must read back as builder (+ dev) + runtime: a dangling continuation or an
  // open heredoc at the end of the builder would swallow the next FROM.
  const check = buildModel(text);
  const names = check.stages.map((s) => s.name);
  const expected = [builderName, ...(devBody ? ['dev'] : []), runtimeName];
  if (names.length !== expected.length || names.some((n, i) => n !== expected[i]) || check.stages[check.stages.length - 1]?.base.raw !== runtime.image) return undefined;
  return { finding, text, language: plan.language, builderName, runtimeImage: runtime.image, artifacts, todos, notes, lost };
}

function workdirBefore(steps: readonly Step[], index: number, stage: Stage): string | undefined {
  let w: string | undefined = baseWorkdir(imageNameOf(stage));
  for (let i = 0; i < index; i++) if ((steps[i] as Step).keyword === 'WORKDIR') w = (steps[i] as Step).workdir;
  return w;
}

/** No blank line first, none doubled. */
function collapseBlank(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const l of lines) if (l.trim() !== '' || (out.length && (out[out.length - 1] as string).trim() !== '')) out.push(l);
  return out;
}

function trimBlank(lines: readonly string[]): string[] {
  const out = [...lines];
  while (out.length && (out[0] as string).trim() === '') out.shift();
  return out;
}

/** The instruction text before its exec-form body: `CMD `, `HEALTHCHECK --interval=5s CMD `. */
function rewritePrefix(text: string, rc: RuntimeCommand): string {
  const flat = text.replace(/\\\n/g, ' ');
  const kw = /^\s*[A-Za-z]+/.exec(flat)?.[0].length ?? 0;
  const at = flat.indexOf(rc.body.split(/\s+/)[0] as string, kw);
  const head = at > 0 ? flat.slice(0, at) : `${rc.keyword} `;
  return head.replace(/\s+$/, ' ');
}

/** Does an ENV setting matter at run time? Toolchain settings do not; PATH only when it points into something copied. */
function runtimeEnv(key: string, value: string, artifacts: readonly Artifact[], pathDirs: readonly string[]): boolean {
  if (TOOLCHAIN_ENV.test(key)) return false;
  if (key === 'PATH') return value.split(':').some((d) => pathDirs.includes(d.replace(/\/$/, '')) || artifacts.some((a) => a.to.endsWith('/') && (d + '/').startsWith(a.to)));
  return true;
}

/** ARG declarations the runtime stage needs: every ARG its build-time instructions use. */
function runtimeArgs(model: StageModel, stage: Stage, steps: readonly Step[], rt: readonly string[], moved: (s: Step, i: number) => boolean): string[] {
  const used = new Set<string>();
  let inExecOnly = false;
  for (const l of rt) {
    const t = l.trimStart();
    if (t.startsWith('#')) continue;
    const kw = /^([A-Za-z]+)\b/.exec(t)?.[1]?.toUpperCase();
    if (kw) inExecOnly = kw === 'CMD' || kw === 'ENTRYPOINT' || kw === 'HEALTHCHECK';
    if (inExecOnly) continue;
    for (const v of referencedVariables(l, model.escapeChar)) used.add(v);
  }
  const envSet = new Set<string>();
  for (const l of rt) {
    const m = /^\s*ENV\s+(.*)$/i.exec(l);
    if (m) for (const pair of (m[1] as string).split(/\s+/)) envSet.add(pair.split('=')[0] as string);
  }
  const out: string[] = [];
  const declaredInRuntime = new Set(steps.filter((s, i) => s.keyword === 'ARG' && moved(s, i)).flatMap((s) => s.inst.args.map((a) => a.text.split('=')[0] as string)));
  for (const name of used) {
    if (envSet.has(name) || declaredInRuntime.has(name)) continue;
    const local = [...steps].reverse().find((s) => s.keyword === 'ARG' && s.inst.args.some((a) => a.text.split('=')[0] === name));
    if (local) {
      const text = stepText(model, local);
      if (!out.includes(text)) out.push(text);
    } else if (model.globalArgs.some((g) => g.name === name) && stage.args.every((a) => a.name !== name)) out.push(`ARG ${name}`);
  }
  return out.flatMap((t) => t.split('\n'));
}

/** The body of a `dev` stage between builder and runtime: the runtime's ENV and EXPOSE, and a run-from-source command. */
function devStageBody(plan: LanguagePlan, artifacts: readonly Artifact[], effective: readonly { keyword: string; words: readonly string[] }[], steps: readonly Step[], moved: (s: Step, i: number) => boolean, model: StageModel): string[] {
  const production = (s: Step) => s.keyword === 'ENV' && envPairs(s.inst).every(([k, v]) => /(^|_)ENV(IRONMENT)?$/.test(k) && /^prod(uction)?$/i.test(v));
  const env = steps.filter((s, i) => moved(s, i) && (s.keyword === 'ENV' || s.keyword === 'EXPOSE') && !production(s)).flatMap((s) => stepText(model, s).split('\n'));
  const prod = effective.find((e) => e.keyword !== 'HEALTHCHECK')?.words;
  let run = plan.devCommand ?? prod;
  // `go run .` / `cargo run` get the arguments production passes to the built program.
  if (plan.devCommand && prod && prod.length > 1 && artifacts.some((a) => base(a.to) === base(prod[0] as string))) {
    if (plan.language === 'go') run = [...plan.devCommand, ...prod.slice(1)];
    if (plan.language === 'rust') run = [...plan.devCommand, '--', ...prod.slice(1)];
  }
  return [...env, ...(run ? [`CMD ${jsonArray(run)}`] : [])];
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
