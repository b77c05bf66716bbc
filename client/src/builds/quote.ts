/** Moved to server/src/builds/quote.ts (shared by the VS Code client and the language server). */
export * from '../../../server/src/builds/quote';
