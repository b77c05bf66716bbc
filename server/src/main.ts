/**
 * dockerfile-stages-langserver: the language server over stdio (`--stdio`),
 * Node IPC (`--node-ipc`) or a socket (`--socket=<port>`).
 */
import { createConnection } from 'vscode-languageserver/node';
import { startServer } from './server/server';

const argv = process.argv.slice(2);
if (argv.includes('--version') || argv.includes('-v')) {
  process.stdout.write('dockerfile-stages-langserver 0.1.0\n');
  process.exitCode = 0;
} else if (!argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe='))) {
  process.stderr.write(
    'Usage: dockerfile-stages-langserver --stdio | --node-ipc | --socket=<port>\n' +
      'A language server for multi-stage Dockerfiles (LSP 3.17). Example (Neovim):\n' +
      "  vim.lsp.start({ name = 'dockerfile-stages', cmd = { 'dockerfile-stages-langserver', '--stdio' } })\n",
  );
  process.exitCode = argv.includes('--help') || argv.includes('-h') ? 0 : 2;
} else {
  startServer(createConnection());
}
