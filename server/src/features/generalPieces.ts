/**
 * The general (dockerfile-utils) checks of a file, one stage at a time. dockerfile-utils
 * parses the whole text it is given; at 25,000 lines that is about a second and 30 MB of
 * AST, on every change. Its checks are local to an instruction and its stage, with the
 * lines before the first FROM (directives, global ARGs) as context; its one check across
 * stages (a duplicate stage name) is replaced by ours (`REPLACED_CODES` in dls.ts). So each
 * stage is checked as its own small text, the prelude followed by the stage, and a stage
 * whose text did not change keeps its answer (`GeneralPieceCache`).
 * test/unit/general-pieces.test.ts checks that the diagnostics equal a whole-file check on
 * every fixture, generated files and random text.
 */
import type { Diagnostic } from 'vscode-languageserver';
import type { StageModel } from '../model/model';

/** One text to check, and which of its diagnostics belong to the document where. */
export interface GeneralPiece {
  readonly text: string;
  /** The piece's first `head` lines are the document's first `head` lines (the prelude, and maybe a blank line after it)... */
  readonly head: number;
  /** ...and its later lines are the document's lines from `from` on. */
  readonly from: number;
  /** Only diagnostics that start on the document's lines [keepFrom, keepTo) are kept from this piece. */
  readonly keepFrom: number;
  readonly keepTo: number;
}

/** The comment that makes dockerfile-utils skip the next line's problems. */
const IGNORE = /^\s*#\s*dockerfile-utils: ignore\s*$/;

/**
 * The pieces to check for `model`: the prelude with the first stage (once for the prelude's
 * lines, once for the stage's), then each later stage after the prelude. One piece, the whole
 * text, when splitting could change an answer or would not pay: no stage, a lone CR line end
 * (which dockerfile-ast may count otherwise than we do), or a prelude so long that repeating it
 * costs more than the file.
 */
export function generalPieces(model: StageModel): GeneralPiece[] {
  const text = model.text;
  const lines = model.parsed.lines;
  const starts = model.parsed.lineStarts;
  const whole: GeneralPiece[] = [{ text, head: 0, from: 0, keepFrom: 0, keepTo: Number.MAX_SAFE_INTEGER }];
  const stages = model.stages;
  const first = stages[0];
  if (!first || /\r(?!\n)/.test(text)) return whole;
  const head = first.range.start.line;
  if (stages.length < 2 || head * stages.length > 2 * lines.length) return whole;
  const at = (line: number): number => starts[line] ?? text.length;
  // A prelude that ends in an ignore comment would hide the problems of every stage's FROM: a
  // blank line after it keeps the comment to the first stage, as in the whole file.
  const prelude = text.slice(0, at(head)) + (IGNORE.test(lines[head - 1] ?? '') ? '\n' : '');
  const preludeLines = prelude.length > at(head) ? head + 1 : head;
  const out: GeneralPiece[] = [];
  stages.forEach((s, i) => {
    const a = s.range.start.line;
    const b = stages[i + 1]?.range.start.line ?? lines.length;
    if (i === 0) {
      // The prelude and the first stage are one contiguous text: checked once, kept in two parts.
      const t = text.slice(0, at(b));
      if (head > 0) out.push({ text: t, head: 0, from: 0, keepFrom: 0, keepTo: head });
      out.push({ text: t, head: 0, from: 0, keepFrom: a, keepTo: b });
      return;
    }
    // An ignore comment right above the FROM applies to it: keep it with the stage.
    const from = a > head && IGNORE.test(lines[a - 1] ?? '') ? a - 1 : a;
    out.push({ text: prelude + text.slice(at(from), at(b)), head: preludeLines, from, keepFrom: a, keepTo: b });
  });
  return out;
}

/** A piece's diagnostics (in the piece's lines) on the document's lines, those it keeps. */
export function placeDiagnostics(piece: GeneralPiece, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const line = (l: number): number => (l < piece.head ? l : piece.from + (l - piece.head));
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const start = line(d.range.start.line);
    if (start < piece.keepFrom || start >= piece.keepTo) continue;
    const moved = start - d.range.start.line;
    if (moved === 0) {
      out.push(d);
      continue;
    }
    const placed: Diagnostic & { instructionLine?: unknown } = {
      ...d,
      range: { start: { line: start, character: d.range.start.character }, end: { line: d.range.end.line + moved, character: d.range.end.character } },
    };
    // dockerfile-utils adds the line of the problem's instruction (null for a file-wide problem).
    if (typeof placed.instructionLine === 'number') placed.instructionLine = line(placed.instructionLine);
    out.push(placed);
  }
  return out;
}

/**
 * The answers of the last check of each document, by piece text: a change re-checks only the
 * pieces whose text changed (on a keystroke, one stage), and forgets the rest.
 */
export class GeneralPieceCache {
  private readonly byKey = new Map<string, Map<string, readonly Diagnostic[]>>();

  constructor(private readonly check: (text: string) => readonly Diagnostic[]) {}

  validate(key: string, pieces: readonly GeneralPiece[]): Diagnostic[] {
    const old = this.byKey.get(key);
    const now = new Map<string, readonly Diagnostic[]>();
    const out: Diagnostic[] = [];
    for (const p of pieces) {
      let raw = now.get(p.text) ?? old?.get(p.text);
      if (raw === undefined) raw = this.check(p.text);
      now.set(p.text, raw);
      out.push(...placeDiagnostics(p, raw));
    }
    this.byKey.set(key, now);
    return out;
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }
}
