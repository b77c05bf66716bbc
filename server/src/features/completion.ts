/** Completion of earlier stage names after `--from=`, after `FROM `, and after `from=` in mounts. */
import { CompletionItemKind, MarkupKind } from 'vscode-languageserver-types';
import type { CompletionItem, Position } from 'vscode-languageserver';
import { stageAt, type Stage, type StageModel } from '../model/model';
import { describeStageMarkdown } from './hover';

export type StageCompletionContext = 'copy' | 'mount' | 'from';

/** Which stage-completion context the cursor is in, and the partial word before it. */
export function stageCompletionContext(lineText: string, character: number): { kind: StageCompletionContext; partial: string } | undefined {
  const before = lineText.slice(0, character);
  let m = /(?:^|\s)--mount=\S*?\bfrom=([^,\s]*)$/i.exec(before);
  if (m) return { kind: 'mount', partial: m[1] ?? '' };
  m = /(?:^|\s)--from=(\S*)$/.exec(before);
  if (m) return { kind: 'copy', partial: m[1] ?? '' };
  m = /^\s*from\s+(?:--\S+\s+)*(\S*)$/i.exec(before);
  if (m) return { kind: 'from', partial: m[1] ?? '' };
  return undefined;
}

export function computeStageCompletions(model: StageModel, lineText: string, p: Position): CompletionItem[] | undefined {
  const ctx = stageCompletionContext(lineText, p.character);
  if (!ctx) return undefined;
  const here = stageAt(model, p);
  const limit = here ? here.index : model.stages.length;
  const range = { start: { line: p.line, character: p.character - ctx.partial.length }, end: p };
  const items: CompletionItem[] = [];
  const earlier: Stage[] = model.stages.slice(0, limit);
  for (const s of earlier) {
    const doc = { kind: MarkupKind.Markdown, value: describeStageMarkdown(model, s) };
    if (s.name) {
      items.push({
        label: s.name,
        kind: CompletionItemKind.Module,
        detail: `stage #${s.index} · ${s.base.value || s.base.raw}`,
        documentation: doc,
        sortText: `0${String(s.index).padStart(6, '0')}`,
        textEdit: { range, newText: s.name },
      });
    } else if (ctx.kind === 'copy') {
      items.push({
        label: String(s.index),
        kind: CompletionItemKind.Module,
        detail: `unnamed stage #${s.index} · ${s.base.value || s.base.raw}`,
        documentation: doc,
        sortText: `1${String(s.index).padStart(6, '0')}`,
        textEdit: { range, newText: String(s.index) },
      });
    }
  }
  return items;
}
