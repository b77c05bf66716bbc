/**
 * The routing table: each LSP request to the feature module that answers it.
 * Every route is one small function that registers one request (or a few that
 * share a feature); `ROUTES` lists them all. A route only picks the document kind
 * (Dockerfile or Compose), gets the model through `withModel`/`withCompose`, calls a
 * pure `compute*` of server/src/features/, and falls back to the general features
 * (`ctx.general`, `all` mode only). A new request handler is a new function here plus
 * one line in `ROUTES` (and its capability in capabilities.ts); the logic lives in
 * features/.
 */
import {
  ResponseError,
  SemanticTokensRequest,
  type CancellationToken,
  type CodeAction,
  type CodeLens,
  type CompletionItem,
  type Position,
  type TextEdit,
} from 'vscode-languageserver';
import { computeStageCodeActions } from '../features/codeActions';
import { computeBuildTargets, computeCodeLenses } from '../features/codeLens';
import {
  computeComposeCodeActions,
  computeComposeCodeLenses,
  computeComposeCompletions,
  computeComposeDefinition,
  computeComposeHover,
} from '../features/compose';
import { computeStageCompletions, isStageDocData, resolveStageCompletion, stageCompletionContext } from '../features/completion';
import { completionSnippet, shiftCompletion } from '../features/dls';
import { computeConvertActions, contextForDirectory, contextForDocument } from '../features/convert';
import { computeHover } from '../features/hover';
import { computeInlayHints } from '../features/inlayHints';
import { computeDefinition, computeHighlights, computeReferences, computeRename, prepareStageRename } from '../features/navigation';
import { computeSemanticTokens } from '../features/semanticTokens';
import { computeDocumentSymbols, computeFoldingRanges } from '../features/symbols';
import { splitLines } from '../model/text';
import { BuildTargetsRequest, StageGraphRequest, type BuildTargetsResult, type Settings, type StageGraphResult } from '../protocol';
import { stageGraph } from '../model/graph';
import { fitCompletion, fitHover } from '../features/clientCapabilities';
import { ClientCommands, ServerCommands } from '../protocol';
import { crossFile, withCompose, withModel, withSource, type ServerContext } from './context';
import {
  computeTargetCompletions,
  computeTargetDefinition,
  computeTargetHover,
  computeTargetLenses,
  targetReferenceLocations,
  targetRenameEdits,
} from '../features/targets';
import { modelOf, problemsOf, type DocState } from './documents';
import { nodeContextIO } from './nodeIO';
import { fsPathOf } from './paths';

type Route = (ctx: ServerContext) => void;

const isCompose = (ctx: ServerContext, uri: string) => ctx.docs.get(uri)?.kind === 'compose';
/** A Bake, dev container or workflow file (the workspace index reads it). */
const isSource = (ctx: ServerContext, uri: string) => ctx.docs.get(uri)?.kind === 'source';
const lineOf = (st: DocState, line: number) => splitLines(st.doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }))[0] ?? '';

const inlayHints: Route = (ctx) =>
  ctx.connection.languages.inlayHint.on(
    async ({ textDocument, range }, token) =>
      (await withModel(ctx, textDocument.uri, (m, _st, s) => computeInlayHints(m, range, s), token, 'interactive')) ?? [],
  );

const definition: Route = (ctx) =>
  ctx.connection.onDefinition(async ({ textDocument: { uri }, position }, token) => {
    if (isCompose(ctx, uri)) return (await withCompose(ctx, uri, (f, b) => computeComposeDefinition(f, b, position), token)) ?? null;
    if (isSource(ctx, uri)) return (await withSource(ctx, uri, (f, r) => computeTargetDefinition(ctx.index.usesIn(f), f, position, r))) ?? null;
    return withModel(
      ctx,
      uri,
      (m) => computeDefinition(m, uri, position) ?? (ctx.mode === 'all' ? ctx.general.definition(uri, m.text, position) : null),
      token,
    );
  });

const references: Route = (ctx) =>
  ctx.connection.onReferences(async ({ textDocument: { uri }, position, context }, token) =>
    withModel(
      ctx,
      uri,
      (m) => {
        const ours = computeReferences(m, uri, position, context.includeDeclaration);
        if (!ours) return null;
        // Every Compose, Bake, dev container and workflow target value that names the stage.
        return [...ours, ...(crossFile(ctx, uri, m, position, (uses, stage) => targetReferenceLocations(uses, m, stage)) ?? [])];
      },
      token,
    ),
  );

const highlights: Route = (ctx) =>
  ctx.connection.onDocumentHighlight(async ({ textDocument, position }, token) =>
    withModel(
      ctx,
      textDocument.uri,
      (m) => computeHighlights(m, position) ?? (ctx.mode === 'all' ? ctx.general.highlights(m.text, position) : null),
      token,
      'interactive',
    ),
  );

const rename: Route = (ctx) => {
  ctx.connection.onPrepareRename(async ({ textDocument, position }) => {
    const r = await withModel(
      ctx,
      textDocument.uri,
      (m) => prepareStageRename(m, position) ?? (ctx.mode === 'all' ? ctx.general.prepareRename(m.text, position) : null),
    );
    if (r && 'error' in r) throw new ResponseError(-32803, r.error);
    return r ?? null;
  });
  ctx.connection.onRenameRequest(async ({ textDocument: { uri }, position, newName }) => {
    const r = await withModel(
      ctx,
      uri,
      (m) => computeRename(m, position, newName) ?? (ctx.mode === 'all' ? { edits: ctx.general.rename(uri, m.text, position, newName) } : null),
    );
    if (!r) return null;
    if ('error' in r) throw new ResponseError(-32803, r.error);
    const changes: Record<string, TextEdit[]> = { [uri]: r.edits };
    // One WorkspaceEdit: the Dockerfile and every target value in the workspace that names the stage.
    const other = await withModel(ctx, uri, (m) => crossFile(ctx, uri, m, position, (uses, stage) => targetRenameEdits(uses, m, stage, newName.trim())));
    for (const [u, edits] of other ?? []) if (u !== uri) changes[u] = [...(changes[u] ?? []), ...edits];
    return { changes };
  });
};

const hover: Route = (ctx) =>
  ctx.connection.onHover(async ({ textDocument: { uri }, position }, token) => {
    if (isCompose(ctx, uri))
      return fitHover(await withCompose(ctx, uri, (f, b) => computeComposeHover(f, b, position), token, 'interactive'), ctx.client.features);
    if (isSource(ctx, uri)) return fitHover(await withSource(ctx, uri, (f, r) => computeTargetHover(ctx.index.usesIn(f), f, position, r)), ctx.client.features);
    return fitHover(
      await withModel(ctx, uri, (m) => computeHover(m, position) ?? (ctx.mode === 'all' ? ctx.general.hover(m.text, position) : null), token, 'interactive'),
      ctx.client.features,
    );
  });

const symbols: Route = (ctx) => {
  ctx.connection.onDocumentSymbol(async ({ textDocument }, token) => withModel(ctx, textDocument.uri, (m) => computeDocumentSymbols(m), token));
  ctx.connection.onFoldingRanges(async ({ textDocument }, token) => withModel(ctx, textDocument.uri, (m) => computeFoldingRanges(m), token));
};

async function completionsAt(ctx: ServerContext, uri: string, position: Position, token: CancellationToken): Promise<CompletionItem[] | null> {
  const st = ctx.docs.get(uri);
  if (!st) return null;
  const line = lineOf(st, position.line);
  if (st.kind === 'compose') return (await withCompose(ctx, uri, (f, b) => computeComposeCompletions(f, b, position, line), token, 'interactive')) ?? null;
  if (st.kind === 'source') return (await withSource(ctx, uri, (f, r) => computeTargetCompletions(ctx.index.usesIn(f), f, position, line, r))) ?? null;
  const ours = (await withModel(ctx, uri, (m) => computeStageCompletions(m, line, position, uri), token, 'interactive')) ?? undefined;
  const cc = stageCompletionContext(line, position.character);
  if (ctx.mode !== 'all' || (cc && cc.kind !== 'from')) return ours ?? null;
  const snippet = await withModel(ctx, uri, (m) => completionSnippet(m, position), token, 'interactive');
  if (!snippet) return ours ?? null;
  const theirs = await ctx.general.completion(snippet.text, snippet.position);
  return [...(ours ?? []), ...theirs.map((i) => shiftCompletion(i, snippet.lineOffset))];
}

const completion: Route = (ctx) => {
  ctx.connection.onCompletion(async ({ textDocument: { uri }, position }, token) => {
    const items = await completionsAt(ctx, uri, position, token);
    return items ? items.map((i) => fitCompletion(i, ctx.client.features)) : null;
  });
  ctx.connection.onCompletionResolve(async (item, token) => {
    if (isStageDocData(item.data)) {
      const resolved = await withModel(ctx, item.data.stageDoc.uri, (m) => resolveStageCompletion(m, item), token, 'interactive');
      return fitCompletion(resolved ?? item, ctx.client.features);
    }
    return fitCompletion(ctx.mode === 'all' ? ctx.general.resolveCompletion(item) : item, ctx.client.features);
  });
};

/**
 * The build context the converter reads: the `build.context` of a Compose service that builds
 * this Dockerfile (inside the workspace folders), else the Dockerfile's folder (`docker build .`).
 */
function buildContextOf(ctx: ServerContext, uri: string): ReturnType<typeof contextForDocument> {
  const use = ctx.compose.composeUseFor(fsPathOf(uri));
  if (use && (ctx.index.getRoots().length === 0 || ctx.index.contains(use.context))) return contextForDirectory(use.context, nodeContextIO);
  return contextForDocument(uri, nodeContextIO);
}

const codeActions: Route = (ctx) =>
  ctx.connection.onCodeAction(async ({ textDocument: { uri }, range, context }, token) => {
    if (isCompose(ctx, uri) || isSource(ctx, uri)) return computeComposeCodeActions(uri, context.diagnostics);
    return withModel(
      ctx,
      uri,
      (m, st, s) => {
        const out: CodeAction[] = computeStageCodeActions(m, uri, range, context.diagnostics, problemsOf(st, m, s));
        out.push(...computeConvertActions(m, uri, range, context.diagnostics, { context: buildContextOf(ctx, uri) }, ctx.client.features.codeActionDisabled));
        if (ctx.mode === 'all') {
          const theirs = context.diagnostics.filter((d) => d.source === 'dockerfile-utils');
          if (theirs.length) out.push(...ctx.general.codeActions(uri, m.text, range, theirs));
        }
        return out;
      },
      token,
    );
  });

async function lensesOf(ctx: ServerContext, uri: string, token: CancellationToken): Promise<CodeLens[] | null> {
  const st = ctx.docs.get(uri);
  if (!st) return null;
  const settings = await ctx.settings.get(uri);
  if (!settings.codeLens.enable) return [];
  if (st.kind === 'compose') return withCompose(ctx, uri, (f, b) => computeComposeCodeLenses(f, b, uri), token);
  if (st.kind === 'source') return withSource(ctx, uri, (f, r) => computeTargetLenses(ctx.index.usesIn(f), f, r));
  // A builder reads the Dockerfile from disk: no lenses for untitled or virtual documents.
  const p = fsPathOf(uri);
  if (!p) return [];
  return withModel(ctx, uri, (m, s) => computeCodeLenses(m, computeBuildTargets(m, uri, s.doc.version, ctx.compose.composeUseFor(p))), token);
}

/** Lenses name ClientCommands for the VS Code client, which runs them in a terminal; any other client gets ServerCommands. */
const SERVER_COMMAND_OF: Readonly<Record<string, string>> = { [ClientCommands.build]: ServerCommands.build, [ClientCommands.run]: ServerCommands.run };

const codeLens: Route = (ctx) =>
  ctx.connection.onCodeLens(async ({ textDocument: { uri } }, token) => {
    const lenses = await lensesOf(ctx, uri, token);
    if (ctx.client.commands || !lenses) return lenses;
    return lenses.map((l) => {
      const id = l.command ? SERVER_COMMAND_OF[l.command.command] : undefined;
      return l.command && id ? { ...l, command: { ...l.command, command: id } } : l;
    });
  });

/** Builds and runs from any LSP client (opt-in outside VS Code: initializationOptions.enableBuilds). */
const executeCommand: Route = (ctx) => {
  ctx.connection.onExecuteCommand(async ({ command, arguments: args }) => {
    if (command !== ServerCommands.build && command !== ServerCommands.run) throw new ResponseError(-32601, `unknown command ${command}`);
    if (!ctx.builds) throw new ResponseError(-32002, 'not initialized');
    return ctx.builds.execute(command, args);
  });
};

export function buildTargetsOf(ctx: ServerContext, uri: string, settings: Settings): BuildTargetsResult {
  const st = ctx.docs.get(uri);
  const p = fsPathOf(uri);
  if (st?.kind === 'dockerfile') {
    const model = modelOf(st, settings);
    if (!model) throw new ResponseError(-32803, 'This Dockerfile is larger than dockerStages.maxFileSize.');
    return computeBuildTargets(model, uri, st.doc.version, ctx.compose.composeUseFor(p));
  }
  if (!p) throw new ResponseError(-32803, `Not a file: ${uri}`);
  const r = ctx.compose.dockerfileModelAt(p, settings, p);
  if (typeof r === 'string') throw new ResponseError(-32803, r);
  return computeBuildTargets(r.model, uri, null, ctx.compose.composeUseFor(p));
}

const buildTargets: Route = (ctx) =>
  ctx.connection.onRequest(BuildTargetsRequest.method, async (params: unknown): Promise<BuildTargetsResult> => {
    const uri = typeof params === 'object' && params !== null ? (params as Record<string, unknown>)['uri'] : undefined;
    if (typeof uri !== 'string') throw new ResponseError(-32602, 'dockerStages/buildTargets needs { uri: string }');
    return buildTargetsOf(ctx, uri, await ctx.settings.get(uri));
  });

const graph: Route = (ctx) =>
  ctx.connection.onRequest(StageGraphRequest.method, async (params: unknown): Promise<StageGraphResult> => {
    const uri = typeof params === 'object' && params !== null ? (params as Record<string, unknown>)['uri'] : undefined;
    if (typeof uri !== 'string') throw new ResponseError(-32602, 'dockerStages/graph needs { uri: string }');
    const r = await withModel(ctx, uri, (m, st) => ({ uri, version: st.doc.version, graph: stageGraph(m) }));
    if (!r) throw new ResponseError(-32803, `Not an open Dockerfile, or larger than dockerStages.maxFileSize: ${uri}`);
    return r;
  });

// Null for Compose files: an empty result would hide another extension's tokens.
const semanticTokens: Route = (ctx) =>
  ctx.connection.onRequest(SemanticTokensRequest.type, async ({ textDocument: { uri } }, token) => {
    if (isCompose(ctx, uri) || isSource(ctx, uri)) return null;
    return (await withModel(ctx, uri, (m) => computeSemanticTokens(m), token)) ?? { data: [] };
  });

/** The general features of dockerfile-language-service that need only the text (registered in `all` mode only). */
const generalTextFeatures: Route = (ctx) => {
  const { connection, general } = ctx;
  const textOf = async (uri: string): Promise<string | undefined> => (await withModel(ctx, uri, (m) => m.text)) ?? undefined;
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
};

/** Every request the server answers. */
export const ROUTES: readonly Route[] = [
  inlayHints,
  definition,
  references,
  highlights,
  rename,
  hover,
  symbols,
  completion,
  codeActions,
  codeLens,
  executeCommand,
  buildTargets,
  graph,
  semanticTokens,
  generalTextFeatures,
];

export function registerRoutes(ctx: ServerContext): void {
  for (const route of ROUTES) route(ctx);
}
