/**
 * A typed LSP client for the tests: spawns the bundled server (dist/server.js --stdio)
 * and speaks to it over a protocol connection, as any editor would.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeLensRefreshRequest,
  ConfigurationRequest,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  InlayHintRefreshRequest,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Registration,
} from 'vscode-languageserver-protocol/node';

export const root = path.resolve(__dirname, '../../..');

export interface ClientOptions {
  readonly initializationOptions?: unknown;
  /** A workspace folder to announce. */
  readonly workspace?: string;
  /** Whether the client registers formatting dynamically. */
  readonly dynamicFormatting?: boolean;
  /** The server's command line (default: node dist/server.js --stdio). */
  readonly command?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Client capabilities, replacing the default ones entirely. */
  readonly capabilities?: ClientCapabilities;
}

export class LspClient {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly conn: ProtocolConnection;
  readonly diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  readonly registrations: Registration[] = [];
  lensRefreshes = 0;
  /** What the client answers to workspace/configuration (per item). */
  settings: unknown = null;
  stderr = '';
  /** The server's capabilities, once initialized. */
  readonly init: Promise<Record<string, unknown>>;
  private waiters: ((p: PublishDiagnosticsParams) => void)[] = [];

  constructor(options: ClientOptions = {}) {
    const [cmd, ...args] = options.command ?? [process.execPath, path.join(root, 'dist/server.js'), '--stdio'];
    this.proc = spawn(cmd as string, args, { stdio: 'pipe', env: options.env ?? process.env });
    this.proc.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.conn = createProtocolConnection(new StreamMessageReader(this.proc.stdout), new StreamMessageWriter(this.proc.stdin));
    this.conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      const list = this.diagnostics.get(p.uri) ?? [];
      list.push(p);
      this.diagnostics.set(p.uri, list);
      for (const w of this.waiters.splice(0)) w(p);
    });
    this.conn.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => this.settings));
    this.conn.onRequest(RegistrationRequest.type, (p) => void this.registrations.push(...p.registrations));
    this.conn.onRequest(InlayHintRefreshRequest.type, () => undefined);
    this.conn.onRequest(CodeLensRefreshRequest.type, () => {
      this.lensRefreshes++;
    });
    this.conn.listen();
    const dyn = { dynamicRegistration: options.dynamicFormatting === true };
    const ws = options.workspace ? pathToFileURL(options.workspace).href : null;
    this.init = this.conn
      .sendRequest(InitializeRequest.type, {
        processId: process.pid,
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- the server must also work for clients that send only rootUri
        rootUri: ws,
        workspaceFolders: ws ? [{ uri: ws, name: 'ws' }] : null,
        initializationOptions: options.initializationOptions,
        capabilities: options.capabilities ?? {
          workspace: {
            configuration: true,
            didChangeConfiguration: { dynamicRegistration: true },
            inlayHint: { refreshSupport: true },
            codeLens: { refreshSupport: true },
          },
          textDocument: {
            publishDiagnostics: { relatedInformation: true, versionSupport: true },
            rename: { prepareSupport: true },
            formatting: dyn,
            rangeFormatting: dyn,
            onTypeFormatting: dyn,
          },
        },
      })
      .then((r) => {
        void this.conn.sendNotification(InitializedNotification.type, {});
        return { ...r.capabilities };
      });
  }

  open(uri: string, text: string, languageId = 'dockerfile', version = 1): void {
    void this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
  }

  /** The next diagnostics for `uri` at `version` that satisfy `pred`. */
  diagnosticsFor(uri: string, version: number, pred: (d: Diagnostic[]) => boolean = () => true, timeoutMs = 10000): Promise<Diagnostic[]> {
    const have = (this.diagnostics.get(uri) ?? []).find((p) => p.version === version && pred(p.diagnostics));
    if (have) return Promise.resolve(have.diagnostics);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        reject(new Error(`no diagnostics for ${uri} v${version}`));
      }, timeoutMs);
      const check = (p: PublishDiagnosticsParams) => {
        if (p.uri === uri && p.version === version && pred(p.diagnostics)) {
          clearTimeout(t);
          resolve(p.diagnostics);
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  /** The latest diagnostics for `uri`, once they satisfy `pred`. */
  async diagnosticsOf(uri: string, pred: (d: Diagnostic[]) => boolean = () => true, timeoutMs = 5000): Promise<Diagnostic[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const list = this.diagnostics.get(uri) ?? [];
      const last = list[list.length - 1];
      if (last && pred(last.diagnostics)) return last.diagnostics;
      if (Date.now() > end) throw new Error(`no matching diagnostics for ${uri}: ${JSON.stringify(last?.diagnostics)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    await this.conn.sendRequest(ShutdownRequest.type);
    void this.conn.sendNotification(ExitNotification.type);
    await new Promise((r) => this.proc.once('exit', r));
    this.conn.dispose();
  }
}
