/**
 * dockerfile-stages-langserver: the language server over stdio (`--stdio`),
 * Node IPC (`--node-ipc`) or a socket (`--socket=<port>`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import * as lsp from 'vscode-languageserver/node';
import type { Connection, InitializeParams } from 'vscode-languageserver/node';
import { runBundle } from './bundle';
import type * as Engine from './engine';
import { initializeResult } from './server/handshake';
import { FramedMessageReader, FramedMessageWriter } from './server/stdio';
import { VERSION } from './version';

const argv = process.argv.slice(2);
if (argv.includes('--version') || argv.includes('-v') || argv.includes('-V')) {
  process.stdout.write(`dockerfile-stages-langserver ${VERSION}\n`);
  process.exitCode = 0;
} else if (
  argv.includes('--help') ||
  argv.includes('-h') ||
  !argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe='))
) {
  const help = argv.includes('--help') || argv.includes('-h');
  (help ? process.stdout : process.stderr).write(
    'Usage: dockerfile-stages-langserver --stdio | --node-ipc | --socket=<port>\n' +
      'A language server for multi-stage Dockerfiles (LSP 3.17). Example (Neovim 0.11+):\n' +
      "  vim.lsp.config('dockerfile_stages', { cmd = { 'dockerfile-stages-langserver', '--stdio' }, filetypes = { 'dockerfile' } })\n" +
      "  vim.lsp.enable('dockerfile_stages')\n" +
      'Initialization options: { "enableBuilds": true } runs builds for the Build/Run lenses (workspace/executeCommand).\n' +
      'Options: --version, --help. The command line tool is dockerfile-stages (check, stages, convert).\n',
  );
  process.exitCode = help ? 0 : 2;
} else {
  if (argv.includes('--stdio')) {
    const reader = new FramedMessageReader(process.stdin);
    serve(stdioConnection(reader), { messagesRead: () => reader.messagesRead });
  } else serve(lsp.createConnection(), {});
}

/**
 * Answers `initialize` (handshake.ts), then starts the server proper on the next turn: after
 * the answer is written and before the client's next message is dispatched (the connection
 * hands on one message per turn, each queued behind this one). Start-up so runs only
 * vscode-languageserver and the handshake; the rest loads while the client reads the answer.
 */
function serve(connection: Connection, options: Engine.ServerOptions): void {
  let started = false;
  connection.onInitialize((params: InitializeParams) => {
    // (once: a client that sends `initialize` again gets its answer, not a second server)
    if (!started) {
      started = true;
      setImmediate(() => {
        loadEngine().startServer(connection, params, options);
      });
    }
    return initializeResult(params);
  });
  connection.listen();
}

/** The server proper: dist/server-engine.js with its own code cache, or (the tsc build, out/) the module next to this one. */
function loadEngine(): typeof Engine {
  const bundled = join(__dirname, 'server-engine.js');
  if (existsSync(bundled)) return runBundle(bundled, { require: (id, own) => (id === 'vscode-languageserver' ? lsp : (own(id) as unknown)) }) as typeof Engine;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the server proper, loaded once `initialize` is answered
  return require('./engine') as typeof Engine;
}

/**
 * Over stdio the connection runs on our framing (server/stdio.ts) and does what
 * vscode-languageserver does for `--stdio`: it exits when standard input ends (0 after a
 * `shutdown` request, 1 before), and `console` writes go to the client's log, never into the
 * protocol stream.
 */
function stdioConnection(reader: FramedMessageReader): Connection {
  const connection = lsp.createConnection(reader, new FramedMessageWriter(process.stdout));
  reader.onClose(() => {
    process.exit(reader.shutdownRequested ? 0 : 1);
  });
  const log = (...a: unknown[]): void => {
    connection.console.log(format(...a));
  };
  console.log = log;
  console.info = log;
  console.debug = log;
  console.warn = (...a: unknown[]): void => {
    connection.console.warn(format(...a));
  };
  console.error = (...a: unknown[]): void => {
    connection.console.error(format(...a));
  };
  return connection;
}
