/**
 * The VS Code side: starts the language server, resolves the `auto` language
 * features setting from the installed extensions, and registers the commands.
 * The only code that imports `vscode`.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
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
    ],
    outputChannel: output,
    initializationOptions: { languageFeatures: currentMode },
    middleware: {
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
  const old = client;
  client = undefined;
  if (old) await old.stop().catch(() => undefined);
  await startClient(context);
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
  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.restartServer, () => restart(context)),
    vscode.commands.registerCommand(Commands.showOutput, () => output?.show()),
    vscode.commands.registerCommand(Commands.showStages, () => showStages()),
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
