/**
 * Scheduling: when diagnostics are computed and published. Stage diagnostics are
 * published at once on every change; the general (dockerfile-utils) checks parse the
 * whole file, so they run on a debounce timer once typing pauses, and in between
 * their last result is shifted past the lines that changed (`shiftDiagnostics`) and
 * republished with the new stage diagnostics. Compose files are re-checked (and code
 * lenses refreshed) on a shared debounce when a Dockerfile or Compose input changes.
 * A new background job is one `ctx.jobs.debounce(key, delay, run)` call with its own
 * key prefix; cancel it in sync.ts when its document closes.
 */
import type { Diagnostic } from 'vscode-languageserver';
import { computeComposeDiagnostics } from '../features/compose';
import { toDiagnostic } from '../features/diagnostics';
import { generalPieces } from '../features/generalPieces';
import { diffLines } from '../model/text';
import type { ParsedDocument } from '../model/document';
import { fileTooLargeProblem } from '../model/checks';
import { refreshCodeLenses, withCompose, withSource, type ServerContext } from './context';
import { computeTargetDiagnostics } from '../features/targets';
import { DEFAULT_SETTINGS, DIAGNOSTIC_SOURCE } from '../protocol';
import { modelOf, problemsOf, type DocState } from './documents';
import { isCancelled } from './scheduler';
import type { Settings } from '../protocol';

/** Debounced background jobs by key: scheduling a key again restarts its timer. */
export class Jobs {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  debounce(key: string, delayMs: number, run: () => void): void {
    this.cancel(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        run();
      }, delayMs),
    );
  }

  cancel(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }
}

/** The job keys of scheduling.ts. */
export const JobKeys = {
  general: (uri: string) => `general:${uri}`,
  composeInputs: 'compose-inputs',
  workspaceIndex: 'workspace-index',
  registrations: 'registrations',
} as const;

/** Diagnostics of `oldLines` moved to `newLines`: those on changed lines dropped, those after them shifted. */
export function shiftDiagnostics(diagnostics: readonly Diagnostic[], oldLines: readonly string[], newLines: readonly string[]): Diagnostic[] {
  const { prefix, suffix } = diffLines(oldLines, newLines);
  const oldTail = oldLines.length - suffix;
  const delta = newLines.length - oldLines.length;
  return diagnostics.flatMap((d) => {
    if (d.range.end.line < prefix) return [d];
    if (d.range.start.line >= oldTail) {
      const { start, end } = d.range;
      return [{ ...d, range: { start: { line: start.line + delta, character: start.character }, end: { line: end.line + delta, character: end.character } } }];
    }
    return [];
  });
}

/** dockerfile-utils diagnostics of an earlier version, moved past the lines that changed since. */
function carryGeneralDiagnostics(st: DocState, parsed: ParsedDocument): void {
  if (st.dlsDiagnostics.length === 0) return;
  const lines = parsed.lines;
  if (st.dlsLines === lines) return;
  st.dlsDiagnostics = shiftDiagnostics(st.dlsDiagnostics, st.dlsLines, lines);
  st.dlsLines = lines;
}

function publish(ctx: ServerContext, st: DocState, ours: Diagnostic[]): void {
  const all = [...ours, ...(ctx.mode === 'all' ? st.dlsDiagnostics : []), ...(ctx.builds?.diagnosticsFor(st.doc.uri) ?? [])];
  if (!ctx.client.relatedInformation) for (const d of all) delete d.relatedInformation;
  void ctx.connection.sendDiagnostics({ uri: st.doc.uri, version: st.doc.version, diagnostics: all });
}

async function validateCompose(ctx: ServerContext, st: DocState): Promise<void> {
  const uri = st.doc.uri;
  const version = st.doc.version;
  const settings = await ctx.settings.get(uri);
  const diagnostics = settings.diagnostics.enable
    ? ((await withCompose(ctx, uri, (file, builds, _st, dir) => computeComposeDiagnostics(file, builds, dir, uri))) ?? [])
    : [];
  if (!ctx.client.relatedInformation) for (const d of diagnostics) delete d.relatedInformation;
  void ctx.connection.sendDiagnostics({ uri, version, diagnostics });
}

/** Bake, dev container and workflow files: their parse errors and the targets they name that no stage defines. */
async function validateSource(ctx: ServerContext, st: DocState): Promise<void> {
  const uri = st.doc.uri;
  const version = st.doc.version;
  const settings = await ctx.settings.get(uri);
  const diagnostics =
    (await withSource(ctx, uri, (file, resolve) => {
      const src = ctx.index.source(file);
      const parse = (src?.errors ?? []).map((e): Diagnostic => ({
        range: e.range,
        severity: 1 as const,
        source: DIAGNOSTIC_SOURCE,
        code: 'bake-syntax',
        message: `Bake file: ${e.message}`,
      }));
      return [...parse, ...(settings.diagnostics.enable ? computeTargetDiagnostics(ctx.index.usesIn(file), file, resolve) : [])];
    })) ?? [];
  if (!ctx.client.relatedInformation) for (const d of diagnostics) delete d.relatedInformation;
  void ctx.connection.sendDiagnostics({ uri, version, diagnostics });
}

/**
 * Publishes the diagnostics of an open document: stage ones now, general ones when typing pauses.
 * Through the scheduler: a newer change supersedes a check still waiting (stale versions are not checked).
 */
export async function validate(ctx: ServerContext, uri: string): Promise<void> {
  const st = ctx.docs.get(uri);
  if (!st) return;
  if (st.kind === 'compose') return validateCompose(ctx, st);
  if (st.kind === 'source') return validateSource(ctx, st);
  const asking = ctx.settings.wouldAsk(uri);
  const pending = ctx.settings.get(uri);
  // The model depends on the text alone: while the client answers the settings request (the
  // first validation of a document), build it, so that the parse and the round trip overlap.
  if (asking)
    ctx.scheduler
      .schedule(
        'normal',
        () => {
          if (ctx.docs.get(uri) === st) modelOf(st, DEFAULT_SETTINGS);
        },
        { key: `model:${uri}` },
      )
      .catch(() => undefined);
  const settings = await pending;
  try {
    await ctx.scheduler.schedule(
      'normal',
      () => {
        if (ctx.docs.get(uri) === st) validateNow(ctx, st, settings);
      },
      { key: `validate:${uri}` },
    );
  } catch (e) {
    if (!isCancelled(e)) ctx.log(`validation failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
}

function validateNow(ctx: ServerContext, st: DocState, settings: Settings): void {
  const uri = st.doc.uri;
  const version = st.doc.version;
  const model = modelOf(st, settings);
  if (!model) {
    st.dlsDiagnostics = [];
    void ctx.connection.sendDiagnostics({ uri, version, diagnostics: [toDiagnostic(fileTooLargeProblem(st.doc.getText().length, settings.maxFileSize), uri)] });
    return;
  }
  const ours = problemsOf(st, model, settings).map((p) => toDiagnostic(p, uri));
  if (ctx.mode === 'all') carryGeneralDiagnostics(st, model.parsed);
  publish(ctx, st, ours);
  if (ctx.mode !== 'all') return;
  // The general checks (stage by stage, unchanged stages from the last check; the first check of
  // a 25,000-line file about 1 s): run them once typing pauses.
  const delay = ctx.options.generalValidationDelay ?? Math.min(1500, 150 + Math.floor(model.text.length / 1000));
  ctx.jobs.debounce(JobKeys.general(uri), delay, () => {
    if (ctx.docs.get(uri) !== st || st.doc.version !== version) return;
    ctx.generalChecks.validate(uri, generalPieces(model)).then(
      (diagnostics) => {
        if (ctx.docs.get(uri) !== st || st.doc.version !== version) return;
        st.dlsDiagnostics = diagnostics;
        st.dlsLines = model.parsed.lines;
        publish(ctx, st, ours);
      },
      (e: unknown) => {
        if (!isCancelled(e)) ctx.log(`general checks failed: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  });
}

/** After a Dockerfile or Compose file changed: re-check open Compose files and refresh the lenses (debounced). */
export function composeInputsChanged(ctx: ServerContext): void {
  ctx.jobs.debounce(JobKeys.composeInputs, 300, () => {
    for (const st of ctx.docs.values()) if (st.kind !== 'dockerfile') void validate(ctx, st.doc.uri);
    refreshCodeLenses(ctx);
  });
}
