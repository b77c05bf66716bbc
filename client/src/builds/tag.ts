/** Moved to server/src/builds/tag.ts (shared by the VS Code client and the language server). */
export * from '../../../server/src/builds/tag';
