/** Document symbols as a tree of stages, and folding per stage. */
import { FoldingRangeKind, SymbolKind } from 'vscode-languageserver-types';
import type { DocumentSymbol, FoldingRange } from 'vscode-languageserver';
import type { StageModel } from '../model/model';
import type { InstructionSyntax } from '../model/syntax';
import { instructionSummary } from '../model/scanInstruction';

function instructionSymbol(i: InstructionSyntax): DocumentSymbol {
  return {
    name: i.keyword,
    detail: instructionSummary(i, 80),
    kind: i.keyword === 'ARG' || i.keyword === 'ENV' ? SymbolKind.Variable : SymbolKind.Function,
    range: i.range,
    selectionRange: i.keywordRange,
  };
}

/** Symbols per model: a model is immutable, and outline views ask again on every focus and scroll. */
const symbolCache = new WeakMap<StageModel, DocumentSymbol[]>();

export function computeDocumentSymbols(model: StageModel): DocumentSymbol[] {
  let hit = symbolCache.get(model);
  if (!hit) {
    hit = buildDocumentSymbols(model);
    symbolCache.set(model, hit);
  }
  return hit;
}

/**
 * Above this many instructions the outline lists stages only (their instruction count in the
 * detail): an outline of tens of thousands of entries is unreadable, and its answer (megabytes of
 * JSON at 1000 stages) costs more to send than everything else the server does on a change.
 */
export const INSTRUCTION_SYMBOL_LIMIT = 5000;

function buildDocumentSymbols(model: StageModel): DocumentSymbol[] {
  const count = model.stages.reduce((n, s) => n + 1 + s.instructions.length, model.preludeInstructions.length);
  const withInstructions = count <= INSTRUCTION_SYMBOL_LIMIT;
  const out: DocumentSymbol[] = model.preludeInstructions.map(instructionSymbol);
  for (const s of model.stages) {
    const base = s.base.value || s.base.raw;
    out.push({
      name: s.name ? `#${s.index} ${s.name}` : `#${s.index}`,
      detail: withInstructions ? base : `${base} · ${s.instructions.length + 1} instructions`,
      kind: SymbolKind.Module,
      range: s.range,
      selectionRange: s.nameToken?.range ?? s.from.keywordRange,
      ...(withInstructions ? { children: [instructionSymbol(s.from), ...s.instructions.map(instructionSymbol)] } : {}),
    });
  }
  return out;
}

export function computeFoldingRanges(model: StageModel): FoldingRange[] {
  const out: FoldingRange[] = [];
  for (const s of model.stages) {
    if (s.range.end.line > s.range.start.line) out.push({ startLine: s.range.start.line, endLine: s.range.end.line, kind: FoldingRangeKind.Region });
    for (const i of [s.from, ...s.instructions]) {
      if (i.range.end.line > i.range.start.line) out.push({ startLine: i.range.start.line, endLine: i.range.end.line });
    }
  }
  for (const i of model.preludeInstructions) if (i.range.end.line > i.range.start.line) out.push({ startLine: i.range.start.line, endLine: i.range.end.line });
  // Blocks of two or more comment lines.
  let start = -1;
  let prev = -2;
  const flush = () => {
    if (start >= 0 && prev > start) out.push({ startLine: start, endLine: prev, kind: FoldingRangeKind.Comment });
  };
  for (const c of model.comments) {
    const l = c.range.start.line;
    if (l !== prev + 1) {
      flush();
      start = l;
    }
    prev = l;
  }
  flush();
  return out.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
}
