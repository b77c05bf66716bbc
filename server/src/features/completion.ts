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

/**
 * Up to this many candidates, each item carries its stage's description; beyond, the client
 * asks for it (completionItem/resolve) for the item it shows. A description lists the stages
 * a target builds, so describing every earlier stage of a 1,000-stage file at once was
 * quadratic: 20 MB and tens of milliseconds for one completion list.
 */
export const EAGER_STAGE_DOCS = 50;

/** What an item without its description carries, for `resolveStageCompletion`. */
interface StageDocData {
  readonly stageDoc: { readonly uri: string; readonly index: number };
}

export function isStageDocData(data: unknown): data is StageDocData {
  if (typeof data !== 'object' || data === null || !('stageDoc' in data)) return false;
  const d = data.stageDoc;
  return typeof d === 'object' && d !== null && 'uri' in d && typeof d.uri === 'string' && 'index' in d && Number.isInteger(d.index);
}

/** The item with its stage's description, when it is one of ours that left it out. */
export function resolveStageCompletion(model: StageModel, item: CompletionItem): CompletionItem {
  if (!isStageDocData(item.data)) return item;
  const s = model.stages[item.data.stageDoc.index];
  return s ? { ...item, documentation: { kind: MarkupKind.Markdown, value: describeStageMarkdown(model, s) } } : item;
}

export function computeStageCompletions(model: StageModel, lineText: string, p: Position, uri = ''): CompletionItem[] | undefined {
  const ctx = stageCompletionContext(lineText, p.character);
  if (!ctx) return undefined;
  const here = stageAt(model, p);
  const limit = here ? here.index : model.stages.length;
  const range = { start: { line: p.line, character: p.character - ctx.partial.length }, end: p };
  const items: CompletionItem[] = [];
  const earlier: Stage[] = model.stages.slice(0, limit);
  const eager = earlier.length <= EAGER_STAGE_DOCS;
  for (const s of earlier) {
    const data: StageDocData = { stageDoc: { uri, index: s.index } };
    const doc = eager ? { documentation: { kind: MarkupKind.Markdown, value: describeStageMarkdown(model, s) } } : { data };
    if (s.name) {
      items.push({
        label: s.name,
        kind: CompletionItemKind.Module,
        detail: `stage #${s.index} · ${s.base.value || s.base.raw}`,
        ...doc,
        sortText: `0${String(s.index).padStart(6, '0')}`,
        textEdit: { range, newText: s.name },
      });
    } else if (ctx.kind === 'copy') {
      items.push({
        label: String(s.index),
        kind: CompletionItemKind.Module,
        detail: `unnamed stage #${s.index} · ${s.base.value || s.base.raw}`,
        ...doc,
        sortText: `1${String(s.index).padStart(6, '0')}`,
        textEdit: { range, newText: String(s.index) },
      });
    }
  }
  return items;
}
