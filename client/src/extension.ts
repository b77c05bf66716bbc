/**
 * The VS Code side: starts the language server, resolves the `auto` language
 * features setting from the installed extensions, and registers the commands.
 * Builds live in build/ (tasks, lenses' commands, palette commands); this file
 * wires them up. Only client/ imports `vscode`.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  CodeLensRequest,
  ErrorAction,
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { Builds, ImageCache } from './builds/builds';
import { decorateLenses, registerBuildCommands } from './builds/commands';
import { RestartPolicy } from './restartPolicy';
import {
  CodeActionIds,
  Commands,
  DOCKER_EXTENSION_IDS,
  SETTINGS_SECTION,
  type LanguageFeatures,
  type LanguageFeaturesSetting,
} from '../../server/src/protocol';

export interface Api {
  /** The running language client (for tests and other extensions). */
  readonly client: () => LanguageClient | undefined;
  /** The resolved language-features mode the server runs in. */
  readonly languageFeatures: () => LanguageFeatures;
}

let client: LanguageClient | undefined;
let currentMode: LanguageFeatures = 'all';
let output: vscode.OutputChannel | undefined;
let builds: Builds | undefined;
/** When the server process dies: restart it after a bounded, growing delay, telling the user once per streak. */
const restarts = new RestartPolicy();

/** Asks VS Code for the lenses again (after a build, or as the ages in their titles grow). */
function refreshLenses(): void {
  const feature = client?.getFeature(CodeLensRequest.method);
  const seen = new Set<unknown>();
  for (const ed of vscode.window.visibleTextEditors) {
    const p = feature?.getProvider(ed.document);
    if (p && !seen.has(p)) {
      seen.add(p);
      p.onDidChangeCodeLensEmitter.fire();
    }
  }
}

function dockerExtensionInstalled(): string | undefined {
  return DOCKER_EXTENSION_IDS.find((id) => vscode.extensions.getExtension(id) !== undefined);
}

function resolveMode(): LanguageFeatures {
  const raw = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<LanguageFeaturesSetting>('languageFeatures', 'auto');
  if (raw === 'all' || raw === 'stagesOnly') return raw;
  return dockerExtensionInstalled() ? 'stagesOnly' : 'all';
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  currentMode = resolveMode();
  output ??= vscode.window.createOutputChannel('Dockerfile Stages');
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'dockerfile' },
      { scheme: 'untitled', language: 'dockerfile' },
      // Compose files: build.target completion, checks, definition and lenses.
      { scheme: 'file', language: 'dockercompose' },
    ],
    outputChannel: output,
    initializationOptions: { languageFeatures: currentMode },
    errorHandler: {
      error: (_error, _message, count) => ({ action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown }),
      closed: async () => {
        const d = restarts.onCrash(Date.now());
        if (!d.restart) {
          const again = 'Restart';
          void vscode.window.showErrorMessage(`Dockerfile Stages: the language server stopped ${d.crashes} times in a few minutes and is not restarted again. See the output for details.`, again).then((pick) => {
            if (pick === again) void vscode.commands.executeCommand(Commands.restartServer);
          });
          return { action: CloseAction.DoNotRestart, handled: true };
        }
        if (d.notify) void vscode.window.showWarningMessage('Dockerfile Stages: the language server stopped unexpectedly; restarting it. Stage hints and lenses come back in a moment.');
        output?.appendLine(`The language server stopped (crash ${d.crashes} in a row); restarting it in ${d.delayMs} ms.`);
        await new Promise((r) => setTimeout(r, d.delayMs));
        return { action: CloseAction.Restart, handled: true };
      },
    },
    synchronize: {
      // Compose files read Dockerfiles from disk, and Dockerfile lenses read Compose files.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*[dD]ocker[fF]ile*,*[cC]ontainer[fF]ile*,*.dockerfile,*.containerfile,*compose*.yml,*compose*.yaml}'),
    },
    middleware: {
      // Lens titles show the last image built for that target: `Build target runtime · 1.8 MB · 2 min ago`.
      provideCodeLenses: async (document, token, next) => {
        const lenses = await next(document, token);
        return lenses && builds ? decorateLenses(lenses, builds.images, vscode.workspace.isTrusted) : lenses;
      },
      workspace: {
        // The server cannot see which extensions are installed: resolve `auto` here.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) return result;
          return result.map((item: unknown, i) => {
            if (params.items[i]?.section !== SETTINGS_SECTION || typeof item !== 'object' || item === null) return item;
            return { ...(item as Record<string, unknown>), languageFeatures: currentMode };
          });
        },
      },
    },
  };
  client = new LanguageClient('dockerStages', 'Dockerfile Stages', serverOptions, clientOptions);
  await client.start();
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  restarts.reset();
  const old = client;
  client = undefined;
  if (old) await old.stop().catch(() => undefined);
  await startClient(context);
}

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
    'vscode.executeCodeActionProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0));
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
  void vscode.window.showInformationMessage(`Dockerfile Stages: "${what}" does not apply to this Dockerfile.`);
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
  output ??= vscode.window.createOutputChannel('Dockerfile Stages');
  const out = output;
  builds = new Builds(() => client, new ImageCache(context.workspaceState), (m) => out.appendLine(m));
  const ageTimer = setInterval(() => {
    if (vscode.window.visibleTextEditors.some((e) => e.document.languageId === 'dockerfile')) refreshLenses();
  }, 60_000);
  context.subscriptions.push(
    builds,
    ...registerBuildCommands(builds),
    builds.onDidFinishBuild(() => refreshLenses()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => refreshLenses()),
    { dispose: () => clearInterval(ageTimer) },
    vscode.commands.registerCommand(Commands.restartServer, () => restart(context)),
    vscode.commands.registerCommand(Commands.showOutput, () => output?.show()),
    vscode.commands.registerCommand(Commands.showStages, () => showStages()),
    vscode.commands.registerCommand(Commands.convertToMultiStage, () =>
      applyCodeAction([{ id: CodeActionIds.convert, title: 'Convert to multi-stage build' }], 'Convert to Multi-Stage Build')),
    vscode.commands.registerCommand(Commands.addDevStage, () =>
      applyCodeAction([{ id: CodeActionIds.addDevStage, title: 'Add a dev stage' }, { id: CodeActionIds.convertWithDev, title: 'Convert to multi-stage build with a dev stage' }], 'Add a Dev Stage')),
    // The server's capabilities depend on the mode: restart when it changes.
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SETTINGS_SECTION}.languageFeatures`) && resolveMode() !== currentMode) void restart(context);
    }),
    vscode.extensions.onDidChange(() => {
      if (resolveMode() !== currentMode) void restart(context);
    }),
    { dispose: () => void client?.stop() },
  );
  await startClient(context);
  return { client: () => client, languageFeatures: () => currentMode };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
