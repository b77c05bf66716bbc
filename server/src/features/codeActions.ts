/** Quick fixes for our diagnostics, and the "use the stage name instead of its index" refactor. */
import { CodeActionKind } from 'vscode-languageserver-types';
import type { CodeAction, Diagnostic, Range } from 'vscode-languageserver';
import { useStageNameFix, type Fix, type Problem } from '../model/checks';
import { referencedStage, type StageModel } from '../model/model';
import { rangesOverlap } from '../model/text';
import { DIAGNOSTIC_SOURCE } from '../protocol';

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function action(uri: string, fix: Fix, kind: string, diagnostics?: Diagnostic[]): CodeAction {
  const a: CodeAction = { title: fix.title, kind, edit: { changes: { [uri]: fix.edits.map((e) => ({ range: e.range, newText: e.newText })) } } };
  if (diagnostics) a.diagnostics = diagnostics;
  if (fix.preferred) a.isPreferred = true;
  return a;
}

export function computeStageCodeActions(
  model: StageModel,
  uri: string,
  range: Range,
  diagnostics: readonly Diagnostic[],
  problems: readonly Problem[],
): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    if (d.source !== DIAGNOSTIC_SOURCE) continue;
    const p = problems.find((x) => x.code === d.code && sameRange(x.range, d.range));
    for (const f of p?.fixes ?? []) out.push(action(uri, f, CodeActionKind.QuickFix, [d]));
  }
  // Refactor: `--from=<n>` → the stage's name (naming the stage first when it has none).
  for (const r of model.references) {
    if (!r.numeric || !rangesOverlap(r.range, range)) continue;
    const t = referencedStage(r);
    const target = t === undefined || t >= r.inStage ? undefined : model.stages[t];
    if (!target) continue;
    const fix = useStageNameFix(model, r, target);
    if (fix && !out.some((a) => a.title === fix.title)) out.push(action(uri, { ...fix, preferred: false }, CodeActionKind.RefactorRewrite));
  }
  return out;
}
