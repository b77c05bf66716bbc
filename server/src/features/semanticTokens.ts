/** Semantic tokens for stage names and resolved references (numeric ones included). Linear in the file. */
import type { SemanticTokens } from 'vscode-languageserver';
import { referencedStage, type StageModel } from '../model/model';
import type { Range } from 'vscode-languageserver';

export { SEMANTIC_LEGEND } from '../protocol';

export function computeSemanticTokens(model: StageModel): SemanticTokens {
  const toks: { range: Range; mod: number }[] = [];
  for (const s of model.stages) if (s.nameToken) toks.push({ range: s.nameToken.range, mod: 1 });
  for (const r of model.references) if (referencedStage(r) !== undefined) toks.push({ range: r.range, mod: 0 });
  toks.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const data: number[] = [];
  let line = 0;
  let ch = 0;
  for (const t of toks) {
    const { start, end } = t.range;
    if (end.line !== start.line) continue;
    const dl = start.line - line;
    data.push(dl, dl === 0 ? start.character - ch : start.character, end.character - start.character, 0, t.mod);
    line = start.line;
    ch = start.character;
  }
  return { data };
}
