/**
 * The client's state in one object instead of module globals: the language client
 * (restarted when the feature mode changes), the resolved mode, the output channel
 * and the builds. extension.ts creates one per activation and passes it to what
 * needs it; a new long-lived client part is a field here.
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
import { RestartPolicy } from './restartPolicy';
import { Builds, ImageCache } from './builds/builds';
import { decorateLenses } from './builds/commands';
import { Commands, DOCKER_EXTENSION_IDS, SETTINGS_SECTION, type LanguageFeatures, type LanguageFeaturesSetting } from '../../server/src/protocol';

/** Dockerfiles and Compose files: Compose files read Dockerfiles from disk, and Dockerfile lenses read Compose files. */
/**
 * Files whose changes on disk the server hears of: Dockerfiles and Compose files (each reads the
 * other), and the Bake, dev container and workflow files of the workspace index. One watcher per
 * glob: a brace alternative with a `/` inside is not matched by every glob engine.
 */
const WATCHED_FILES = [
  '**/{*[dD]ocker[fF]ile*,*[cC]ontainer[fF]ile*,*.dockerfile,*.containerfile,*compose*.yml,*compose*.yaml}',
  '**/docker-bake*.{hcl,json}',
  '**/{devcontainer.json,.devcontainer.json}',
  '**/.github/workflows/*.{yml,yaml}',
];

function dockerExtensionInstalled(): string | undefined {
  return DOCKER_EXTENSION_IDS.find((id) => vscode.extensions.getExtension(id) !== undefined);
}

/** The language-features mode: the setting, with `auto` resolved from the installed extensions. */
export function resolveMode(): LanguageFeatures {
  const raw = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<LanguageFeaturesSetting>('languageFeatures', 'auto');
  if (raw === 'all' || raw === 'stagesOnly') return raw;
  return dockerExtensionInstalled() ? 'stagesOnly' : 'all';
}

export class ClientContext {
  client: LanguageClient | undefined;
  mode: LanguageFeatures = 'all';
  readonly output: vscode.OutputChannel;
  readonly builds: Builds;
  /** When the server process dies: restart it after a bounded, growing delay, telling the user once per streak. */
  private readonly restarts = new RestartPolicy();

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Dockerfile Stages');
    const out = this.output;
    this.builds = new Builds(
      () => this.client,
      new ImageCache(extension.workspaceState),
      (m) => {
        out.appendLine(m);
      },
    );
  }

  /** Asks VS Code for the lenses again (after a build, or as the ages in their titles grow). */
  refreshLenses(): void {
    const feature = this.client?.getFeature(CodeLensRequest.method);
    const seen = new Set<unknown>();
    for (const ed of vscode.window.visibleTextEditors) {
      const p = feature?.getProvider(ed.document);
      if (p && !seen.has(p)) {
        seen.add(p);
        p.onDidChangeCodeLensEmitter.fire();
      }
    }
  }

  async start(): Promise<void> {
    const serverModule = this.extension.asAbsolutePath(path.join('dist', 'server.js'));
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
    };
    this.mode = resolveMode();
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'dockerfile' },
        { scheme: 'untitled', language: 'dockerfile' },
        // Compose files: build.target completion, checks, definition and lenses.
        { scheme: 'file', language: 'dockercompose' },
        // Bake, dev container and workflow files, by file pattern: a Bake .hcl file may have no language.
        { scheme: 'file', pattern: '**/docker-bake{,.override}.{hcl,json}' },
        { scheme: 'file', pattern: '**/{.devcontainer.json,.devcontainer/devcontainer.json,.devcontainer/*/devcontainer.json}' },
        { scheme: 'file', pattern: '**/.github/workflows/*.{yml,yaml}' },
      ],
      outputChannel: this.output,
      initializationOptions: { languageFeatures: this.mode, clientCommands: true },
      errorHandler: {
        error: (_error, _message, count) => ({ action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown }),
        closed: async () => {
          const d = this.restarts.onCrash(Date.now());
          if (!d.restart) {
            const again = 'Restart';
            void vscode.window
              .showErrorMessage(
                `Dockerfile Stages: the language server stopped ${d.crashes} times in a few minutes and is not restarted again. See the output for details.`,
                again,
              )
              .then((pick) => {
                if (pick === again) void vscode.commands.executeCommand(Commands.restartServer);
              });
            return { action: CloseAction.DoNotRestart, handled: true };
          }
          if (d.notify)
            void vscode.window.showWarningMessage(
              'Dockerfile Stages: the language server stopped unexpectedly; restarting it. Stage hints and lenses come back in a moment.',
            );
          this.output.appendLine(`The language server stopped (crash ${d.crashes} in a row); restarting it in ${d.delayMs} ms.`);
          await new Promise((r) => setTimeout(r, d.delayMs));
          return { action: CloseAction.Restart, handled: true };
        },
      },
      synchronize: { fileEvents: WATCHED_FILES.map((g) => vscode.workspace.createFileSystemWatcher(g)) },
      middleware: {
        // Lens titles show the last image built for that target: `Build target runtime · 1.8 MB · 2 min ago`.
        provideCodeLenses: async (document, token, next) => {
          const lenses = await next(document, token);
          return lenses ? decorateLenses(lenses, this.builds.images, vscode.workspace.isTrusted) : lenses;
        },
        workspace: {
          // The server cannot see which extensions are installed: resolve `auto` here.
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (!Array.isArray(result)) return result;
            return result.map((item: unknown, i) => {
              if (params.items[i]?.section !== SETTINGS_SECTION || typeof item !== 'object' || item === null) return item;
              return { ...(item as Record<string, unknown>), languageFeatures: this.mode };
            });
          },
        },
      },
    };
    this.client = new LanguageClient('dockerStages', 'Dockerfile Stages', serverOptions, clientOptions);
    await this.client.start();
  }

  async restart(): Promise<void> {
    this.restarts.reset();
    const old = this.client;
    this.client = undefined;
    if (old) await old.stop().catch(() => undefined);
    await this.start();
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    await c?.stop();
  }
}
