/**
 * The server context: the one object every server/ module receives instead of
 * sharing a closure. It holds the connection, what the client supports (read at
 * initialize), the feature mode, and the stores (documents, settings, Compose
 * discovery, background jobs). `withModel`/`withCompose` are how a request handler
 * gets the current version's model or Compose parse; a throw inside them is logged
 * and answered with null, never taken down with the server. A new long-lived store
 * (e.g. a workspace index) is a new field here, created in server.ts.
 */
import { LSPErrorCodes, ResponseError, type CancellationToken, type Connection, type Position } from 'vscode-languageserver';
import { isCancelled, type Priority, type Scheduler } from './scheduler';
import type { GeneralValidator } from './generalWorker';
import { CodeLensRefreshRequest } from 'vscode-languageserver';
import * as path from 'node:path';
import type { ComposeFile } from '../workspace/compose';
import { stageSymbolAt, type StageModel } from '../model/model';
import type { ResolveDockerfile } from '../features/targets';
import type { WorkspaceIndex } from '../workspace/index';
import type { TargetUse } from '../workspace/sources';
import type { ServiceBuild } from '../features/compose';
import type { GeneralFeatures, Logger } from '../features/dls';
import type { LanguageFeatures, Settings } from '../protocol';
import type { ComposeDiscovery } from './composeDiscovery';
import type { ClientFeatures } from '../features/clientCapabilities';
import type { ServerBuilds } from './builds';
import { composeOf, modelOf, type DocState, type DocumentStore } from './documents';
import { fsPathOf } from './paths';
import type { Jobs } from './scheduling';
import type { SettingsStore } from './settings';

export interface ServerOptions {
  /** Delay before the (slower) general validation runs after a change, in ms. */
  generalValidationDelay?: number;
  /**
   * How many requests and notifications the transport has read, counted before the connection
   * dispatches them (server/stdio.ts); the warm-up stops as soon as the client sends more than
   * `initialize` and `initialized`.
   */
  messagesRead?: () => number;
}

/** What the client supports, read from its capabilities at initialize. */
export interface ClientSupport {
  dynamicConfig: boolean;
  relatedInformation: boolean;
  codeLensRefresh: boolean;
  /** Formatting registered dynamically for Dockerfiles only (Compose files keep their own formatter). */
  dynamicFormatting: boolean;
  /** What the client can show (markdown, snippets, work-done progress…): answers are fitted to it. */
  features: ClientFeatures;
  /** The client runs the ClientCommands of the lenses itself (the VS Code client); others get ServerCommands. */
  commands: boolean;
}

export interface ServerContext {
  readonly connection: Connection;
  readonly options: ServerOptions;
  readonly log: Logger;
  readonly client: ClientSupport;
  /** `all`: our stage features plus the general ones of dockerfile-language-service; set at initialize. */
  mode: LanguageFeatures;
  readonly docs: DocumentStore;
  readonly settings: SettingsStore;
  readonly compose: ComposeDiscovery;
  readonly jobs: Jobs;
  readonly general: GeneralFeatures;
  /** Compose, Bake, dev container and workflow files of the workspace folders (scanned at initialized). */
  readonly index: WorkspaceIndex;
  /** Builds run through workspace/executeCommand (opt-in outside VS Code); created at initialize. */
  builds: ServerBuilds | undefined;
  /** One queue in front of the thread: cancelled requests never run, interactive ones go first (scheduler.ts). */
  readonly scheduler: Scheduler;
  /** The whole-file general checks, in a worker thread (in-thread as background work if it cannot start). */
  readonly generalChecks: GeneralValidator;
}

/** Runs `f` through the scheduler; a cancelled request is answered RequestCancelled (-32800). */
export async function scheduled<T>(ctx: ServerContext, priority: Priority, token: CancellationToken | undefined, f: () => T): Promise<T> {
  try {
    return await ctx.scheduler.schedule(priority, f, { token });
  } catch (e) {
    if (isCancelled(e)) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
    throw e;
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/**
 * Runs `f` on the model of an open Dockerfile's current version, through the scheduler (at
 * `priority`, cancelled by `token`); null for other documents and too-large files.
 */
export async function withModel<T>(
  ctx: ServerContext,
  uri: string,
  f: (m: StageModel, st: DocState, s: Settings) => T,
  token?: CancellationToken,
  priority: Priority = 'normal',
): Promise<T | null> {
  if (ctx.docs.get(uri)?.kind !== 'dockerfile') return null;
  const settings = await ctx.settings.get(uri);
  return scheduled(ctx, priority, token, () => {
    // The document as it is when the job runs (it may have changed or closed while queued).
    const st = ctx.docs.get(uri);
    if (!st || st.kind !== 'dockerfile') return null;
    const model = modelOf(st, settings);
    if (!model) return null;
    try {
      return f(model, st, settings);
    } catch (e) {
      ctx.log(`request failed: ${describe(e)}`);
      return null;
    }
  });
}

export type ComposeHandler<T> = (file: ComposeFile, builds: Map<string, ServiceBuild>, st: DocState, dir: string) => T;

/** Runs `f` on an open Compose file (on disk) with the Dockerfiles its services build; null otherwise. */
export async function withCompose<T>(
  ctx: ServerContext,
  uri: string,
  f: ComposeHandler<T>,
  token?: CancellationToken,
  priority: Priority = 'normal',
): Promise<T | null> {
  const p = fsPathOf(uri);
  if (ctx.docs.get(uri)?.kind !== 'compose' || !p) return null;
  const settings = await ctx.settings.get(uri);
  return scheduled(ctx, priority, token, () => {
    const st = ctx.docs.get(uri);
    if (!st || st.kind !== 'compose') return null;
    try {
      const file = composeOf(st);
      return f(file, ctx.compose.serviceBuilds(p, file, settings), st, path.dirname(p));
    } catch (e) {
      ctx.log(`compose request failed: ${describe(e)}`);
      return null;
    }
  });
}

/**
 * A Dockerfile a workspace file builds: read only inside the workspace folders (a context
 * pointing outside leaks nothing), through the open document or the disk.
 */
export function resolverFor(ctx: ServerContext, fromFile: string, settings: Settings): ResolveDockerfile {
  return (df) => {
    const rel = path.relative(path.dirname(fromFile), df);
    const shown = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : df;
    if (ctx.index.getRoots().length > 0 && !ctx.index.contains(df)) return `${shown} is outside the workspace folders`;
    return ctx.compose.dockerfileModelAt(df, settings, shown);
  };
}

/** Runs `f` on an open Bake, dev container or workflow file with a resolver for the Dockerfiles it builds; null otherwise. */
export async function withSource<T>(ctx: ServerContext, uri: string, f: (file: string, resolve: ResolveDockerfile) => T): Promise<T | null> {
  const st = ctx.docs.get(uri);
  const p = fsPathOf(uri);
  if (!st || st.kind !== 'source' || !p) return null;
  const settings = await ctx.settings.get(uri);
  try {
    ctx.index.setOpenText(p, st.doc.getText());
    return f(p, resolverFor(ctx, p, settings));
  } catch (e) {
    ctx.log(`workspace file request failed: ${describe(e)}`);
    return null;
  }
}

type StageOf = NonNullable<ReturnType<typeof stageSymbolAt>>['stage'];

/** What other workspace files say of the stage at `position` of a Dockerfile (references, rename edits). */
export function crossFile<T>(
  ctx: ServerContext,
  uri: string,
  m: StageModel,
  position: Position,
  f: (uses: readonly TargetUse[], stage: StageOf) => T,
): T | undefined {
  const p = fsPathOf(uri);
  const hit = stageSymbolAt(m, position);
  if (!p || !hit) return undefined;
  try {
    return f(ctx.index.usesOf(p), hit.stage);
  } catch (e) {
    ctx.log(`workspace index failed: ${describe(e)}`);
    return undefined;
  }
}

export function refreshCodeLenses(ctx: ServerContext): void {
  if (ctx.client.codeLensRefresh) void ctx.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
}
