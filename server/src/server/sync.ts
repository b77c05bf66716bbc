/**
 * Notifications that change the server's state: document open/change/close, a
 * configuration change, and watched files on disk. Each updates the stores and
 * hands the rest to scheduling.ts. A new watched-file kind is one entry of
 * `WATCHED_FILES` (the client's file watcher is in client/src/extension.ts: widen
 * its glob too).
 */
import type { FileEvent } from 'vscode-languageserver';
import type { ServerContext } from './context';
import { refreshCodeLenses } from './context';
import { composeInputsChanged, JobKeys, validate } from './scheduling';
import { fsPathOf } from './paths';

/** What to do when a file the client watches changes on disk. */
interface WatchedFileKind {
  readonly name: string;
  readonly matches: (event: FileEvent) => boolean;
  readonly changed: (ctx: ServerContext, events: readonly FileEvent[]) => void;
}

/**
 * The watched-file table. The client watches Dockerfiles, Compose, Bake, dev container and
 * workflow files: the workspace index re-reads the files that changed, and all of them are
 * inputs of the Compose/Bake diagnostics and the Dockerfile lenses.
 */
export const WATCHED_FILES: readonly WatchedFileKind[] = [
  {
    name: 'workspace index',
    matches: () => true,
    changed: (ctx, events) => {
      for (const c of events) {
        const p = fsPathOf(c.uri);
        if (p) ctx.index.fileChanged(p, c.type === 3);
      }
    },
  },
  {
    name: 'dockerfiles and compose files',
    matches: () => true,
    changed: (ctx) => {
      composeInputsChanged(ctx);
    },
  },
];

export function registerSync(ctx: ServerContext): void {
  const { connection, docs } = ctx;
  connection.onDidOpenTextDocument(({ textDocument: t }) => {
    const st = docs.open(t.uri, t.languageId, t.version, t.text);
    const fp = fsPathOf(t.uri);
    if (fp && st.kind !== 'dockerfile') ctx.index.setOpenText(fp, t.text);
    void validate(ctx, t.uri);
  });
  connection.onDidChangeTextDocument(({ textDocument: t, contentChanges }) => {
    const st = docs.change(t.uri, contentChanges, t.version);
    if (!st) return;
    const fp = fsPathOf(t.uri);
    if (fp && st.kind !== 'dockerfile') ctx.index.setOpenText(fp, st.doc.getText());
    void validate(ctx, t.uri);
    // Compose files read this Dockerfile; Dockerfile lenses read the Compose files.
    if (st.kind !== 'dockerfile' || docs.anyCompose()) composeInputsChanged(ctx);
  });
  connection.onDidCloseTextDocument(({ textDocument: t }) => {
    ctx.jobs.cancel(JobKeys.general(t.uri));
    ctx.generalChecks.forget(t.uri);
    const st = docs.close(t.uri);
    const fp = fsPathOf(t.uri);
    if (fp && st && st.kind !== 'dockerfile') ctx.index.setOpenText(fp, undefined);
    ctx.settings.forget(t.uri);
    void connection.sendDiagnostics({ uri: t.uri, diagnostics: [] });
    if ((st && st.kind !== 'dockerfile') || docs.anyCompose()) composeInputsChanged(ctx);
  });
  connection.onDidChangeConfiguration(() => {
    ctx.settings.clear();
    docs.invalidateProblems();
    for (const st of docs.values()) void validate(ctx, st.doc.uri);
    void connection.languages.inlayHint.refresh().catch(() => undefined);
    refreshCodeLenses(ctx);
  });
  connection.onDidChangeWatchedFiles(({ changes }) => {
    for (const kind of WATCHED_FILES) {
      const events = changes.filter(kind.matches);
      if (events.length > 0) kind.changed(ctx, events);
    }
  });
}
