/**
 * Stage names across the workspace: the `target` values of Compose, Bake, dev
 * container and workflow files (see workspace/sources.ts). Definition, hover,
 * completion, "unknown target" with a quick fix, a "Build target" lens, and, from
 * the Dockerfile, references and rename that reach every file that targets a stage.
 * Pure: the server hands in the builds and a way to get a Dockerfile's model.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CompletionItemKind, DiagnosticSeverity, MarkupKind } from 'vscode-languageserver-types';
import type { CodeLens, CompletionItem, Diagnostic, Hover, Location, Position, Range, TextEdit } from 'vscode-languageserver';
import type { Stage, StageModel } from '../model/model';
import { rangeContains } from '../model/text';
import type { TargetUse } from '../workspace/sources';
import { ClientCommands, DIAGNOSTIC_SOURCE, type StageBuildArgs } from '../protocol';
import { targetName } from './codeLens';
import { closestTarget } from './compose';
import { describeStageMarkdown } from './hover';

/** A Dockerfile's model and URI, or why there is none. */
export type ResolveDockerfile = (dockerfile: string) => { model: StageModel; uri: string } | string;

const KIND_LABEL = { compose: 'Compose', bake: 'Bake', devcontainer: 'dev container', workflow: 'workflow' } as const;

export function unknownTargetCode(kind: TargetUse['kind']): string {
  return `${kind}-unknown-target`;
}

export function stageTargets(model: StageModel): Map<string, Stage> {
  const m = new Map<string, Stage>();
  for (const s of model.stages) {
    const n = targetName(model, s);
    if (n) m.set(n, s);
  }
  return m;
}

const uriOf = (p: string) => pathToFileURL(p).href;

function shortPath(from: string, file: string): string {
  const rel = path.relative(path.dirname(from), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

/** Uses whose target slot is in `file`, one per (slot, Dockerfile). */
function slotsIn(uses: readonly TargetUse[], file: string): TargetUse[] {
  const seen = new Set<string>();
  return uses.filter((u) => {
    if (!u.target || path.resolve(u.target.file) !== path.resolve(file)) return false;
    const k = `${u.target.keyRange.start.line}:${u.target.keyRange.start.character}:${u.paths.kind === 'local' ? u.paths.dockerfile : ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function computeTargetDiagnostics(uses: readonly TargetUse[], file: string, resolve: ResolveDockerfile): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const u of slotsIn(uses, file)) {
    const t = u.target?.value;
    if (!t || t.dynamic || u.paths.kind !== 'local') continue;
    const where = shortPath(file, u.paths.dockerfile);
    const r = resolve(u.paths.dockerfile);
    if (typeof r === 'string') {
      out.push({
        range: t.range,
        severity: DiagnosticSeverity.Warning,
        source: DIAGNOSTIC_SOURCE,
        code: `${u.kind}-dockerfile-not-found`,
        message: `Cannot check target '${t.value}': ${r}.`,
      });
      continue;
    }
    const targets = stageTargets(r.model);
    const names = [...targets.keys()];
    if (names.includes(t.value.toLowerCase())) continue;
    const guess = closestTarget(names, t.value);
    const list = names.length === 0 ? `${where} has no named stages` : `its stages: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}`;
    const d: Diagnostic = {
      range: t.range,
      severity: DiagnosticSeverity.Error,
      source: DIAGNOSTIC_SOURCE,
      code: unknownTargetCode(u.kind),
      message: `Target stage '${t.value}' is not in ${where}${guess ? `. Did you mean '${guess}'?` : ` (${list}).`}`,
    };
    if (guess) {
      d.data = { replacement: guess };
      const g = targets.get(guess);
      if (g) d.relatedInformation = [{ location: { uri: r.uri, range: g.nameToken?.range ?? g.from.range }, message: `stage '${guess}'` }];
    }
    out.push(d);
  }
  return out;
}

/** The use whose target key line or value holds `p`. */
function slotAt(uses: readonly TargetUse[], file: string, p: Position): TargetUse | undefined {
  return slotsIn(uses, file).find((u) => {
    const t = u.target;
    if (!t) return false;
    if (rangeContains(t.valueRange, p)) return true;
    return t.value === null && p.line === t.keyRange.end.line && p.character > t.keyRange.end.character;
  });
}

export function computeTargetCompletions(
  uses: readonly TargetUse[],
  file: string,
  p: Position,
  lineText: string,
  resolve: ResolveDockerfile,
): CompletionItem[] | undefined {
  const u = slotAt(uses, file, p);
  if (!u?.target || u.paths.kind !== 'local') return undefined;
  const r = resolve(u.paths.dockerfile);
  if (typeof r === 'string') return undefined;
  const t = u.target;
  let range: Range;
  if (t.value && t.valueRange.start.line === p.line && t.valueRange.end.line === p.line) range = t.valueRange;
  else {
    const before = /[\w.-]*$/.exec(lineText.slice(0, p.character))?.[0] ?? '';
    const after = /^[\w.-]*/.exec(lineText.slice(p.character))?.[0] ?? '';
    range = { start: { line: p.line, character: p.character - before.length }, end: { line: p.line, character: p.character + after.length } };
  }
  return [...stageTargets(r.model)].map(([name, s]): CompletionItem => ({
    label: name,
    kind: CompletionItemKind.Module,
    detail: `stage #${s.index} · ${s.base.value || s.base.raw}`,
    documentation: { kind: MarkupKind.Markdown, value: describeStageMarkdown(r.model, s) },
    sortText: String(s.index).padStart(6, '0'),
    textEdit: { range, newText: name },
  }));
}

function stageAtTarget(
  uses: readonly TargetUse[],
  file: string,
  p: Position,
  resolve: ResolveDockerfile,
): { stage: Stage; model: StageModel; uri: string; range: Range } | undefined {
  for (const u of slotsIn(uses, file)) {
    const t = u.target?.value;
    if (!t || !rangeContains(t.range, p) || u.paths.kind !== 'local') continue;
    const r = resolve(u.paths.dockerfile);
    if (typeof r === 'string') continue;
    const s = stageTargets(r.model).get(t.value.toLowerCase());
    if (s) return { stage: s, model: r.model, uri: r.uri, range: t.range };
  }
  return undefined;
}

export function computeTargetDefinition(uses: readonly TargetUse[], file: string, p: Position, resolve: ResolveDockerfile): Location | undefined {
  const hit = stageAtTarget(uses, file, p, resolve);
  return hit ? { uri: hit.uri, range: hit.stage.nameToken?.range ?? hit.stage.from.range } : undefined;
}

export function computeTargetHover(uses: readonly TargetUse[], file: string, p: Position, resolve: ResolveDockerfile): Hover | undefined {
  const hit = stageAtTarget(uses, file, p, resolve);
  return hit ? { contents: { kind: MarkupKind.Markdown, value: describeStageMarkdown(hit.model, hit.stage) }, range: hit.range } : undefined;
}

/** `Build target <stage>` on each Bake target block and dev container declared in `file`. */
export function computeTargetLenses(uses: readonly TargetUse[], file: string, resolve: ResolveDockerfile): CodeLens[] {
  const out: CodeLens[] = [];
  for (const u of uses) {
    if (path.resolve(u.file) !== path.resolve(file) || u.paths.kind !== 'local' || (u.kind !== 'bake' && u.kind !== 'devcontainer')) continue;
    const r = resolve(u.paths.dockerfile);
    if (typeof r === 'string' || r.model.stages.length === 0) continue;
    const compose = { file: uriOf(u.file), service: u.name, context: u.paths.context, buildArgs: u.args, platform: u.platform };
    const t = u.target?.value;
    let args: StageBuildArgs;
    let title: string;
    if (t) {
      if (t.dynamic) continue;
      const s = stageTargets(r.model).get(t.value.toLowerCase());
      if (!s) continue;
      args = { uri: r.uri, target: s.name as string, stage: s.index, nameFirst: undefined, compose, fromCompose: true };
      title = `Build target ${s.name}`;
    } else if (u.target) continue;
    else {
      args = { uri: r.uri, target: null, stage: r.model.stages.length - 1, nameFirst: undefined, compose, fromCompose: true };
      title = u.kind === 'bake' ? `Build ${u.name}` : 'Build dev container image';
    }
    out.push({ range: u.nameRange, command: { title, command: ClientCommands.build, arguments: [args] } });
  }
  return out;
}

/**
 * Target values in the workspace that name `stage` of the Dockerfile at `dockerfile`: only
 * `target` values of builds of that Dockerfile (never a Bake target's own name, a group's
 * `targets`, or a build of another Dockerfile). Dynamic values are left out.
 */
export function targetValuesNaming(uses: readonly TargetUse[], model: StageModel, stage: Stage): { file: string; range: Range; kind: TargetUse['kind'] }[] {
  const name = targetName(model, stage);
  if (!name) return [];
  const seen = new Set<string>();
  const out: { file: string; range: Range; kind: TargetUse['kind'] }[] = [];
  for (const u of uses) {
    const t = u.target;
    const v = t?.value;
    if (!t || !v || v.dynamic || v.value.toLowerCase() !== name) continue;
    const k = `${t.file}#${v.range.start.line}:${v.range.start.character}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ file: t.file, range: v.range, kind: u.kind });
  }
  return out;
}

export function targetReferenceLocations(uses: readonly TargetUse[], model: StageModel, stage: Stage): Location[] {
  return targetValuesNaming(uses, model, stage).map((x) => ({ uri: uriOf(x.file), range: x.range }));
}

/** The edits, by URI, that rename the target values naming `stage`. */
export function targetRenameEdits(uses: readonly TargetUse[], model: StageModel, stage: Stage, newName: string): Map<string, TextEdit[]> {
  const out = new Map<string, TextEdit[]>();
  for (const x of targetValuesNaming(uses, model, stage)) {
    const u = uriOf(x.file);
    out.set(u, [...(out.get(u) ?? []), { range: x.range, newText: newName.toLowerCase() }]);
  }
  return out;
}

export function describeUse(u: TargetUse): string {
  return `${KIND_LABEL[u.kind]} ${u.name}`;
}
