/**
 * Writes the converted Dockerfile: the builder (every original build step in
 * order, plus the conversion's insertions), an optional dev stage, and the
 * runtime stage (ENV, WORKDIR, packages, COPY --from of the artifacts, the
 * runtime instructions moved down, shell-form commands rewritten to exec form
 * with the original kept as a comment). Pure text over the StageModel.
 */
import type { Stage, StageModel } from '../model/model';
import { defined } from '../model/text';
import type { RuntimeChoice } from './images';
import type { Artifact, LanguageModule, LanguagePlan } from './registry';
import { base, type RuntimeCommands } from './runtime';
import { jsonArray, referencedVariables } from './shell';
import { baseWorkdir, envPairs, imageNameOf, stepText, type Step } from './steps';

/** ENV names that only configure a toolchain; not repeated in the runtime stage. */
const TOOLCHAIN_ENV =
  /^(GO[A-Z0-9_]*|CGO_[A-Z_]+|CC|CXX|CPP|CFLAGS|CXXFLAGS|CPPFLAGS|LDFLAGS|MAKEFLAGS|CARGO_[A-Z_]*|RUSTFLAGS|RUSTUP_[A-Z_]*|RUST_VERSION|PIP_[A-Z_]*|POETRY_[A-Z_]*|PIPENV_[A-Z_]*|UV_[A-Z_]*|NPM_CONFIG_[A-Z_]*|npm_config_[a-z_]*|YARN_[A-Z_]*|MAVEN_[A-Z_]*|M2_HOME|GRADLE_[A-Z_]*|JAVA_HOME|JDK_[A-Z_]*|DOTNET_CLI_[A-Z_]*|DOTNET_NOLOGO|DOTNET_SKIP_[A-Z_]*|NUGET_[A-Z_]*|DEBIAN_FRONTEND|APT_[A-Z_]*)$/;

export interface AssembleInput {
  readonly model: StageModel;
  readonly stage: Stage;
  readonly steps: readonly Step[];
  readonly moved: (s: Step, i: number) => boolean;
  readonly lastBuild: number;
  readonly plan: LanguagePlan;
  readonly module: LanguageModule;
  readonly runtime: RuntimeChoice;
  readonly artifacts: readonly Artifact[];
  readonly rc: RuntimeCommands;
  readonly builderName: string;
  readonly runtimeName: string;
  readonly workdir: string | undefined;
  /** RUN lines at the top of the runtime stage (packages, users). */
  readonly runtimeRuns: readonly string[];
  /** Comment lines above the runtime FROM's content (TODOs, the base pin). */
  readonly headComments: readonly string[];
  readonly placeholder: boolean;
  /** TODOs to finish: the runtime stage then holds a line that fails the build until they are done. */
  readonly todoCount: number;
  readonly devStage: boolean;
  readonly notes: string[];
}

interface Block {
  readonly step: Step;
  /** Comment and blank lines above the instruction (since the previous one). */
  readonly lead: readonly string[];
  /** The instruction's own lines. */
  readonly lines: readonly string[];
}

export interface Assembled {
  readonly text: string;
  /** Stage names in the result, in order. */
  readonly stageNames: readonly string[];
}

export function assemble(inp: AssembleInput): Assembled {
  const { model, stage, steps, moved } = inp;
  const lines = model.parsed.lines;
  const eol = model.text.includes('\r\n') ? '\r\n' : '\n';
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
    fromLines[fromLines.length - 1] = `${defined(fromLines[fromLines.length - 1], 'last line of the FROM').trimEnd()} ${as} ${inp.builderName}`;
  }
  out.push(...fromLines);
  const insertAt = (i: number) => inp.plan.insertions.filter((x) => x.before === i && (!x.when || x.when(inp.runtime))).flatMap((x) => x.lines);
  blocks.forEach((b, i) => {
    if (moved(b.step, i)) return;
    out.push(...insertAt(i), ...b.lead, ...b.lines);
  });
  out.push(...insertAt(steps.length));

  const rt = runtimeBody(inp, blocks);
  const argDecls = runtimeArgs(model, stage, steps, rt, moved);
  const devBody = inp.devStage ? devStageBody(inp) : undefined;
  out.push('');
  if (devBody) {
    out.push(
      '# Development: the toolchain and the sources, run from source. Compose: `build: { target: dev }`.',
      '# A plain `docker build` still produces the last stage.',
      `FROM ${inp.builderName} AS dev`,
      ...runtimeArgs(model, stage, steps, devBody, () => false),
      ...devBody,
      '',
    );
  }
  out.push(`FROM ${inp.runtime.image} AS ${inp.runtimeName}`, ...argDecls, ...inp.headComments, ...collapseBlank(rt));
  if (trailing.length) out.push(...trailing);
  return { text: out.join(eol) + eol, stageNames: [inp.builderName, ...(devBody ? ['dev'] : []), inp.runtimeName] };
}

/** The runtime stage after its FROM: ENV, WORKDIR, RUNs, COPY --from, USER, and the moved runtime instructions. */
function runtimeBody(inp: AssembleInput, blocks: readonly Block[]): string[] {
  const { model, steps, moved, artifacts, runtime } = inp;
  const rt: string[] = [];
  const copiedEnv = steps.filter(
    (s, i) => s.keyword === 'ENV' && !moved(s, i) && envPairs(s.inst).some(([k, v]) => runtimeEnv(k, v, artifacts, inp.plan.pathDirs)),
  );
  for (const s of copiedEnv) rt.push(...stepText(model, s).split('\n'));
  rt.push(...inp.plan.runtimeEnv);
  // The working directory when the build ends; moved WORKDIRs (relative ones too) then apply in order.
  // (Not needed when the first WORKDIR moved along is absolute.)
  const wdRuntime = workdirBefore(steps, inp.lastBuild + 1, inp.stage);
  const firstMovedWorkdir = steps.find((s, i) => s.keyword === 'WORKDIR' && moved(s, i));
  const absoluteNext = firstMovedWorkdir !== undefined && /^["']?\//.test(firstMovedWorkdir.body.trim());
  if (wdRuntime && wdRuntime !== '/' && !absoluteNext) rt.push(`WORKDIR ${wdRuntime}`);
  rt.push(...inp.runtimeRuns);
  const passwd = artifacts.filter((a) => a.from === '/etc/passwd' || a.from === '/etc/group');
  for (const a of artifacts) {
    if (passwd.includes(a)) continue;
    if (a.comment) rt.push(...a.comment.map((c) => `# ${c}`));
    rt.push(`COPY --from=${inp.builderName} ${a.from} ${a.to}`);
  }
  if (passwd.length) rt.push(`COPY --from=${inp.builderName} /etc/passwd /etc/group /etc/`);
  if (inp.placeholder) {
    const wd = inp.workdir && inp.workdir !== '/' ? inp.workdir : '/app';
    rt.push(
      '# TODO(convert): copy what the build produces. This placeholder fails the build until then, e.g.:',
      `#   COPY --from=${inp.builderName} ${wd}/<program> ${wd}/<program>`,
      `COPY --from=${inp.builderName} /TODO/path/to/artifact /TODO/destination/`,
    );
  }
  if (inp.todoCount > 0 && !inp.placeholder) {
    rt.push(
      '# TODO(convert): this COPY fails the build on purpose until the TODOs above are done; then delete it.',
      `COPY --from=${inp.builderName} /TODO-convert/finish-the-TODOs-above /`,
    );
  }
  const lastUser = [...steps].reverse().find((s) => s.keyword === 'USER');
  if (lastUser && !moved(lastUser, steps.indexOf(lastUser))) rt.push(...stepText(model, lastUser).split('\n'));
  blocks.forEach((b, i) => {
    if (!moved(b.step, i)) return;
    const lead = rt.length === 0 ? trimBlank(b.lead) : b.lead;
    const rc = inp.rc.all.find((r) => r.step === b.step);
    const rewrite = inp.plan.rewriteCommand?.(b.step);
    if (rewrite) {
      rt.push(...lead, ...rewrite.comment.map((c) => `# ${c}`), ...b.lines.map((l) => `# ${l}`), rewrite.line);
      inp.notes.push(rewrite.note);
    } else if (
      rc &&
      !rc.exec &&
      rc.convertible &&
      (!runtime.shell || (rc.keyword === 'CMD' && !inp.rc.entryStep) || (rc.keyword === 'ENTRYPOINT' && !inp.rc.cmdStep))
    ) {
      // A simple shell-form command in exec form: no shell as PID 1 (signals reach the program), and none needed in the image.
      const prefix = rewritePrefix(b.lines.join('\n'), rc.keyword, rc.body);
      const why = runtime.shell
        ? 'the program runs as PID 1 and gets the stop signal, no shell in between'
        : `${runtime.image} has no shell to run the shell form`;
      rt.push(...lead, `# Exec form: ${why}. Was:`, ...b.lines.map((l) => `# ${l}`), `${prefix}${jsonArray(rc.convertible)}`);
      inp.notes.push(`${rc.keyword} is written in exec form: ${why}.`);
    } else rt.push(...lead, ...b.lines);
  });
  return rt;
}

function workdirBefore(steps: readonly Step[], index: number, stage: Stage): string | undefined {
  let w: string | undefined = baseWorkdir(imageNameOf(stage));
  for (const s of steps.slice(0, index)) if (s.keyword === 'WORKDIR') w = s.workdir;
  return w;
}

/** No blank line first, none doubled. */
function collapseBlank(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const l of lines) if (l.trim() !== '' || (out.length && (out[out.length - 1] ?? '').trim() !== '')) out.push(l);
  return out;
}

function trimBlank(lines: readonly string[]): string[] {
  const out = [...lines];
  while (out.length && (out[0] ?? '').trim() === '') out.shift();
  return out;
}

/** The instruction text before its exec-form body: `CMD `, `HEALTHCHECK --interval=5s CMD `. */
export function rewritePrefix(text: string, keyword: string, body: string): string {
  const flat = text.replace(/\\\n/g, ' ');
  const kw = /^\s*[A-Za-z]+/.exec(flat)?.[0].length ?? 0;
  const at = flat.indexOf(body.split(/\s+/)[0] ?? '', kw);
  const head = at > 0 ? flat.slice(0, at) : `${keyword} `;
  return head.replace(/\s+$/, ' ');
}

/** Does an ENV setting matter at run time? Toolchain settings do not; PATH only when it points into something copied. */
function runtimeEnv(key: string, value: string, artifacts: readonly Artifact[], pathDirs: readonly string[]): boolean {
  if (TOOLCHAIN_ENV.test(key)) return false;
  if (key === 'PATH')
    return value.split(':').some((d) => pathDirs.includes(d.replace(/\/$/, '')) || artifacts.some((a) => a.to.endsWith('/') && (d + '/').startsWith(a.to)));
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
    if (m) for (const pair of (m[1] ?? '').split(/\s+/)) envSet.add(pair.split('=')[0] ?? '');
  }
  const out: string[] = [];
  const declaredInRuntime = new Set(
    steps.filter((s, i) => s.keyword === 'ARG' && moved(s, i)).flatMap((s) => s.inst.args.map((a) => a.text.split('=')[0] ?? '')),
  );
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
function devStageBody(inp: AssembleInput): string[] {
  const { plan, steps, moved, model } = inp;
  const production = (s: Step) => s.keyword === 'ENV' && envPairs(s.inst).every(([k, v]) => /(^|_)ENV(IRONMENT)?$/.test(k) && /^prod(uction)?$/i.test(v));
  const env = steps
    .filter((s, i) => moved(s, i) && (s.keyword === 'ENV' || s.keyword === 'EXPOSE') && !production(s))
    .flatMap((s) => stepText(model, s).split('\n'));
  const prod = inp.rc.effective.find((e) => e.keyword !== 'HEALTHCHECK')?.words;
  let run = plan.devCommand ?? prod;
  // `go run .` / `cargo run` get the arguments production passes to the built program.
  if (plan.devCommand && prod && prod.length > 1 && inp.module.devWithArgs && inp.artifacts.some((a) => base(a.to) === base(prod[0] ?? ''))) {
    run = inp.module.devWithArgs(plan.devCommand, prod.slice(1));
  }
  return [...env, ...(run ? [`CMD ${jsonArray(run)}`] : [])];
}
