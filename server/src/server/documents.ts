/**
 * The document store: every open document (Dockerfile or Compose file) with the
 * caches of its current version — the StageModel (built lazily, once per version,
 * re-using the previous version's parse), its problems, the Compose parse, and the
 * general (dockerfile-utils) diagnostics of an earlier version that scheduling.ts
 * shifts and republishes. Nothing here touches the connection; a new per-document
 * cache is a new field of DocState, reset where the version changes (modelOf/composeOf).
 */
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver';
import { parseCompose, type ComposeFile } from '../workspace/compose';
import { buildModel, type StageModel } from '../model/model';
import type { UnchangedLines } from '../model/document';
import type { Problem } from '../model/checks';
import { problemsFor } from '../features/diagnostics';
import type { Settings } from '../protocol';
import { sourceKindOf } from '../workspace/sources';
import { fsPathOf, isComposeDocument, samePath } from './paths';

/** A Dockerfile, a Compose file, or another workspace file that names stages ('source': Bake, dev container, CI workflow). */
export type DocKind = 'dockerfile' | 'compose' | 'source';

export interface DocState {
  doc: TextDocument;
  /** A Compose file (by language id or file name), a Bake, dev container or workflow file, or a Dockerfile. */
  readonly kind: DocKind;
  /** Compose files: the parse of `composeVersion`. */
  compose: ComposeFile | undefined;
  composeVersion: number;
  /** Built lazily for `doc.version`. */
  model: StageModel | undefined;
  modelVersion: number;
  problems: Problem[] | undefined;
  /**
   * Lines the edits since `modelVersion` left alone (from the changes' ranges): undefined
   * when there was no edit, null when one replaced the whole text.
   */
  unchanged: UnchangedLines | null | undefined;
  /** dockerfile-utils diagnostics of `dlsLines` (an earlier version, possibly). */
  dlsDiagnostics: Diagnostic[];
  dlsLines: readonly string[];
}

export class DocumentStore {
  private readonly docs = new Map<string, DocState>();

  get(uri: string): DocState | undefined {
    return this.docs.get(uri);
  }

  /** Is no document open? */
  isEmpty(): boolean {
    return this.docs.size === 0;
  }

  values(): IterableIterator<DocState> {
    return this.docs.values();
  }

  /** Is any Compose, Bake, dev container or workflow file open? (Their diagnostics and the Dockerfile lenses read each other.) */
  anyCompose(): boolean {
    for (const d of this.docs.values()) if (d.kind !== 'dockerfile') return true;
    return false;
  }

  open(uri: string, languageId: string, version: number, text: string): DocState {
    const fp = fsPathOf(uri);
    const sk = fp ? sourceKindOf(fp) : undefined;
    const kind: DocKind = sk && sk !== 'compose' ? 'source' : isComposeDocument(uri, languageId) ? 'compose' : 'dockerfile';
    const st: DocState = {
      doc: TextDocument.create(uri, languageId, version, text),
      kind,
      compose: undefined,
      composeVersion: -1,
      model: undefined,
      modelVersion: -1,
      problems: undefined,
      unchanged: undefined,
      dlsDiagnostics: [],
      dlsLines: [],
    };
    this.docs.set(uri, st);
    return st;
  }

  change(uri: string, changes: TextDocumentContentChangeEvent[], version: number): DocState | undefined {
    const st = this.docs.get(uri);
    if (!st) return st;
    st.unchanged = unchangedLines(st.unchanged, st.doc.lineCount, changes);
    st.doc = TextDocument.update(st.doc, changes, version);
    return st;
  }

  close(uri: string): DocState | undefined {
    const st = this.docs.get(uri);
    this.docs.delete(uri);
    return st;
  }

  /** An open document by file-system path. */
  openAt(p: string): DocState | undefined {
    for (const st of this.docs.values()) {
      const q = fsPathOf(st.doc.uri);
      if (q && samePath(p, q)) return st;
    }
    return undefined;
  }

  /** Forget the problems of every document (the settings that filter them changed). */
  invalidateProblems(): void {
    for (const st of this.docs.values()) st.problems = undefined;
  }
}

const lineBreaks = (s: string): number => (s.match(/\r\n|\r|\n/g) ?? []).length;

/**
 * The lines a series of changes left alone at the top and at the bottom, added to what
 * earlier changes left (`acc`). An edit of lines a..b keeps the a lines above it and the
 * lines below b; later edits can only shrink both counts.
 */
export function unchangedLines(
  acc: UnchangedLines | null | undefined,
  lineCount: number,
  changes: readonly TextDocumentContentChangeEvent[],
): UnchangedLines | null {
  let lines = lineCount;
  let out: UnchangedLines | null = acc === undefined ? { prefix: Number.MAX_SAFE_INTEGER, suffix: Number.MAX_SAFE_INTEGER } : acc;
  for (const c of changes) {
    if (!('range' in c)) {
      out = null;
      lines = lineBreaks(c.text) + 1;
      continue;
    }
    const a = Math.max(0, c.range.start.line);
    const b = Math.max(a, c.range.end.line);
    if (out) out = { prefix: Math.min(out.prefix, a), suffix: Math.min(out.suffix, Math.max(0, lines - b - 1)) };
    lines = Math.max(1, lines - (Math.min(b, lines - 1) - Math.min(a, lines - 1)) + lineBreaks(c.text));
  }
  return out;
}

/** The model of the document's current version, built once per version; undefined when the file is too large. */
export function modelOf(st: DocState, settings: Settings): StageModel | undefined {
  const text = st.doc.getText();
  if (text.length > settings.maxFileSize) {
    // (a model built before the settings were known, with the default limit, is dropped)
    st.model = undefined;
    return undefined;
  }
  if (!st.model || st.modelVersion !== st.doc.version) {
    st.model = buildModel(text, st.model, st.unchanged ?? undefined);
    st.unchanged = undefined;
    st.modelVersion = st.doc.version;
    st.problems = undefined;
  }
  return st.model;
}

/** The stage problems of the model's version, computed once. */
export function problemsOf(st: DocState, model: StageModel, settings: Settings): Problem[] {
  if (!st.problems) st.problems = problemsFor(model, settings);
  return st.problems;
}

/** The Compose parse of the document's current version, built once per version. */
export function composeOf(st: DocState): ComposeFile {
  if (!st.compose || st.composeVersion !== st.doc.version) {
    st.compose = parseCompose(st.doc.getText());
    st.composeVersion = st.doc.version;
  }
  return st.compose;
}
