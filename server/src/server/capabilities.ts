/**
 * The initialize handshake, server side: reads what the client supports into the context
 * (handshake.ts answers with the server's capabilities, from the same parameters, before
 * this is loaded), and after `initialized` registers what the client registers dynamically
 * (configuration changes; formatting for Dockerfiles only, where the client allows it).
 * A new request handler in routes.ts that needs a capability declares it in handshake.ts.
 */
import { warmUp } from './warmup';
import { monotonicMs } from './clock';
import {
  DidChangeConfigurationNotification,
  DocumentFormattingRequest,
  DocumentOnTypeFormattingRequest,
  DocumentRangeFormattingRequest,
  type ClientCapabilities,
  type InitializeParams,
} from 'vscode-languageserver';
import { SETTINGS_SECTION } from '../protocol';
import { clientFeatures } from '../features/clientCapabilities';
import { ServerBuilds } from './builds';
import { buildTargetsOf } from './routes';
import { JobKeys, validate } from './scheduling';
import type { ServerContext } from './context';
import { fsPathOf } from './paths';
import { ON_TYPE, dynamicFormattingOf, modeOf } from './handshake';

function readClientSupport(ctx: ServerContext, caps: ClientCapabilities): void {
  ctx.settings.enabled = caps.workspace?.configuration === true;
  ctx.client.dynamicConfig = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
  ctx.client.relatedInformation = caps.textDocument?.publishDiagnostics?.relatedInformation === true;
  ctx.client.codeLensRefresh = caps.workspace?.codeLens?.refreshSupport === true;
  ctx.client.features = clientFeatures(caps);
  ctx.general.setClientFeatures(ctx.client.features);
  ctx.client.dynamicFormatting = dynamicFormattingOf(caps);
}

/**
 * Reads the `initialize` parameters into the context: the server is loaded once the answer
 * (handshake.ts, computed from the same parameters) has been written, and before the client's
 * next message is dispatched (main.ts).
 */
export function applyInitialize(ctx: ServerContext, params: InitializeParams): void {
  const { connection } = ctx;
  {
    readClientSupport(ctx, params.capabilities);
    let roots = (params.workspaceFolders ?? []).map((f) => fsPathOf(f.uri)).filter((p): p is string => p !== undefined);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- clients without workspace folders still send only rootUri
    const rootUri = params.rootUri ? fsPathOf(params.rootUri) : undefined;
    if (roots.length === 0 && rootUri) roots = [rootUri];
    ctx.compose.roots = roots;
    const init = params.initializationOptions as unknown;
    ctx.mode = modeOf(init);
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
    // The answer is out: the warm-up (warmup.ts) runs in the client's turn, before its first didOpen arrives.
    if (process.env['DOCKERFILE_STAGES_WARMUP'] !== '0') {
      const read = ctx.options.messagesRead;
      const before = Math.max(2, read?.() ?? 0);
      void warmUp({
        background: (piece) => ctx.scheduler.schedule('background', piece),
        busy: () => !ctx.docs.isEmpty() || (read !== undefined && read() > before),
        now: monotonicMs,
      }).catch(() => undefined);
    }
  }
}

export function registerInitialized(ctx: ServerContext): void {
  const { connection } = ctx;
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
    // The registrations go out a moment later, as a background job. The didOpen that follows
    // `initialized` is usually on its way but not yet dispatched (vscode-jsonrpc hands on one
    // message per turn), so a job queued now ran first, and the first of these requests
    // (vscode-jsonrpc's request path, its ids) cost about a millisecond ahead of the first
    // diagnostics (the bench's open at 100 stages; server-side marks, 8 processes).
    ctx.jobs.debounce(JobKeys.registrations, REGISTRATION_DELAY_MS, () => {
      ctx.scheduler
        .schedule('background', () => {
          registerDynamic(ctx);
        })
        .catch(() => undefined);
    });
  });
}

/** How long after `initialized` the dynamic registrations are sent (see onInitialized). */
const REGISTRATION_DELAY_MS = 50;

function registerDynamic(ctx: ServerContext): void {
  const { connection } = ctx;
  if (ctx.client.dynamicConfig) void connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
  if (ctx.mode === 'all' && ctx.client.dynamicFormatting) {
    const documentSelector = [{ language: 'dockerfile' }];
    void connection.client.register(DocumentFormattingRequest.type, { documentSelector });
    void connection.client.register(DocumentRangeFormattingRequest.type, { documentSelector });
    void connection.client.register(DocumentOnTypeFormattingRequest.type, { documentSelector, ...ON_TYPE });
  }
}

/** How long after `initialized` the workspace folders are walked (see onInitialized). */
const INDEX_DELAY_MS = 200;

function indexWorkspace(ctx: ServerContext): void {
  try {
    const t0 = monotonicMs();
    const walked = !ctx.index.scanned;
    if (walked) ctx.index.scan();
    const n = ctx.index.allUses().length;
    ctx.log(
      `workspace index: ${ctx.index.indexedFiles().length} files (${n} builds) of ${ctx.index.listed} entries listed in ${(monotonicMs() - t0).toFixed(1)} ms${ctx.index.truncated ? ' (stopped at the bound)' : ''}${walked ? '' : ' (already walked by a request)'}`,
    );
  } catch (e) {
    ctx.log(`workspace index failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
