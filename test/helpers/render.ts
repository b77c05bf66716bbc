/**
 * Renders every stage feature of a Dockerfile into one readable text, for golden
 * tests: the source with «inlay hints» inline, then references, diagnostics
 * with their fixes applied, symbols, folding and hovers.
 */
import { checkModel, type TextEdit } from '../../server/src/model/checks';
import { buildModel, referencedStage, type StageModel } from '../../server/src/model/model';
import { computeStageCodeActions } from '../../server/src/features/codeActions';
import { toDiagnostic } from '../../server/src/features/diagnostics';
import { computeHover } from '../../server/src/features/hover';
import { computeInlayHints } from '../../server/src/features/inlayHints';
import { computeDefinition } from '../../server/src/features/navigation';
import { computeSemanticTokens } from '../../server/src/features/semanticTokens';
import { computeDocumentSymbols, computeFoldingRanges } from '../../server/src/features/symbols';
import { stagesTable } from '../../server/src/cli';
import { DEFAULT_SETTINGS } from '../../server/src/protocol';
import type { DocumentSymbol, Position, Range } from 'vscode-languageserver';

const pos = (p: Position) => `${p.line + 1}:${p.character + 1}`;
const rng = (r: Range) => `${pos(r.start)}-${pos(r.end)}`;

/** Applies edits (non-overlapping) to text given as lines. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') starts.push(i + 1);
    else if (text[i] === '\r' && text[i + 1] !== '\n') starts.push(i + 1);
  }
  const off = (p: Position) => (starts[p.line] ?? text.length) + p.character;
  const sorted = [...edits].sort((a, b) => off(b.range.start) - off(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}

function symbolTree(s: DocumentSymbol, depth: number): string[] {
  const line = `${'  '.repeat(depth)}${s.name}${s.detail ? ` — ${s.detail}` : ''} [${s.range.start.line + 1}-${s.range.end.line + 1}]`;
  return [line, ...(s.children ?? []).flatMap((c) => symbolTree(c, depth + 1))];
}

const visible = (s: string) => s.replace(/\t/g, '→').replace(/\r/g, '␍');

export function renderGolden(text: string): string {
  const model: StageModel = buildModel(text);
  const uri = 'file:///fixture/Dockerfile';
  const out: string[] = [];
  const lines = model.parsed.lines;
  const hints = computeInlayHints(model, { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } }, DEFAULT_SETTINGS);
  out.push('## Source with inlay hints');
  lines.forEach((l, n) => {
    let s = l;
    const here = hints.filter((h) => h.position.line === n).sort((a, b) => b.position.character - a.position.character);
    for (const h of here) {
      const label = typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');
      s = s.slice(0, h.position.character) + `«${label}»` + s.slice(h.position.character);
    }
    out.push(`${String(n + 1).padStart(3)} | ${visible(s)}`);
  });
  out.push('', '## Stages', stagesTable(model) || '(none)');
  out.push('', '## References');
  for (const r of model.references) {
    const t = referencedStage(r);
    const def = computeDefinition(model, uri, r.range.start);
    out.push(
      `${rng(r.range)} ${r.kind} ${JSON.stringify(r.raw)}${r.dynamic ? ` = ${JSON.stringify(r.value)}` : ''} → ${r.resolution.kind}${t !== undefined ? ` #${t}` : ''}${def ? ` (definition ${rng(def.range)})` : ''}`,
    );
  }
  if (model.references.length === 0) out.push('(none)');
  out.push('', '## Diagnostics');
  const problems = checkModel(model);
  for (const p of problems) {
    out.push(`${rng(p.range)} ${p.severity} [${p.code}]${p.unnecessary ? ' (unnecessary)' : ''} ${p.message}`);
    const actions = computeStageCodeActions(model, uri, p.range, [toDiagnostic(p, uri)], problems).filter((a) => a.kind === 'quickfix');
    for (const a of actions) {
      const edits = a.edit?.changes?.[uri] ?? [];
      const fixed = applyEdits(text, edits);
      const changed = fixed
        .split(/\r\n|\r|\n/)
        .map((l, i) => [i, l] as const)
        .filter(([i, l]) => l !== lines[i]);
      out.push(`    fix: ${a.title}`);
      for (const [i, l] of changed.slice(0, 6)) out.push(`      ${String(i + 1).padStart(3)} | ${visible(l)}`);
    }
  }
  if (problems.length === 0) out.push('(none)');
  out.push('', '## Refactorings');
  let refactors = 0;
  for (const r of model.references) {
    for (const a of computeStageCodeActions(model, uri, r.range, [], problems)) {
      refactors++;
      const fixed = applyEdits(text, a.edit?.changes?.[uri] ?? []);
      const changed = fixed
        .split(/\r\n|\r|\n/)
        .map((l, i) => [i, l] as const)
        .filter(([i, l]) => l !== lines[i]);
      out.push(`${rng(r.range)} ${a.kind}: ${a.title}`);
      for (const [i, l] of changed) out.push(`      ${String(i + 1).padStart(3)} | ${visible(l)}`);
    }
  }
  if (refactors === 0) out.push('(none)');
  out.push('', '## Symbols');
  const symbols = computeDocumentSymbols(model);
  for (const s of symbols) out.push(...symbolTree(s, 0));
  if (symbols.length === 0) out.push('(none)');
  out.push('', '## Folding');
  const folds = computeFoldingRanges(model);
  out.push(folds.map((f) => `${f.startLine + 1}-${f.endLine + 1}${f.kind ? ` ${f.kind}` : ''}`).join(', ') || '(none)');
  out.push('', '## Semantic tokens');
  const data = computeSemanticTokens(model).data;
  const toks: string[] = [];
  let line = 0;
  let ch = 0;
  for (let i = 0; i + 4 < data.length + 0 && i < data.length; i += 5) {
    const dl = data[i] as number;
    line += dl;
    ch = dl === 0 ? ch + (data[i + 1] as number) : (data[i + 1] as number);
    const len = data[i + 2] as number;
    toks.push(`${line + 1}:${ch + 1} ${JSON.stringify((lines[line] ?? '').slice(ch, ch + len))}${data[i + 4] ? ' decl' : ''}`);
  }
  out.push(toks.join(', ') || '(none)');
  out.push('', '## Hovers');
  const hoverAt: Position[] = [...model.stages.flatMap((s) => (s.nameToken ? [s.nameToken.range.start] : [])), ...model.references.map((r) => r.range.start)];
  for (const p of hoverAt) {
    const h = computeHover(model, p);
    const value = h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '(none)';
    out.push(`@${pos(p)}: ${value.replace(/\n\n/g, ' | ')}`);
  }
  if (hoverAt.length === 0) out.push('(none)');
  return out.join('\n') + '\n';
}
