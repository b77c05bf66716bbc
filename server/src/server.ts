/**
 * The language server: the only module that touches the connection. It keeps
 * one StageModel per document version (built lazily, re-using the previous
 * version's parse) and routes each request to one feature module.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  ResponseError,
  TextDocumentSyncKind,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { buildModel, type StageModel } from './analysis/model';
import { diffLines, splitLines } from './analysis/text';
import { computeStageCodeActions } from './features/codeActions';
import { computeStageCompletions, stageCompletionContext } from './features/completion';
import { problemsFor, toDiagnostic } from './features/diagnostics';
import { GeneralFeatures } from './features/dls';
import { computeHover } from './features/hover';
import { computeInlayHints } from './features/inlayHints';
import { computeDefinition, computeHighlights, computeReferences, computeRename, prepareStageRename } from './features/navigation';
import { computeSemanticTokens, SEMANTIC_LEGEND } from './features/semanticTokens';
import { computeDocumentSymbols, computeFoldingRanges } from './features/symbols';
import { DEFAULT_SETTINGS, DIAGNOSTIC_SOURCE, normaliseSettings, SETTINGS_SECTION, type LanguageFeatures, type Settings } from './protocol';
import type { Problem } from './analysis/checks';

interface DocState {
  doc: TextDocument;
  /** Built lazily for `doc.version`. */
  model: StageModel | undefined;
  modelVersion: number;
  problems: Problem[] | undefined;
  /** dockerfile-utils diagnostics of `dlsLines` (an earlier version, possibly). */
  dlsDiagnostics: Diagnostic[];
  dlsLines: readonly string[];
  dlsTimer: NodeJS.Timeout | undefined;
  tooLarge: boolean;
}

export interface ServerOptions {
  /** Delay before the (slower) general validation runs after a change, in ms. */
  generalValidationDelay?: number;
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const docs = new Map<string, DocState>();
  const settingsCache = new Map<string, Promise<Settings>>();
  let hasConfiguration = false;
  let hasDynamicConfig = false;
  let hasRelatedInformation = false;
  let mode: LanguageFeatures = 'all';
  const log = (m: string) => connection.console.log(m);
  const general = new GeneralFeatures(log);
  const delayFor = (chars: number) => options.generalValidationDelay ?? Math.min(1500, 150 + Math.floor(chars / 1000));

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    hasConfiguration = caps.workspace?.configuration === true;
    hasDynamicConfig = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    hasRelatedInformation = caps.textDocument?.publishDiagnostics?.relatedInformation === true;
    const init = params.initializationOptions as unknown;
    if (typeof init === 'object' && init !== null && (init as Record<string, unknown>)['languageFeatures'] === 'stagesOnly') mode = 'stagesOnly';
    const capabilities: ServerCapabilities = {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      inlayHintProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      documentHighlightProvider: true,
      renameProvider: { prepareProvider: true },
      hoverProvider: true,
      documentSymbolProvider: { label: 'Dockerfile stages' },
      foldingRangeProvider: true,
      completionProvider: { triggerCharacters: ['=', ' ', '$', '{', '-'], resolveProvider: mode === 'all' },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
    };
    if (mode === 'all') {
      Object.assign(capabilities, {
        semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: true },
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        documentOnTypeFormattingProvider: { firstTriggerCharacter: '\\', moreTriggerCharacter: ['`'] },
        signatureHelpProvider: { triggerCharacters: ['-', '[', ',', ' ', '='] },
        documentLinkProvider: { resolveProvider: true },
      } satisfies ServerCapabilities);
    }
    return { capabilities, serverInfo: { name: 'dockerfile-stages-langserver', version: '0.1.0' } };
  });

  connection.onInitialized(() => {
    if (hasDynamicConfig) void connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
  });

  function settingsFor(uri: string): Promise<Settings> {
    if (!hasConfiguration) return Promise.resolve(DEFAULT_SETTINGS);
    let s = settingsCache.get(uri);
    if (!s) {
      s = connection.workspace.getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION }).then(normaliseSettings, () => DEFAULT_SETTINGS);
      settingsCache.set(uri, s);
    }
    return s;
  }

  /** The model of the document's current version, built once per version. */
  function modelOf(st: DocState, settings: Settings): StageModel | undefined {
    const text = st.doc.getText();
    st.tooLarge = text.length > settings.maxFileSize;
    if (st.tooLarge) return undefined;
    if (!st.model || st.modelVersion !== st.doc.version) {
      st.model = buildModel(text, st.model);
      st.modelVersion = st.doc.version;
      st.problems = undefined;
    }
    return st.model;
  }

  async function withModel<T>(uri: string, f: (m: StageModel, st: DocState, s: Settings) => T): Promise<T | null> {
    const st = docs.get(uri);
    if (!st) return null;
    const settings = await settingsFor(uri);
    const model = modelOf(st, settings);
    if (!model) return null;
    try {
      return f(model, st, settings);
    } catch (e) {
      log(`request failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return null;
    }
  }

  function problemsOf(st: DocState, model: StageModel, settings: Settings): Problem[] {
    if (!st.problems) st.problems = problemsFor(model, settings);
    return st.problems;
  }

  function publish(st: DocState, ours: Diagnostic[]): void {
    const all = [...ours, ...(mode === 'all' ? st.dlsDiagnostics : [])];
    if (!hasRelatedInformation) for (const d of all) delete d.relatedInformation;
    void connection.sendDiagnostics({ uri: st.doc.uri, version: st.doc.version, diagnostics: all });
  }

  /** dockerfile-utils diagnostics of an earlier version, moved past the lines that changed since. */
  function carryGeneralDiagnostics(st: DocState, lines: readonly string[]): void {
    if (st.dlsLines === lines || st.dlsDiagnostics.length === 0) return;
    const { prefix, suffix } = diffLines(st.dlsLines, lines);
    const oldTail = st.dlsLines.length - suffix;
    const delta = lines.length - st.dlsLines.length;
    st.dlsDiagnostics = st.dlsDiagnostics.flatMap((d) => {
      if (d.range.end.line < prefix) return [d];
      if (d.range.start.line >= oldTail) {
        return [{ ...d, range: { start: { line: d.range.start.line + delta, character: d.range.start.character }, end: { line: d.range.end.line + delta, character: d.range.end.character } } }];
      }
      return [];
    });
    st.dlsLines = lines;
  }

  async function validate(uri: string): Promise<void> {
    const st = docs.get(uri);
    if (!st) return;
    const settings = await settingsFor(uri);
    const version = st.doc.version;
    const model = modelOf(st, settings);
    if (!model) {
      const size = (st.doc.getText().length / 1e6).toFixed(1);
      st.dlsDiagnostics = [];
      void connection.sendDiagnostics({ uri, version, diagnostics: [{
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 3, source: DIAGNOSTIC_SOURCE, code: 'file-too-large',
        message: `This file (${size} MB) is larger than dockerStages.maxFileSize (${(settings.maxFileSize / 1e6).toFixed(1)} MB): stage analysis is off for it.`,
      }] });
      return;
    }
    const ours = problemsOf(st, model, settings).map((p) => toDiagnostic(p, uri));
    if (mode === 'all') carryGeneralDiagnostics(st, model.parsed.lines);
    publish(st, ours);
    if (mode !== 'all') return;
    // The general checks parse the whole file (about 1 s at 25,000 lines): run them once typing pauses.
    if (st.dlsTimer) clearTimeout(st.dlsTimer);
    st.dlsTimer = setTimeout(() => {
      st.dlsTimer = undefined;
      if (docs.get(uri) !== st || st.doc.version !== version) return;
      st.dlsDiagnostics = general.validate(model.text);
      st.dlsLines = model.parsed.lines;
      publish(st, ours);
    }, delayFor(model.text.length));
  }

  connection.onDidOpenTextDocument(({ textDocument: t }) => {
    docs.set(t.uri, { doc: TextDocument.create(t.uri, t.languageId, t.version, t.text), model: undefined, modelVersion: -1, problems: undefined, dlsDiagnostics: [], dlsLines: [], dlsTimer: undefined, tooLarge: false });
    void validate(t.uri);
  });
  connection.onDidChangeTextDocument(({ textDocument: t, contentChanges }) => {
    const st = docs.get(t.uri);
    if (!st) return;
    st.doc = TextDocument.update(st.doc, contentChanges, t.version);
    void validate(t.uri);
  });
  connection.onDidCloseTextDocument(({ textDocument: t }) => {
    const st = docs.get(t.uri);
    if (st?.dlsTimer) clearTimeout(st.dlsTimer);
    docs.delete(t.uri);
    settingsCache.delete(t.uri);
    void connection.sendDiagnostics({ uri: t.uri, diagnostics: [] });
  });
  connection.onDidChangeConfiguration(() => {
    settingsCache.clear();
    for (const st of docs.values()) {
      st.problems = undefined;
      void validate(st.doc.uri);
    }
    void connection.languages.inlayHint.refresh().catch(() => undefined);
  });

  const lineOf = (st: DocState, line: number) => (splitLines(st.doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }))[0] ?? '');

  connection.languages.inlayHint.on(async ({ textDocument, range }) => (await withModel(textDocument.uri, (m, _st, s) => computeInlayHints(m, range, s))) ?? []);

  connection.onDefinition(async ({ textDocument, position }) =>
    withModel(textDocument.uri, (m) => computeDefinition(m, textDocument.uri, position) ?? (mode === 'all' ? general.definition(textDocument.uri, m.text, position) : null)));

  connection.onReferences(async ({ textDocument, position, context }) =>
    withModel(textDocument.uri, (m) => computeReferences(m, textDocument.uri, position, context.includeDeclaration) ?? null));

  connection.onDocumentHighlight(async ({ textDocument, position }) =>
    withModel(textDocument.uri, (m) => computeHighlights(m, position) ?? (mode === 'all' ? general.highlights(m.text, position) : null)));

  connection.onPrepareRename(async ({ textDocument, position }) => {
    const r = await withModel(textDocument.uri, (m) => {
      const ours = prepareStageRename(m, position);
      if (ours) return ours;
      return mode === 'all' ? general.prepareRename(m.text, position) : null;
    });
    if (r && 'error' in r) throw new ResponseError(-32803, r.error);
    return r ?? null;
  });

  connection.onRenameRequest(async ({ textDocument, position, newName }) => {
    const r = await withModel(textDocument.uri, (m) => {
      const ours = computeRename(m, position, newName);
      if (ours) return ours;
      return mode === 'all' ? { edits: general.rename(textDocument.uri, m.text, position, newName) } : null;
    });
    if (!r) return null;
    if ('error' in r) throw new ResponseError(-32803, r.error);
    return { changes: { [textDocument.uri]: r.edits } };
  });

  connection.onHover(async ({ textDocument, position }) =>
    withModel(textDocument.uri, (m) => computeHover(m, position) ?? (mode === 'all' ? general.hover(m.text, position) : null)));

  connection.onDocumentSymbol(async ({ textDocument }) => withModel(textDocument.uri, (m) => computeDocumentSymbols(m)));
  connection.onFoldingRanges(async ({ textDocument }) => withModel(textDocument.uri, (m) => computeFoldingRanges(m)));

  connection.onCompletion(async ({ textDocument, position }) => {
    const st = docs.get(textDocument.uri);
    if (!st) return null;
    const line = lineOf(st, position.line);
    const ours = (await withModel(textDocument.uri, (m) => computeStageCompletions(m, line, position))) ?? undefined;
    const ctx = stageCompletionContext(line, position.character);
    if (mode !== 'all' || (ctx && ctx.kind !== 'from')) return ours ?? null;
    const text = st.doc.getText();
    if (text.length > (await settingsFor(textDocument.uri)).maxFileSize) return null;
    const theirs = await general.completion(text, position);
    return [...(ours ?? []), ...theirs];
  });
  connection.onCompletionResolve((item) => (mode === 'all' ? general.resolveCompletion(item) : item));

  connection.onCodeAction(async ({ textDocument, range, context }) =>
    withModel(textDocument.uri, (m, st, s) => {
      const out: CodeAction[] = computeStageCodeActions(m, textDocument.uri, range, context.diagnostics, problemsOf(st, m, s));
      if (mode === 'all') {
        const theirs = context.diagnostics.filter((d) => d.source === 'dockerfile-utils');
        if (theirs.length) out.push(...general.codeActions(textDocument.uri, m.text, range, theirs));
      }
      return out;
    }));

  connection.languages.semanticTokens.on(async ({ textDocument }) => (await withModel(textDocument.uri, (m) => computeSemanticTokens(m))) ?? { data: [] });

  // General features (registered only in `all` mode).
  const textOf = async (uri: string): Promise<string | undefined> => (await withModel(uri, (m) => m.text)) ?? undefined;
  connection.onDocumentFormatting(async ({ textDocument, options }) => {
    const t = await textOf(textDocument.uri);
    return t === undefined ? null : general.format(t, options);
  });
  connection.onDocumentRangeFormatting(async ({ textDocument, range, options }) => {
    const t = await textOf(textDocument.uri);
    return t === undefined ? null : general.formatRange(t, range, options);
  });
  connection.onDocumentOnTypeFormatting(async ({ textDocument, position, ch, options }) => {
    const t = await textOf(textDocument.uri);
    return t === undefined ? null : general.formatOnType(t, position, ch, options);
  });
  connection.onSignatureHelp(async ({ textDocument, position }) => {
    const t = await textOf(textDocument.uri);
    return t === undefined ? null : general.signatureHelp(t, position);
  });
  connection.onDocumentLinks(async ({ textDocument }) => {
    const t = await textOf(textDocument.uri);
    return t === undefined ? null : general.links(t);
  });
  connection.onDocumentLinkResolve((link) => general.resolveLink(link));

  connection.listen();
}
