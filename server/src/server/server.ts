/**
 * The language server, started on a connection that has answered `initialize` (main.ts:
 * handshake.ts computes the answer, then this is loaded, from dist/server-engine.js): builds the
 * context (context.ts) from the initialize parameters and registers its parts on the connection
 * before the client's next message is dispatched. The parts of server/ (the only folder that
 * touches the connection):
 * - handshake.ts: the initialize answer (capabilities out), in the start-up bundle;
 * - capabilities.ts: client support in, dynamic registrations after `initialized`;
 * - sync.ts: document open/change/close, configuration and watched-file notifications;
 * - routes.ts: the routing table, each request to its feature in server/src/features/;
 * - documents.ts: the document store, one StageModel (and Compose parse) per version;
 * - settings.ts: per-resource settings, validated and normalised;
 * - scheduler.ts: the request queue (priorities, cancellation, no starvation); generalWorker.ts: the general checks' worker thread;
 * - clock.ts: the monotonic clock (not `performance`, which loads perf_hooks on first read);
 * - scheduling.ts: debounced background jobs, diagnostic shifting and publishing;
 * - composeDiscovery.ts: which Compose services build which Dockerfile (open documents, then disk);
 * - ../workspace/index.ts (ctx.index): Bake, dev container, workflow and Compose files naming stages, across the workspace;
 * - builds.ts: builds and runs through workspace/executeCommand for clients other than VS Code;
 * - paths.ts, nodeIO.ts: URIs as paths, and the file access the converter is given;
 * - stdio.ts: the `--stdio` framing (main.ts runs the connection on it).
 */
import type { Connection, InitializeParams } from 'vscode-languageserver';
import { GeneralFeatures } from '../features/dls';
import { GeneralPieceCache } from '../features/generalPieces';
import { applyInitialize, registerInitialized } from './capabilities';
import { ComposeDiscovery } from './composeDiscovery';
import type { ServerContext, ServerOptions } from './context';
import { DocumentStore } from './documents';
import { registerRoutes } from './routes';
import { Jobs } from './scheduling';
import { SettingsStore } from './settings';
import { registerSync } from './sync';
import { SETTINGS_SECTION } from '../protocol';
import { clientFeatures } from '../features/clientCapabilities';
import { WorkspaceIndex } from '../workspace/index';
import { GeneralValidator, generalWorkerScript } from './generalWorker';
import { Scheduler } from './scheduler';
import { nodeFileAccess } from './nodeIO';

export type { ServerOptions } from './context';

export function startServer(connection: Connection, params: InitializeParams, options: ServerOptions = {}): void {
  const log = (m: string) => {
    connection.console.log(m);
  };
  const docs = new DocumentStore();
  const general = new GeneralFeatures(log);
  const scheduler = new Scheduler();
  const inThread = new GeneralPieceCache((text) => general.validate(text));
  const generalChecks = new GeneralValidator(
    generalWorkerScript(),
    (key, pieces) => scheduler.schedule('background', () => inThread.validate(key, pieces)),
    log,
    (key) => {
      inThread.forget(key);
    },
  );
  const index = new WorkspaceIndex(nodeFileAccess);
  const compose = new ComposeDiscovery(docs);
  compose.contains = (p) => index.contains(p);
  const ctx: ServerContext = {
    connection,
    options,
    log,
    client: {
      dynamicConfig: false,
      relatedInformation: false,
      codeLensRefresh: false,
      dynamicFormatting: false,
      features: clientFeatures(undefined),
      commands: false,
    },
    builds: undefined,
    mode: 'all',
    docs,
    settings: new SettingsStore((scopeUri) => connection.workspace.getConfiguration({ scopeUri, section: SETTINGS_SECTION })),
    compose,
    index,
    jobs: new Jobs(),
    general,
    scheduler,
    generalChecks,
  };
  applyInitialize(ctx, params);
  registerInitialized(ctx);
  registerSync(ctx);
  registerRoutes(ctx);
  // One shutdown handler (the connection keeps only the last one): stop running builds and the worker.
  connection.onShutdown(() => {
    ctx.builds?.killAll();
    generalChecks.dispose();
  });
}
