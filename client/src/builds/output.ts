/** Moved to server/src/builds/output.ts (shared by the VS Code client and the language server). */
export * from '../../../server/src/builds/output';
