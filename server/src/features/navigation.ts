/** Definition, references, document highlight and rename for stages. */
import { DocumentHighlightKind } from 'vscode-languageserver-types';
import type { DocumentHighlight, Location, Position, Range, TextEdit } from 'vscode-languageserver';
import { checkNewStageName, renameEdits } from '../model/checks';
import { referencesTo, stageSymbolAt, type StageModel } from '../model/model';

export function computeDefinition(model: StageModel, uri: string, p: Position): Location | undefined {
  const hit = stageSymbolAt(model, p);
  if (!hit?.reference) return undefined;
  const s = hit.stage;
  return { uri, range: s.nameToken?.range ?? s.from.range };
}

export function computeReferences(model: StageModel, uri: string, p: Position, includeDeclaration: boolean): Location[] | undefined {
  const hit = stageSymbolAt(model, p);
  if (!hit) return undefined;
  const out: Location[] = [];
  if (includeDeclaration && hit.stage.nameToken) out.push({ uri, range: hit.stage.nameToken.range });
  for (const r of referencesTo(model, hit.stage.index)) out.push({ uri, range: r.range });
  return out;
}

export function computeHighlights(model: StageModel, p: Position): DocumentHighlight[] | undefined {
  const hit = stageSymbolAt(model, p);
  if (!hit) return undefined;
  const out: DocumentHighlight[] = [];
  if (hit.stage.nameToken) out.push({ range: hit.stage.nameToken.range, kind: DocumentHighlightKind.Write });
  for (const r of referencesTo(model, hit.stage.index)) out.push({ range: r.range, kind: DocumentHighlightKind.Read });
  return out;
}

export type PrepareRenameResult = { range: Range; placeholder: string } | { error: string } | undefined;

/** undefined: not a stage (let another provider answer); error: a stage that cannot be renamed here. */
export function prepareStageRename(model: StageModel, p: Position): PrepareRenameResult {
  const hit = stageSymbolAt(model, p);
  if (!hit) return undefined;
  if (!hit.stage.name || !hit.stage.nameToken) return { error: `Stage #${hit.stage.index} has no name to rename. Name it with 'AS <name>' first.` };
  if (hit.reference?.numeric) return { error: `This is a numeric reference to stage #${hit.stage.index}; rename the stage at its declaration.` };
  if (hit.reference?.dynamic) return { error: `This reference is computed from build args ('${hit.reference.raw}'); rename the stage at its declaration.` };
  const range = hit.reference?.range ?? hit.stage.nameToken.range;
  return { range, placeholder: hit.stage.name };
}

export type RenameResult = { edits: TextEdit[] } | { error: string } | undefined;

export function computeRename(model: StageModel, p: Position, newName: string): RenameResult {
  const hit = stageSymbolAt(model, p);
  if (!hit) return undefined;
  if (!hit.stage.nameToken) return { error: `Stage #${hit.stage.index} has no name to rename.` };
  const why = checkNewStageName(model, hit.stage, newName.trim());
  if (why) return { error: why };
  return { edits: renameEdits(model, hit.stage, newName.trim()) };
}
