/**
 * Build targets of a Dockerfile and the CodeLenses above each FROM:
 * `Build target <name>`, `Name '<name>' and build` for an unnamed stage,
 * `Build` (the default target) on the last stage, and `Run` for a stage with
 * CMD or ENTRYPOINT. The lenses carry {@link StageBuildArgs}; the client builds.
 */
import type { CodeLens } from 'vscode-languageserver';
import { nameStageEdits, suggestStageName } from '../model/checks';
import { RESERVED_STAGE_NAMES, STAGE_NAME, type Stage, type StageModel } from '../model/model';
import type { InstructionSyntax } from '../model/syntax';
import { joinInstruction } from '../model/text';
import {
  ClientCommands,
  type LensCommands,
  type BuildTargetsResult,
  type ComposeBuildInfo,
  type InstructionOutline,
  type StageBuildArgs,
  type StageOutline,
} from '../protocol';

/** The instruction as one line, the way builders print it: continuations joined, comment lines dropped. */
export function instructionText(model: StageModel, i: InstructionSyntax): string {
  const { line, heredocLines } = joinInstruction(model.parsed.lines, i.range.start, i.range.end, model.escapeChar, i.heredocs);
  return [line, ...heredocLines].join(' ').replace(/\s+/g, ' ').trim();
}

function outlineOf(model: StageModel, i: InstructionSyntax): InstructionOutline {
  return { keyword: i.keyword, range: i.range, text: instructionText(model, i) };
}

/** The name `--target` can select this stage by: valid, not reserved, and not shadowed by a later stage of the same name. */
export function targetName(model: StageModel, s: Stage): string | undefined {
  const n = s.name;
  if (n === undefined || !STAGE_NAME.test(n) || RESERVED_STAGE_NAMES.has(n)) return undefined;
  for (let j = model.stages.length - 1; j > s.index; j--) if (model.stages[j]?.name === n) return undefined;
  return n;
}

/** CMD or ENTRYPOINT in the stage or in a stage it is built on. */
export function isRunnable(model: StageModel, s: Stage): boolean {
  const seen = new Set<number>();
  for (let cur: Stage | undefined = s; cur && !seen.has(cur.index); cur = cur.base.stage !== undefined ? model.stages[cur.base.stage] : undefined) {
    seen.add(cur.index);
    if (cur.instructions.some((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT')) return true;
  }
  return false;
}

/**
 * Every stage with how to build it. `version` is the document version the
 * naming edits apply to (-1: read from disk). `compose` is a Compose service
 * that builds this Dockerfile (its context becomes the default).
 */
export function computeBuildTargets(model: StageModel, uri: string, version: number | null, compose: ComposeBuildInfo | undefined): BuildTargetsResult {
  const last = model.stages.length - 1;
  const stages = model.stages.map((s): StageOutline => {
    const name = targetName(model, s);
    let build: StageBuildArgs | undefined;
    if (name) build = { uri, target: name, stage: s.index, nameFirst: undefined, compose, fromCompose: false };
    else if (s.name === undefined) {
      const suggested = suggestStageName(model, s);
      const edits = nameStageEdits(s, suggested);
      if (edits.length) build = { uri, target: suggested, stage: s.index, nameFirst: { version: version ?? -1, edits }, compose, fromCompose: false };
    }
    return {
      index: s.index,
      name: s.name ?? null,
      base: s.base.raw,
      selection: s.nameToken?.range ?? s.from.keywordRange,
      description: s.description,
      last: s.index === last,
      runnable: isRunnable(model, s),
      build,
      instructions: [s.from, ...s.instructions].map((i) => outlineOf(model, i)),
    };
  });
  return { uri, version, prelude: model.preludeInstructions.map((i) => outlineOf(model, i)), stages, compose };
}

/** The default target (no `--target`): the last stage. */
export function defaultBuild(targets: BuildTargetsResult): StageBuildArgs | undefined {
  const last = targets.stages[targets.stages.length - 1];
  return last ? { uri: targets.uri, target: null, stage: last.index, nameFirst: undefined, compose: targets.compose, fromCompose: false } : undefined;
}

export function computeCodeLenses(model: StageModel, targets: BuildTargetsResult, commands: LensCommands = ClientCommands): CodeLens[] {
  const out: CodeLens[] = [];
  for (const o of targets.stages) {
    const s = model.stages[o.index];
    if (!s) continue;
    const range = s.from.keywordRange;
    const b = o.build;
    const lens = (title: string, command: string, args: StageBuildArgs) => out.push({ range, command: { title, command, arguments: [args] } });
    if (b && !b.nameFirst) lens(`Build target ${b.target}`, commands.build, b);
    else if (b) lens(`Name '${b.target}' and build`, commands.build, b);
    const dflt = o.last ? defaultBuild(targets) : undefined;
    if (dflt) lens('Build', commands.build, dflt);
    if (o.runnable) {
      if (b && !b.nameFirst) lens('Run', commands.run, b);
      else if (dflt) lens('Run', commands.run, dflt);
      else if (b) lens(`Name '${b.target}' and run`, commands.run, b);
    }
  }
  return out;
}
