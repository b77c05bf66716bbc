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
  /** dockerfile-utils diagnostics of `dlsLines` (an earlier version, possibly). */
  dlsDiagnostics: Diagnostic[];
  dlsLines: readonly string[];
}

export class DocumentStore {
  private readonly docs = new Map<string, DocState>();

  get(uri: string): DocState | undefined {
    return this.docs.get(uri);
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
      dlsDiagnostics: [],
      dlsLines: [],
    };
    this.docs.set(uri, st);
    return st;
  }

  change(uri: string, changes: TextDocumentContentChangeEvent[], version: number): DocState | undefined {
    const st = this.docs.get(uri);
    if (st) st.doc = TextDocument.update(st.doc, changes, version);
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

/** The model of the document's current version, built once per version; undefined when the file is too large. */
export function modelOf(st: DocState, settings: Settings): StageModel | undefined {
  const text = st.doc.getText();
  if (text.length > settings.maxFileSize) return undefined;
  if (!st.model || st.modelVersion !== st.doc.version) {
    st.model = buildModel(text, st.model);
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
