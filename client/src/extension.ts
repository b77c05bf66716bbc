/**
 * The VS Code side: starts the language server, resolves the `auto` language
 * features setting from the installed extensions, and registers the commands.
 * The client's state is one ClientContext (context.ts); builds live in builds/
 * (tasks, lenses' commands, palette commands); this file wires them up. Only client/ imports `vscode`.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerBuildCommands } from './builds/commands';
import { formatSize } from './builds/format';
import { LayerView } from './builds/layerView';
import { StageGraphPanel } from './graph/panel';
import { ClientContext, resolveMode } from './context';
import { CodeActionIds, Commands, SETTINGS_SECTION, type LanguageFeatures } from '../../server/src/protocol';

export interface Api {
  /** The running language client (for tests and other extensions). */
  readonly client: () => LanguageClient | undefined;
  /** The resolved language-features mode the server runs in. */
  readonly languageFeatures: () => LanguageFeatures;
  /** The layer figures shown on a Dockerfile's lines (0-based line → text), for tests. */
  readonly layerFigures: (uri: string) => Map<number, string>;
  /** The stage graph panel's last render report, for tests and benchmarks. */
  readonly graphRender: () => { ms: number; stages: number; images: number; declined: boolean } | undefined;
}

/** The activation's state (for deactivate, which VS Code calls without arguments). */
let active: ClientContext | undefined;

/**
 * Runs one of the server's code actions from the palette: asks for every action over
 * the whole document and applies the first that matches one of `wanted` (by the
 * `data.id` the server sets, or by its title: `data` does not survive the round trip
 * through executeCodeActionProvider).
 */
async function applyCodeAction(wanted: readonly { id: string; title: string }[], what: string): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'dockerfile') {
    void vscode.window.showInformationMessage(`Dockerfile Stages: open a Dockerfile to use "${what}".`);
    return;
  }
  const doc = editor.document;
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[] | undefined>(
    'vscode.executeCodeActionProvider',
    doc.uri,
    new vscode.Range(0, 0, doc.lineCount, 0),
  );
  const withEdit = (actions ?? []).filter((a): a is vscode.CodeAction => 'edit' in a && a.edit !== undefined);
  const idOf = (a: vscode.CodeAction): unknown => {
    const data: unknown = (a as { data?: unknown }).data;
    return typeof data === 'object' && data !== null ? (data as Record<string, unknown>)['id'] : undefined;
  };
  for (const w of wanted) {
    const action = withEdit.find((a) => idOf(a) === w.id) ?? withEdit.find((a) => a.title.startsWith(w.title));
    if (action?.edit) {
      await vscode.workspace.applyEdit(action.edit);
      return;
    }
  }
  // The server sends the action disabled, with the reason, when it declines (e.g. no build step, toolchain already removed).
  const declined = (actions ?? []).find((a): a is vscode.CodeAction => 'disabled' in a && a.disabled !== undefined && wanted.some((w) => idOf(a) === w.id));
  void vscode.window.showInformationMessage(
    `Dockerfile Stages: "${what}" does not apply to this Dockerfile${declined?.disabled ? `. ${declined.disabled.reason}` : '.'}`,
  );
}

async function showStages(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'dockerfile') {
    void vscode.window.showInformationMessage('Dockerfile Stages: open a Dockerfile to list its stages.');
    return;
  }
  const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', editor.document.uri);
  const stages = (symbols ?? []).filter((s) => s.kind === vscode.SymbolKind.Module && s.name.startsWith('#'));
  if (stages.length === 0) {
    void vscode.window.showInformationMessage('Dockerfile Stages: this Dockerfile has no stages yet.');
    return;
  }
  const pick = await vscode.window.showQuickPick(
    stages.map((s) => ({ label: s.name, description: s.detail, detail: `line ${s.range.start.line + 1}`, symbol: s })),
    { placeHolder: 'Go to stage' },
  );
  if (!pick) return;
  const pos = pick.symbol.selectionRange.start;
  editor.selection = new vscode.Selection(pos, pos);
  editor.revealRange(pick.symbol.range, vscode.TextEditorRevealType.AtTop);
}

export async function activate(context: vscode.ExtensionContext): Promise<Api> {
  const ctx = new ClientContext(context);
  active = ctx;
  const ageTimer = setInterval(() => {
    if (vscode.window.visibleTextEditors.some((e) => e.document.languageId === 'dockerfile')) ctx.refreshLenses();
  }, 60_000);
  const b = ctx.builds;
  const graphPanel = new StageGraphPanel(
    context.extensionUri,
    () => ctx.client,
    (uri, graph) => {
      // A stage's figures: the last image built for it as a target (size), and how long that took.
      const out = new Map<number, string>();
      for (const s of graph.stages) {
        const img = s.name !== null ? b.images.get(uri, s.name) : undefined;
        const dflt = graph.defaultTarget === s.index ? b.images.get(uri, null) : undefined;
        const im = img ?? dflt;
        if (im?.size !== undefined) out.set(s.index, `${formatSize(im.size)}${im.seconds !== undefined ? ` · ${im.seconds.toFixed(1)} s` : ''}`);
      }
      return out;
    },
  );
  const layers = new LayerView((uri) => b.buildTargets(uri));
  context.subscriptions.push(
    ctx.output,
    ctx.builds,
    graphPanel,
    layers,
    b.onDidFinishBuild((r) => {
      layers.buildFinished(r);
    }),
    b.onDidFinishBuild((r) => {
      graphPanel.buildFinished(r.uri);
    }),
    vscode.commands.registerCommand(Commands.showStageGraph, () => {
      graphPanel.show();
    }),
    ...registerBuildCommands(ctx.builds),
    ctx.builds.onDidFinishBuild(() => {
      ctx.refreshLenses();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      ctx.refreshLenses();
    }),
    {
      dispose: () => {
        clearInterval(ageTimer);
      },
    },
    vscode.commands.registerCommand(Commands.restartServer, () => ctx.restart()),
    vscode.commands.registerCommand(Commands.showOutput, () => {
      ctx.output.show();
    }),
    vscode.commands.registerCommand(Commands.showStages, () => showStages()),
    vscode.commands.registerCommand(Commands.convertToMultiStage, () =>
      applyCodeAction([{ id: CodeActionIds.convert, title: 'Convert to multi-stage build' }], 'Convert to Multi-Stage Build'),
    ),
    vscode.commands.registerCommand(Commands.addDevStage, () =>
      applyCodeAction(
        [
          { id: CodeActionIds.addDevStage, title: 'Add a dev stage' },
          { id: CodeActionIds.convertWithDev, title: 'Convert to multi-stage build with a dev stage' },
        ],
        'Add a Dev Stage',
      ),
    ),
    // The server's capabilities depend on the mode: restart when it changes.
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SETTINGS_SECTION}.languageFeatures`) && resolveMode() !== ctx.mode) void ctx.restart();
    }),
    vscode.extensions.onDidChange(() => {
      if (resolveMode() !== ctx.mode) void ctx.restart();
    }),
    { dispose: () => void ctx.client?.stop() },
  );
  await ctx.start();
  return {
    client: () => ctx.client,
    languageFeatures: () => ctx.mode,
    layerFigures: (uri) => layers.figuresOf(uri),
    graphRender: () => graphPanel.lastRender,
  };
}

export async function deactivate(): Promise<void> {
  const ctx = active;
  active = undefined;
  await ctx?.stop();
}
