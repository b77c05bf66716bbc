/**
 * The language server: the only module that touches the connection. It keeps
 * one StageModel per document version (built lazily, re-using the previous
 * version's parse) and routes each request to one feature module. Compose
 * files are documents too: the server reads the Dockerfiles their services
 * build (open documents first, then the disk) and hands the models to
 * features/compose.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  DidChangeConfigurationNotification,
  DocumentFormattingRequest,
  DocumentOnTypeFormattingRequest,
  DocumentRangeFormattingRequest,
  LSPErrorCodes,
  ResponseError,
  SemanticTokensRequest,
  TextDocumentSyncKind,
  type CodeAction,
  type CancellationToken,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { isBaseComposeFileName, isComposeFileName, parseCompose, resolveBuildPaths, type ComposeBuild, type ComposeFile } from '../workspace/compose';
import { buildModel, type StageModel } from '../model/model';
import { diffLines, splitLines } from '../model/text';
import { computeStageCodeActions } from '../features/codeActions';
import { computeConvertActions, contextForDocument } from '../features/convert';
import { nodeContextIO } from './nodeIO';
import { GeneralValidator, generalWorkerScript } from './generalWorker';
import { isCancelled, Scheduler, type Priority } from './scheduler';
import { computeBuildTargets, computeCodeLenses } from '../features/codeLens';
import {
  composeBuildInfo,
  computeComposeCodeActions,
  computeComposeCodeLenses,
  computeComposeCompletions,
  computeComposeDefinition,
  computeComposeDiagnostics,
  computeComposeHover,
  type ServiceBuild,
} from '../features/compose';
import { computeStageCompletions, stageCompletionContext } from '../features/completion';
import { problemsFor, toDiagnostic } from '../features/diagnostics';
import { GeneralFeatures } from '../features/dls';
import { computeHover } from '../features/hover';
import { computeInlayHints } from '../features/inlayHints';
import { computeDefinition, computeHighlights, computeReferences, computeRename, prepareStageRename } from '../features/navigation';
import { computeSemanticTokens, SEMANTIC_LEGEND } from '../features/semanticTokens';
import { computeDocumentSymbols, computeFoldingRanges } from '../features/symbols';
import {
  BuildTargetsRequest,
  DEFAULT_SETTINGS,
  DIAGNOSTIC_SOURCE,
  normaliseSettings,
  SETTINGS_SECTION,
  type BuildTargetsResult,
  type ComposeBuildInfo,
  type LanguageFeatures,
  type Settings,
} from '../protocol';
import type { Problem } from '../model/checks';

interface DocState {
  doc: TextDocument;
  /** A Compose file (by language id or file name) rather than a Dockerfile. */
  kind: 'dockerfile' | 'compose';
  /** Compose files: the parse of `composeVersion`. */
  compose: ComposeFile | undefined;
  composeVersion: number;
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

/** The file-system path of a `file:` URI. */
function fsPathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

const caseInsensitiveFs = process.platform === 'win32' || process.platform === 'darwin';
function samePath(a: string, b: string): boolean {
  const x = path.resolve(a);
  const y = path.resolve(b);
  return caseInsensitiveFs ? x.toLowerCase() === y.toLowerCase() : x === y;
}
function isInside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function isComposeDocument(uri: string, languageId: string): boolean {
  if (languageId === 'dockercompose') return true;
  if (languageId === 'dockerfile') return false;
  const last = uri.split(/[/\\]/).pop() ?? '';
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // keep it encoded
  }
  return isComposeFileName(name);
}

const ON_TYPE = { firstTriggerCharacter: '\\', moreTriggerCharacter: ['`'] };

/** A file read from disk, kept while its mtime and size stay the same. */
interface DiskEntry<T> {
  mtimeMs: number;
  size: number;
  value: T;
}


export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const docs = new Map<string, DocState>();
  const settingsCache = new Map<string, Promise<Settings>>();
  let hasConfiguration = false;
  let hasDynamicConfig = false;
  let hasRelatedInformation = false;
  let hasCodeLensRefresh = false;
  let dynamicFormatting = false;
  let roots: string[] = [];
  let mode: LanguageFeatures = 'all';
  const diskModels = new Map<string, DiskEntry<StageModel | string>>();
  const diskComposes = new Map<string, DiskEntry<ComposeFile | undefined>>();
  let composeTimer: NodeJS.Timeout | undefined;
  const log = (m: string) => connection.console.log(m);
  const general = new GeneralFeatures(log);
  // One queue in front of the thread: cancelled requests never run, interactive ones go first.
  const scheduler = new Scheduler();
  // The whole-file general checks run in a worker thread; in-thread (as background work) if it cannot start.
  const generalChecks = new GeneralValidator(generalWorkerScript(), (text) => scheduler.schedule('background', () => general.validate(text)), log);
  connection.onShutdown(() => generalChecks.dispose());
  /** Runs `f` through the scheduler; a cancelled request is answered RequestCancelled (-32800). */
  async function scheduled<T>(priority: Priority, token: CancellationToken | undefined, f: () => T): Promise<T> {
    try {
      return await scheduler.schedule(priority, f, { token });
    } catch (e) {
      if (isCancelled(e)) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
      throw e;
    }
  }
  const delayFor = (chars: number) => options.generalValidationDelay ?? Math.min(1500, 150 + Math.floor(chars / 1000));

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    hasConfiguration = caps.workspace?.configuration === true;
    hasDynamicConfig = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    hasRelatedInformation = caps.textDocument?.publishDiagnostics?.relatedInformation === true;
    hasCodeLensRefresh = caps.workspace?.codeLens?.refreshSupport === true;
    // Compose files share the client's document selector: register formatting for Dockerfiles only
    // where the client allows it, so that Compose files keep their own formatter.
    const td = caps.textDocument;
    dynamicFormatting = td?.formatting?.dynamicRegistration === true && td.rangeFormatting?.dynamicRegistration === true && td.onTypeFormatting?.dynamicRegistration === true;
    roots = (params.workspaceFolders ?? []).map((f) => fsPathOf(f.uri)).filter((p): p is string => p !== undefined);
    const rootUri = params.rootUri ? fsPathOf(params.rootUri) : undefined;
    if (roots.length === 0 && rootUri) roots = [rootUri];
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
      codeLensProvider: { resolveProvider: false },
    };
    if (mode === 'all') {
      Object.assign(capabilities, {
        semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: true },
        signatureHelpProvider: { triggerCharacters: ['-', '[', ',', ' ', '='] },
        documentLinkProvider: { resolveProvider: true },
      } satisfies ServerCapabilities);
      if (!dynamicFormatting) {
        Object.assign(capabilities, {
          documentFormattingProvider: true,
          documentRangeFormattingProvider: true,
          documentOnTypeFormattingProvider: ON_TYPE,
        } satisfies ServerCapabilities);
      }
    }
    return { capabilities, serverInfo: { name: 'dockerfile-stages-langserver', version: '0.1.0' } };
  });

  connection.onInitialized(() => {
    if (hasDynamicConfig) void connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
    if (mode === 'all' && dynamicFormatting) {
      const documentSelector = [{ language: 'dockerfile' }];
      void connection.client.register(DocumentFormattingRequest.type, { documentSelector });
      void connection.client.register(DocumentRangeFormattingRequest.type, { documentSelector });
      void connection.client.register(DocumentOnTypeFormattingRequest.type, { documentSelector, ...ON_TYPE });
    }
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

  async function withModel<T>(uri: string, f: (m: StageModel, st: DocState, s: Settings) => T, token?: CancellationToken, priority: Priority = 'normal'): Promise<T | null> {
    if (!docs.get(uri)) return null;
    const settings = await settingsFor(uri);
    return scheduled(priority, token, () => {
      // The document as it is when the job runs (it may have changed or closed while queued).
      const st = docs.get(uri);
      if (!st || st.kind !== 'dockerfile') return null;
      const model = modelOf(st, settings);
      if (!model) return null;
      try {
        return f(model, st, settings);
      } catch (e) {
        log(`request failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return null;
      }
    });
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

  // ---- Compose files and the Dockerfiles they build ---------------------------------------

  /** An open document by file-system path. */
  function openDocAt(p: string): DocState | undefined {
    for (const st of docs.values()) {
      const q = fsPathOf(st.doc.uri);
      if (q && samePath(p, q)) return st;
    }
    return undefined;
  }

  function readCached<T>(cache: Map<string, DiskEntry<T>>, p: string, maxSize: number, parse: (text: string) => T, tooLarge: T): T {
    const st = statSync(p);
    if (!st.isFile()) throw Object.assign(new Error(`${p} is not a file`), { code: 'ENOTFILE' });
    const hit = cache.get(p);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.value;
    const value = st.size > maxSize * 4 ? tooLarge : (() => {
      const text = readFileSync(p, 'utf8');
      return text.length > maxSize ? tooLarge : parse(text);
    })();
    cache.set(p, { mtimeMs: st.mtimeMs, size: st.size, value });
    return value;
  }

  function describeReadError(e: unknown, shown: string): string {
    const code = typeof e === 'object' && e !== null ? (e as Record<string, unknown>)['code'] : undefined;
    if (code === 'ENOENT') return `${shown} does not exist`;
    if (code === 'ENOTFILE' || code === 'EISDIR') return `${shown} is not a file`;
    return `cannot read ${shown} (${e instanceof Error ? e.message : String(e)})`;
  }

  /** The model of a Dockerfile: its open document, else the file on disk. A string says why there is none. */
  function dockerfileModelAt(p: string, settings: Settings, shown: string): { model: StageModel; uri: string } | string {
    const open = openDocAt(p);
    if (open && open.kind === 'dockerfile') {
      const m = modelOf(open, settings);
      return m ? { model: m, uri: open.doc.uri } : `${shown} is larger than dockerStages.maxFileSize`;
    }
    try {
      const m = readCached<StageModel | string>(diskModels, p, settings.maxFileSize, (t) => buildModel(t), `${shown} is larger than dockerStages.maxFileSize`);
      return typeof m === 'string' ? m : { model: m, uri: pathToFileURL(p).href };
    } catch (e) {
      return describeReadError(e, shown);
    }
  }

  function composeOf(st: DocState): ComposeFile {
    if (!st.compose || st.composeVersion !== st.doc.version) {
      st.compose = parseCompose(st.doc.getText());
      st.composeVersion = st.doc.version;
    }
    return st.compose;
  }

  /** A Compose file: its open document, else the file on disk; undefined when it cannot be read. */
  function composeAt(p: string): ComposeFile | undefined {
    const open = openDocAt(p);
    if (open) return open.kind === 'compose' ? composeOf(open) : undefined;
    try {
      return readCached<ComposeFile | undefined>(diskComposes, p, DEFAULT_SETTINGS.maxFileSize, parseCompose, undefined);
    } catch {
      return undefined;
    }
  }

  /** Compose files in a folder, the base files (compose.yaml, docker-compose.yml) first. */
  function composeFilesIn(dir: string): string[] {
    let names: string[];
    try {
      names = readdirSync(dir).filter(isComposeFileName);
    } catch {
      return [];
    }
    return names.sort((a, b) => Number(isBaseComposeFileName(b)) - Number(isBaseComposeFileName(a)) || a.localeCompare(b)).map((n) => path.join(dir, n));
  }

  /** The same service's build in the file an override file extends (compose.yaml under compose.override.yaml). */
  function baseBuildOf(composePath: string, service: string): ComposeBuild | undefined {
    if (isBaseComposeFileName(path.basename(composePath))) return undefined;
    for (const f of composeFilesIn(path.dirname(composePath))) {
      if (!isBaseComposeFileName(path.basename(f)) || samePath(f, composePath)) continue;
      const b = composeAt(f)?.services.find((s) => s.name === service)?.build;
      if (b) return b;
    }
    return undefined;
  }

  function serviceBuilds(composePath: string, file: ComposeFile, settings: Settings): Map<string, ServiceBuild> {
    const dir = path.dirname(composePath);
    const out = new Map<string, ServiceBuild>();
    for (const svc of file.services) {
      if (!svc.build) continue;
      const paths = resolveBuildPaths(dir, svc.build, baseBuildOf(composePath, svc.name));
      let model: StageModel | undefined;
      let error: string | undefined;
      let dockerfileUri: string | undefined;
      if (paths.kind === 'local') {
        const rel = path.relative(dir, paths.dockerfile);
        const shown = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : paths.dockerfile;
        const r = dockerfileModelAt(paths.dockerfile, settings, shown);
        if (typeof r === 'string') {
          error = r;
          dockerfileUri = pathToFileURL(paths.dockerfile).href;
        } else {
          model = r.model;
          dockerfileUri = r.uri;
        }
      }
      out.set(svc.name, { service: svc, paths, dockerfileUri, model, error });
    }
    return out;
  }

  async function withCompose<T>(uri: string, f: (file: ComposeFile, builds: Map<string, ServiceBuild>, st: DocState, dir: string) => T, token?: CancellationToken, priority: Priority = 'normal'): Promise<T | null> {
    const p = fsPathOf(uri);
    if (!docs.get(uri) || !p) return null;
    const settings = await settingsFor(uri);
    return scheduled(priority, token, () => {
      const st = docs.get(uri);
      if (!st || st.kind !== 'compose') return null;
      try {
        const file = composeOf(st);
        return f(file, serviceBuilds(p, file, settings), st, path.dirname(p));
      } catch (e) {
        log(`compose request failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return null;
      }
    });
  }

  /**
   * A Compose service that builds the Dockerfile at `p`: searched in the Dockerfile's folder and the
   * folders above it, up to the workspace folder (three levels when there is none).
   */
  function composeUseFor(p: string | undefined): ComposeBuildInfo | undefined {
    if (!p) return undefined;
    let dir = path.dirname(p);
    for (let depth = 0; depth < 4; depth++) {
      for (const f of composeFilesIn(dir)) {
        const file = composeAt(f);
        for (const svc of file?.services ?? []) {
          if (!svc.build) continue;
          const paths = resolveBuildPaths(dir, svc.build, baseBuildOf(f, svc.name));
          if (paths.kind === 'local' && samePath(paths.dockerfile, p)) return composeBuildInfo(pathToFileURL(f).href, svc, paths.context);
        }
      }
      if (roots.some((r) => samePath(r, dir))) break;
      const parent = path.dirname(dir);
      if (parent === dir || (roots.length > 0 && !roots.some((r) => isInside(r, parent)))) break;
      dir = parent;
    }
    return undefined;
  }

  function buildTargetsOf(uri: string, settings: Settings): BuildTargetsResult {
    const st = docs.get(uri);
    const p = fsPathOf(uri);
    if (st?.kind === 'dockerfile') {
      const model = modelOf(st, settings);
      if (!model) throw new ResponseError(-32803, 'This Dockerfile is larger than dockerStages.maxFileSize.');
      return computeBuildTargets(model, uri, st.doc.version, composeUseFor(p));
    }
    if (!p) throw new ResponseError(-32803, `Not a file: ${uri}`);
    const r = dockerfileModelAt(p, settings, p);
    if (typeof r === 'string') throw new ResponseError(-32803, r);
    return computeBuildTargets(r.model, uri, null, composeUseFor(p));
  }

  function refreshCodeLenses(): void {
    if (hasCodeLensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  }

  /** After a Dockerfile or Compose file changed: re-check open Compose files and refresh the lenses (debounced). */
  function composeInputsChanged(): void {
    if (composeTimer) clearTimeout(composeTimer);
    composeTimer = setTimeout(() => {
      composeTimer = undefined;
      for (const st of docs.values()) if (st.kind === 'compose') void validate(st.doc.uri);
      refreshCodeLenses();
    }, 300);
  }

  async function validateCompose(st: DocState): Promise<void> {
    const uri = st.doc.uri;
    const version = st.doc.version;
    const settings = await settingsFor(uri);
    const diagnostics = settings.diagnostics.enable ? ((await withCompose(uri, (file, builds, _st, dir) => computeComposeDiagnostics(file, builds, dir))) ?? []) : [];
    if (!hasRelatedInformation) for (const d of diagnostics) delete d.relatedInformation;
    void connection.sendDiagnostics({ uri, version, diagnostics });
  }

  /** Publishes a document's diagnostics; a newer change supersedes a check still waiting (stale versions are not checked). */
  async function validate(uri: string): Promise<void> {
    const st = docs.get(uri);
    if (!st) return;
    if (st.kind === 'compose') return validateCompose(st);
    const settings = await settingsFor(uri);
    try {
      await scheduler.schedule('normal', () => {
        if (docs.get(uri) === st) validateNow(st, settings);
      }, { key: `validate:${uri}` });
    } catch (e) {
      if (!isCancelled(e)) log(`validation failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  function validateNow(st: DocState, settings: Settings): void {
    const uri = st.doc.uri;
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
      generalChecks.validate(uri, model.text).then((diagnostics) => {
        if (docs.get(uri) !== st || st.doc.version !== version) return;
        st.dlsDiagnostics = diagnostics;
        st.dlsLines = model.parsed.lines;
        publish(st, ours);
      }, (e: unknown) => {
        if (!isCancelled(e)) log(`general checks failed: ${e instanceof Error ? e.message : String(e)}`);
      });
    }, delayFor(model.text.length));
  }

  const composeOpen = () => [...docs.values()].some((d) => d.kind === 'compose');
  connection.onDidOpenTextDocument(({ textDocument: t }) => {
    const kind = isComposeDocument(t.uri, t.languageId) ? 'compose' : 'dockerfile';
    docs.set(t.uri, { doc: TextDocument.create(t.uri, t.languageId, t.version, t.text), kind, compose: undefined, composeVersion: -1, model: undefined, modelVersion: -1, problems: undefined, dlsDiagnostics: [], dlsLines: [], dlsTimer: undefined, tooLarge: false });
    void validate(t.uri);
  });
  connection.onDidChangeTextDocument(({ textDocument: t, contentChanges }) => {
    const st = docs.get(t.uri);
    if (!st) return;
    st.doc = TextDocument.update(st.doc, contentChanges, t.version);
    void validate(t.uri);
    // Compose files read this Dockerfile; Dockerfile lenses read the Compose files.
    if (st.kind === 'compose' || composeOpen()) composeInputsChanged();
  });
  connection.onDidCloseTextDocument(({ textDocument: t }) => {
    const st = docs.get(t.uri);
    if (st?.dlsTimer) clearTimeout(st.dlsTimer);
    generalChecks.forget(t.uri);
    docs.delete(t.uri);
    settingsCache.delete(t.uri);
    void connection.sendDiagnostics({ uri: t.uri, diagnostics: [] });
    if (st?.kind === 'compose' || composeOpen()) composeInputsChanged();
  });
  connection.onDidChangeConfiguration(() => {
    settingsCache.clear();
    for (const st of docs.values()) {
      st.problems = undefined;
      void validate(st.doc.uri);
    }
    void connection.languages.inlayHint.refresh().catch(() => undefined);
    refreshCodeLenses();
  });
  // The client watches Dockerfiles and Compose files on disk (see client/src/extension.ts).
  connection.onDidChangeWatchedFiles(() => composeInputsChanged());

  const lineOf = (st: DocState, line: number) => (splitLines(st.doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }))[0] ?? '');

  connection.languages.inlayHint.on(async ({ textDocument, range }, token) => (await withModel(textDocument.uri, (m, _st, s) => computeInlayHints(m, range, s), token, 'interactive')) ?? []);

  connection.onDefinition(async ({ textDocument, position }, token) => {
    if (docs.get(textDocument.uri)?.kind === 'compose') return (await withCompose(textDocument.uri, (f, b) => computeComposeDefinition(f, b, position), token)) ?? null;
    return withModel(textDocument.uri, (m) => computeDefinition(m, textDocument.uri, position) ?? (mode === 'all' ? general.definition(textDocument.uri, m.text, position) : null), token);
  });

  connection.onReferences(async ({ textDocument, position, context }, token) =>
    withModel(textDocument.uri, (m) => computeReferences(m, textDocument.uri, position, context.includeDeclaration) ?? null, token));

  connection.onDocumentHighlight(async ({ textDocument, position }, token) =>
    withModel(textDocument.uri, (m) => computeHighlights(m, position) ?? (mode === 'all' ? general.highlights(m.text, position) : null), token, 'interactive'));

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

  connection.onHover(async ({ textDocument, position }, token) => {
    if (docs.get(textDocument.uri)?.kind === 'compose') return (await withCompose(textDocument.uri, (f, b) => computeComposeHover(f, b, position), token, 'interactive')) ?? null;
    return withModel(textDocument.uri, (m) => computeHover(m, position) ?? (mode === 'all' ? general.hover(m.text, position) : null), token, 'interactive');
  });

  connection.onDocumentSymbol(async ({ textDocument }, token) => withModel(textDocument.uri, (m) => computeDocumentSymbols(m), token));
  connection.onFoldingRanges(async ({ textDocument }, token) => withModel(textDocument.uri, (m) => computeFoldingRanges(m), token));

  connection.onCompletion(async ({ textDocument, position }, token) => {
    const st = docs.get(textDocument.uri);
    if (!st) return null;
    const line = lineOf(st, position.line);
    if (st.kind === 'compose') return (await withCompose(textDocument.uri, (f, b) => computeComposeCompletions(f, b, position, line), token, 'interactive')) ?? null;
    const ours = (await withModel(textDocument.uri, (m) => computeStageCompletions(m, line, position), token, 'interactive')) ?? undefined;
    const ctx = stageCompletionContext(line, position.character);
    if (mode !== 'all' || (ctx && ctx.kind !== 'from')) return ours ?? null;
    const text = st.doc.getText();
    if (text.length > (await settingsFor(textDocument.uri)).maxFileSize) return null;
    const theirs = await general.completion(text, position);
    return [...(ours ?? []), ...theirs];
  });
  connection.onCompletionResolve((item) => (mode === 'all' ? general.resolveCompletion(item) : item));

  connection.onCodeAction(async ({ textDocument, range, context }, token) => {
    if (docs.get(textDocument.uri)?.kind === 'compose') return computeComposeCodeActions(textDocument.uri, context.diagnostics);
    return withModel(textDocument.uri, (m, st, s) => {
      const out: CodeAction[] = computeStageCodeActions(m, textDocument.uri, range, context.diagnostics, problemsOf(st, m, s));
      out.push(...computeConvertActions(m, textDocument.uri, range, context.diagnostics, { context: contextForDocument(textDocument.uri, nodeContextIO) }));
      if (mode === 'all') {
        const theirs = context.diagnostics.filter((d) => d.source === 'dockerfile-utils');
        if (theirs.length) out.push(...general.codeActions(textDocument.uri, m.text, range, theirs));
      }
      return out;
    }, token);
  });

  connection.onCodeLens(async ({ textDocument }, token) => {
    const st = docs.get(textDocument.uri);
    if (!st) return null;
    const settings = await settingsFor(textDocument.uri);
    if (!settings.codeLens.enable) return [];
    if (st.kind === 'compose') return withCompose(textDocument.uri, (f, b) => computeComposeCodeLenses(f, b, textDocument.uri), token);
    // A builder reads the Dockerfile from disk: no lenses for untitled or virtual documents.
    const p = fsPathOf(textDocument.uri);
    if (!p) return [];
    return withModel(textDocument.uri, (m, s) => computeCodeLenses(m, computeBuildTargets(m, textDocument.uri, s.doc.version, composeUseFor(p))), token);
  });

  connection.onRequest(BuildTargetsRequest.method, async (params: unknown): Promise<BuildTargetsResult> => {
    const uri = typeof params === 'object' && params !== null ? (params as Record<string, unknown>)['uri'] : undefined;
    if (typeof uri !== 'string') throw new ResponseError(-32602, 'dockerStages/buildTargets needs { uri: string }');
    return buildTargetsOf(uri, await settingsFor(uri));
  });

  // Null for Compose files: an empty result would hide another extension's tokens.
  connection.onRequest(SemanticTokensRequest.type, async ({ textDocument }, token) => {
    if (docs.get(textDocument.uri)?.kind === 'compose') return null;
    return (await withModel(textDocument.uri, (m) => computeSemanticTokens(m), token)) ?? { data: [] };
  });

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
