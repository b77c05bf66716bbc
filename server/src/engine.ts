/**
 * dist/server-engine.js: everything of the language server but its start-up. main.ts answers
 * `initialize` from the start-up bundle (dist/server-main.js: vscode-languageserver and the
 * handshake) and then loads this bundle, with its own V8 code cache (bundle.ts), in the turn
 * before the client's next message; its `vscode-languageserver` is the start-up bundle's.
 */
export { startServer } from './server/server';
export type { ServerOptions } from './server/server';
