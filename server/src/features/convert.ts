/**
 * "Convert to multi-stage build" and "Add a dev stage" as LSP data. Pure: the
 * file system is reached only through the `ContextIO` the caller passes.
 *
 * Wired in features/diagnostics.ts (convertProblems, behind the setting
 * dockerStages.diagnostics.singleStageToolchain) and server.ts (computeConvertActions
 * beside the stage fixes, with contextForDocument and nodeIO.ts). The actions carry
 * their WorkspaceEdit; `data.id` (protocol.ts CodeActionIds) lets the client's palette
 * commands find them.
 */
import { CodeActionKind } from 'vscode-languageserver-types';
import type { CodeAction, Diagnostic, Range } from 'vscode-languageserver';
import type { Problem } from '../model/checks';
import {
  CONVERT_CODE,
  convertToMultiStage,
  detectToolchain,
  explainConversion,
  type ConvertContext,
  type ConvertOptions,
  type Conversion,
} from '../convert/convert';
import { addDevStage, findBuilder } from '../convert/dev';
import { contextForDirectory, type ContextIO } from '../convert/context';

export { contextForDirectory, type ContextIO } from '../convert/context';
import type { StageModel } from '../model/model';
import { rangesOverlap } from '../model/text';
import { CodeActionIds, DIAGNOSTIC_SOURCE } from '../protocol';

export { CONVERT_CODE } from '../convert/convert';

/** The information diagnostic "this image ships its build toolchain", when the conversion applies and keeps every line. */
export function convertProblems(model: StageModel): Problem[] {
  const finding = detectToolchain(model);
  if (!finding) return [];
  const related = finding.buildLines.slice(0, 3).map((l) => ({
    range: { start: { line: l, character: 0 }, end: { line: l, character: (model.parsed.lines[l] ?? '').length } },
    message: 'builds here',
  }));
  return [{ code: CONVERT_CODE, severity: 'information', message: finding.message, range: finding.range, unnecessary: false, related, fixes: [] }];
}

/**
 * The build context of a Dockerfile on disk: the directory it is in (what
 * `docker build .` next to it uses). Undefined for non-file URIs. Paths that
 * leave the directory are refused.
 */
export function contextForDocument(uri: string, io: ContextIO): ConvertContext | undefined {
  if (!uri.startsWith('file://')) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(new URL(uri).pathname);
  } catch {
    return undefined;
  }
  if (/^\/[A-Za-z]:\//.test(path)) path = path.slice(1);
  const dir = path.slice(0, path.lastIndexOf('/'));
  return contextForDirectory(dir, io);
}

function wholeDocument(model: StageModel): Range {
  const last = model.parsed.lines.length - 1;
  return { start: { line: 0, character: 0 }, end: { line: last, character: (model.parsed.lines[last] ?? '').length } };
}

function titleOf(c: Conversion, dev: boolean): string {
  const what = dev ? 'Convert to multi-stage build with a dev stage' : 'Convert to multi-stage build';
  const todo = c.todos.length ? `; ${c.todos.length} TODO${c.todos.length === 1 ? '' : 's'} to finish` : '';
  return `${what} (runtime: ${c.runtimeImage}${todo})`;
}

/**
 * Code actions for a request over `range`: the conversion as a quick fix for
 * our diagnostic and as a refactoring anywhere in the single stage (plus a
 * variant with a dev stage), and "Add a dev stage" in a multi-stage file.
 */
export function computeConvertActions(
  model: StageModel,
  uri: string,
  range: Range,
  diagnostics: readonly Diagnostic[],
  options: ConvertOptions = {},
  /** The client shows disabled actions: a single-stage file that is not converted gets the action, disabled, with the true reason. */
  offerDisabled = false,
): CodeAction[] {
  const out: CodeAction[] = [];
  const stage = model.stages[0];
  if (model.stages.length === 1 && stage) {
    const ours = diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && d.code === CONVERT_CODE);
    const inStage = rangesOverlap({ start: { line: 0, character: 0 }, end: stage.range.end }, range);
    if (!ours.length && !inStage) return out;
    const explained = explainConversion(model, options);
    const conv = explained.conversion;
    if (!conv || conv.lost.length) {
      const reason = conv ? 'the result would not keep every original line' : (explained.reason ?? 'nothing to convert');
      if (offerDisabled)
        out.push({
          title: 'Convert to multi-stage build',
          kind: CodeActionKind.RefactorRewrite,
          disabled: { reason: `Not converted: ${reason}.` },
          data: { id: CodeActionIds.convert },
        });
      return out;
    }
    const edit = (text: string) => ({ changes: { [uri]: [{ range: wholeDocument(model), newText: text }] } });
    const main: CodeAction = {
      title: titleOf(conv, false),
      kind: ours.length ? CodeActionKind.QuickFix : CodeActionKind.RefactorRewrite,
      edit: edit(conv.text),
      data: { id: CodeActionIds.convert },
    };
    if (ours.length) {
      main.diagnostics = ours;
      if (!conv.todos.length) main.isPreferred = true;
    }
    out.push(main);
    const withDev = convertToMultiStage(model, { ...options, devStage: true });
    if (withDev && !withDev.lost.length)
      out.push({ title: titleOf(withDev, true), kind: CodeActionKind.RefactorRewrite, edit: edit(withDev.text), data: { id: CodeActionIds.convertWithDev } });
    return out;
  }
  // Offered on the FROM line of the builder or of the production stage (not on every line of every multi-stage file).
  const fromLines = [model.defaultTarget, findBuilder(model)?.stage].flatMap((st) => (st ? [st.from.range] : []));
  if (!fromLines.some((r) => rangesOverlap(r, range))) return out;
  const dev = addDevStage(model, options.context);
  if (dev) {
    out.push({
      title: dev.title,
      kind: CodeActionKind.RefactorRewrite,
      edit: { changes: { [uri]: dev.edits.map((e) => ({ range: e.range, newText: e.newText })) } },
      data: { id: CodeActionIds.addDevStage },
    });
  }
  return out;
}
