/**
 * Compose files: `build.target` completion, checks ("did you mean"), definition,
 * hover, quick fixes, and a "Build <service>" lens. Pure: server.ts resolves
 * each service's Dockerfile and hands in its model.
 */
import * as path from 'node:path';
import { CodeActionKind, CompletionItemKind, MarkupKind } from 'vscode-languageserver-types';
import type { CodeAction, CodeLens, CompletionItem, Diagnostic, Hover, Location, Position, Range } from 'vscode-languageserver';
import type { BuildPaths, ComposeFile, ComposeService } from '../workspace/compose';
import type { Stage, StageModel } from '../model/model';
import { editDistance, rangeContains } from '../model/text';
import { Codes, type Problem } from '../model/checks';
import { toDiagnostic } from './diagnostics';
import { ClientCommands, DIAGNOSTIC_SOURCE, type ComposeBuildInfo, type StageBuildArgs } from '../protocol';
import { targetName } from './codeLens';
import { describeStageMarkdown } from './hover';

/** A service's build, resolved by the server. */
export interface ServiceBuild {
  readonly service: ComposeService;
  readonly paths: BuildPaths;
  /** The Dockerfile's URI (when local). */
  readonly dockerfileUri: string | undefined;
  /** Its model, when it could be read. */
  readonly model: StageModel | undefined;
  /** Why it could not be read. */
  readonly error: string | undefined;
}

/** The Compose codes (in model/codes.ts, with every other code). */
export const ComposeCodes = { unknownTarget: Codes.composeUnknownTarget, missingDockerfile: Codes.composeMissingDockerfile } as const;

/** Stages `--target` can select, by name. */
function targets(model: StageModel): Map<string, Stage> {
  const m = new Map<string, Stage>();
  for (const s of model.stages) {
    const n = targetName(model, s);
    if (n) m.set(n, s);
  }
  return m;
}

/** The closest stage name to `value`, for "did you mean". */
export function closestTarget(names: readonly string[], value: string): string | undefined {
  const v = value.toLowerCase();
  const limit = v.length <= 3 ? 1 : 2;
  let best: string | undefined;
  let bestD = limit + 1;
  for (const n of names) {
    const d = editDistance(v, n, limit);
    if (d < bestD) {
      best = n;
      bestD = d;
    }
  }
  if (best) return best;
  const prefixed = names.filter((n) => n.startsWith(v) || v.startsWith(n));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

function shortPath(composeDir: string, file: string): string {
  const rel = path.relative(composeDir, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

export function computeComposeDiagnostics(file: ComposeFile, builds: ReadonlyMap<string, ServiceBuild>, composeDir: string, uri: string): Diagnostic[] {
  return composeProblems(file, builds, composeDir).map((p) => toDiagnostic(p, uri));
}

/** Checks of each service's `build.target` against the stages of its Dockerfile. */
export function composeProblems(file: ComposeFile, builds: ReadonlyMap<string, ServiceBuild>, composeDir: string): Problem[] {
  const out: Problem[] = [];
  for (const svc of file.services) {
    const t = svc.build?.target?.value;
    const b = builds.get(svc.name);
    if (!t || t.dynamic || !b || b.paths.kind !== 'local') continue;
    const where = shortPath(composeDir, b.paths.dockerfile);
    const base = { range: t.range, unnecessary: false, fixes: [] };
    if (!b.model) {
      out.push({
        ...base,
        code: Codes.composeMissingDockerfile,
        severity: 'warning',
        message: `Cannot check target '${t.value}': ${b.error ?? `cannot read ${where}`}.`,
        related: [],
      });
      continue;
    }
    const names = [...targets(b.model).keys()];
    if (names.includes(t.value.toLowerCase())) continue;
    const guess = closestTarget(names, t.value);
    const list = names.length === 0 ? `${where} has no named stages` : `its stages: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}`;
    const g = guess ? targets(b.model).get(guess) : undefined;
    out.push({
      ...base,
      code: Codes.composeUnknownTarget,
      severity: 'error',
      message: `Target stage '${t.value}' is not in ${where}${guess ? `. Did you mean '${guess}'?` : ` (${list}).`}`,
      related: g && b.dockerfileUri ? [{ uri: b.dockerfileUri, range: g.nameToken?.range ?? g.from.range, message: `stage '${guess}'` }] : [],
      ...(guess ? { data: { replacement: guess } } : {}),
    });
  }
  return out;
}

/** Quick fixes: replace an unknown target (in any workspace file) with the suggested stage. */
export function computeComposeCodeActions(uri: string, diagnostics: readonly Diagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    // Compose, Bake, dev container and workflow targets share this fix (features/targets.ts).
    if (d.source !== DIAGNOSTIC_SOURCE || typeof d.code !== 'string' || !d.code.endsWith('-unknown-target')) continue;
    const data = d.data as unknown;
    const r = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)['replacement'] : undefined;
    if (typeof r !== 'string') continue;
    out.push({
      title: `Change to '${r}'`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      isPreferred: true,
      edit: { changes: { [uri]: [{ range: d.range, newText: r }] } },
    });
  }
  return out;
}

/** The service whose `build.target` key or value holds `p`. */
function targetAt(file: ComposeFile, p: Position): ComposeService | undefined {
  return file.services.find((s) => {
    const t = s.build?.target;
    if (!t) return false;
    if (rangeContains(t.valueRange, p)) return true;
    // `target: |` with no value yet: anywhere after the colon on the key's line.
    return t.value === null && p.line === t.keyRange.end.line && p.character > t.keyRange.end.character;
  });
}

export function computeComposeCompletions(
  file: ComposeFile,
  builds: ReadonlyMap<string, ServiceBuild>,
  p: Position,
  lineText: string,
): CompletionItem[] | undefined {
  const svc = targetAt(file, p);
  const model = svc ? builds.get(svc.name)?.model : undefined;
  const t = svc?.build?.target;
  if (!svc || !model || !t) return undefined;
  // Replace the word around the cursor (the whole value when it is a plain word on this line).
  let range: Range;
  if (t.value && t.valueRange.start.line === p.line && t.valueRange.end.line === p.line) range = t.valueRange;
  else {
    const before = /[\w.-]*$/.exec(lineText.slice(0, p.character))?.[0] ?? '';
    range = { start: { line: p.line, character: p.character - before.length }, end: p };
  }
  return [...targets(model)].map(([name, s]): CompletionItem => ({
    label: name,
    kind: CompletionItemKind.Module,
    detail: `stage #${s.index} · ${s.base.value || s.base.raw}`,
    documentation: { kind: MarkupKind.Markdown, value: describeStageMarkdown(model, s) },
    sortText: String(s.index).padStart(6, '0'),
    textEdit: { range, newText: name },
  }));
}

function stageOfTarget(
  file: ComposeFile,
  builds: ReadonlyMap<string, ServiceBuild>,
  p: Position,
): { stage: Stage; build: ServiceBuild; range: Range } | undefined {
  const svc = targetAt(file, p);
  const t = svc?.build?.target?.value;
  const b = svc ? builds.get(svc.name) : undefined;
  if (!t || !b?.model || !rangeContains(t.range, p)) return undefined;
  const s = targets(b.model).get(t.value.toLowerCase());
  return s ? { stage: s, build: b, range: t.range } : undefined;
}

export function computeComposeDefinition(file: ComposeFile, builds: ReadonlyMap<string, ServiceBuild>, p: Position): Location | undefined {
  const hit = stageOfTarget(file, builds, p);
  if (!hit?.build.dockerfileUri) return undefined;
  return { uri: hit.build.dockerfileUri, range: hit.stage.nameToken?.range ?? hit.stage.from.range };
}

export function computeComposeHover(file: ComposeFile, builds: ReadonlyMap<string, ServiceBuild>, p: Position): Hover | undefined {
  const hit = stageOfTarget(file, builds, p);
  if (!hit?.build.model) return undefined;
  return { contents: { kind: MarkupKind.Markdown, value: describeStageMarkdown(hit.build.model, hit.stage) }, range: hit.range };
}

/** What a Compose service passes to a build besides the Dockerfile and target. */
export function composeBuildInfo(composeUri: string, svc: ComposeService, context: string): ComposeBuildInfo {
  const pf = svc.platform;
  return { file: composeUri, service: svc.name, context, buildArgs: svc.build?.args ?? [], platform: pf && !pf.dynamic ? pf.value : undefined };
}

/** `Build <service> (target <name>)` on each service that builds a local Dockerfile (`Build <service>` without a target). */
export function computeComposeCodeLenses(file: ComposeFile, builds: ReadonlyMap<string, ServiceBuild>, composeUri: string): CodeLens[] {
  const out: CodeLens[] = [];
  for (const svc of file.services) {
    const b = builds.get(svc.name);
    if (!b?.model || !b.dockerfileUri || b.paths.kind !== 'local' || b.model.stages.length === 0) continue;
    const t = svc.build?.target;
    const compose = composeBuildInfo(composeUri, svc, b.paths.context);
    let args: StageBuildArgs;
    let title: string;
    if (t?.value) {
      if (t.value.dynamic) continue;
      const s = targets(b.model).get(t.value.value.toLowerCase());
      if (!s) continue;
      args = { uri: b.dockerfileUri, target: s.name as string, stage: s.index, nameFirst: undefined, compose, fromCompose: true };
      title = `Build ${svc.name} (target ${s.name})`;
    } else if (t) continue;
    else {
      args = { uri: b.dockerfileUri, target: null, stage: b.model.stages.length - 1, nameFirst: undefined, compose, fromCompose: true };
      title = `Build ${svc.name}`;
    }
    out.push({ range: svc.nameRange, command: { title, command: ClientCommands.build, arguments: [args] } });
  }
  return out;
}
