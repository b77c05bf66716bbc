/**
 * The initialize handshake: reads what the client supports into the context and
 * answers with the server's capabilities (the general features only in `all` mode;
 * formatting registered dynamically for Dockerfiles where the client allows it).
 * A new request handler in routes.ts that needs a capability declares it here.
 */
import { warmUp } from './warmup';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DocumentFormattingRequest,
  DocumentOnTypeFormattingRequest,
  DocumentRangeFormattingRequest,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
} from 'vscode-languageserver';
import { SEMANTIC_LEGEND } from '../features/semanticTokens';
import { SETTINGS_SECTION, ServerCommands, type LanguageFeatures } from '../protocol';
import { clientFeatures } from '../features/clientCapabilities';
import { VERSION } from '../version';
import { ServerBuilds } from './builds';
import { buildTargetsOf } from './routes';
import { JobKeys, validate } from './scheduling';
import type { ServerContext } from './context';
import { fsPathOf } from './paths';

const ON_TYPE = { firstTriggerCharacter: '\\', moreTriggerCharacter: ['`'] };

function serverCapabilities(mode: LanguageFeatures, dynamicFormatting: boolean): ServerCapabilities {
  const capabilities: ServerCapabilities = {
    // Every column the server reads or writes counts UTF-16 code units: say so, whatever else the client offers.
    positionEncoding: 'utf-16',
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
    inlayHintProvider: true,
    definitionProvider: true,
    referencesProvider: true,
    documentHighlightProvider: true,
    renameProvider: { prepareProvider: true },
    hoverProvider: true,
    documentSymbolProvider: { label: 'Dockerfile stages' },
    foldingRangeProvider: true,
    completionProvider: { triggerCharacters: ['=', ' ', '$', '{', '-'], resolveProvider: true },
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
    codeLensProvider: { resolveProvider: false },
    executeCommandProvider: { commands: [ServerCommands.build, ServerCommands.run] },
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
  return capabilities;
}

function readClientSupport(ctx: ServerContext, caps: ClientCapabilities): void {
  ctx.settings.enabled = caps.workspace?.configuration === true;
  ctx.client.dynamicConfig = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
  ctx.client.relatedInformation = caps.textDocument?.publishDiagnostics?.relatedInformation === true;
  ctx.client.codeLensRefresh = caps.workspace?.codeLens?.refreshSupport === true;
  ctx.client.features = clientFeatures(caps);
  ctx.general.setClientFeatures(ctx.client.features);
  // Compose files share the client's document selector: register formatting for Dockerfiles only
  // where the client allows it, so that Compose files keep their own formatter.
  const td = caps.textDocument;
  ctx.client.dynamicFormatting =
    td?.formatting?.dynamicRegistration === true && td.rangeFormatting?.dynamicRegistration === true && td.onTypeFormatting?.dynamicRegistration === true;
}

export function registerInitialize(ctx: ServerContext): void {
  const { connection } = ctx;
  connection.onInitialize((params: InitializeParams): InitializeResult => {
    readClientSupport(ctx, params.capabilities);
    let roots = (params.workspaceFolders ?? []).map((f) => fsPathOf(f.uri)).filter((p): p is string => p !== undefined);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- clients without workspace folders still send only rootUri
    const rootUri = params.rootUri ? fsPathOf(params.rootUri) : undefined;
    if (roots.length === 0 && rootUri) roots = [rootUri];
    ctx.compose.roots = roots;
    const init = params.initializationOptions as unknown;
    if (typeof init === 'object' && init !== null && (init as Record<string, unknown>)['languageFeatures'] === 'stagesOnly') ctx.mode = 'stagesOnly';
    ctx.client.commands = typeof init === 'object' && init !== null && (init as Record<string, unknown>)['clientCommands'] === true;
    ctx.builds = new ServerBuilds(connection, {
      init,
      workDoneProgress: ctx.client.features.workDoneProgress,
      roots: () => ctx.compose.roots,
      section: (uri) =>
        ctx.settings.enabled
          ? connection.workspace.getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION }).then(
              (x: unknown) => x,
              () => null,
            )
          : Promise.resolve(null),
      outline: async (uri) => buildTargetsOf(ctx, uri, await ctx.settings.get(uri)),
      republish: (uri) => {
        if (ctx.docs.get(uri)) void validate(ctx, uri);
        else void connection.sendDiagnostics({ uri, diagnostics: ctx.builds?.diagnosticsFor(uri) ?? [] });
      },
    });
    // On the next turn, once this answer is written: the warm-up (warmup.ts) runs in the
    // client's turn, before its first didOpen arrives.
    if (process.env['DOCKERFILE_STAGES_WARMUP'] !== '0')
      setImmediate(() => {
        const read = ctx.options.messagesRead;
        const before = Math.max(2, read?.() ?? 0);
        void warmUp({
          background: (piece) => ctx.scheduler.schedule('background', piece),
          busy: () => !ctx.docs.isEmpty() || (read !== undefined && read() > before),
          now: () => performance.now(),
        }).catch(() => undefined);
      });
    return { capabilities: serverCapabilities(ctx.mode, ctx.client.dynamicFormatting), serverInfo: { name: 'dockerfile-stages-langserver', version: VERSION } };
  });

  connection.onInitialized(() => {
    // The folders are walked in the background, after the first documents had their
    // diagnostics; a request that needs the index before then walks them itself.
    ctx.index.setRoots(ctx.compose.roots, { scan: false });
    ctx.jobs.debounce(JobKeys.workspaceIndex, INDEX_DELAY_MS, () => {
      ctx.scheduler
        .schedule('background', () => {
          indexWorkspace(ctx);
        })
        .catch(() => undefined);
    });
    if (ctx.client.dynamicConfig) void connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
    if (ctx.mode === 'all' && ctx.client.dynamicFormatting) {
      const documentSelector = [{ language: 'dockerfile' }];
      void connection.client.register(DocumentFormattingRequest.type, { documentSelector });
      void connection.client.register(DocumentRangeFormattingRequest.type, { documentSelector });
      void connection.client.register(DocumentOnTypeFormattingRequest.type, { documentSelector, ...ON_TYPE });
    }
  });
}

/** How long after `initialized` the workspace folders are walked (see onInitialized). */
const INDEX_DELAY_MS = 200;

function indexWorkspace(ctx: ServerContext): void {
  try {
    const t0 = performance.now();
    const walked = !ctx.index.scanned;
    if (walked) ctx.index.scan();
    const n = ctx.index.allUses().length;
    ctx.log(
      `workspace index: ${ctx.index.indexedFiles().length} files (${n} builds) of ${ctx.index.listed} entries listed in ${(performance.now() - t0).toFixed(1)} ms${ctx.index.truncated ? ' (stopped at the bound)' : ''}${walked ? '' : ' (already walked by a request)'}`,
    );
  } catch (e) {
    ctx.log(`workspace index failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
