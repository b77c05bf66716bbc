/** Plain text helpers shared by the analysis: lines, ranges, a line diff. Pure. */
import type { Position, Range } from 'vscode-languageserver-types';
import type { HeredocSyntax } from './syntax';

/** Offsets at which each line starts; a trailing empty line after the last newline counts. */
export function lineStarts(text: string): number[] {
  // The engine's own search, not a loop over characters: this runs on every open of a file.
  if (!text.includes('\r')) {
    // Counted first, then filled: an array grown by `push` to 25,000 lines is copied a dozen
    // times on the way, into memory the process has not touched yet (the costly part of an open).
    let n = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
    const filled = new Array<number>(n).fill(0);
    let k = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) filled[k++] = i + 1;
    return filled;
  }
  const starts = [0];
  const breaks = /\r\n?|\n/g;
  while (breaks.exec(text) !== null) starts.push(breaks.lastIndex);
  return starts;
}

/** The line that holds `offset`, given the offsets at which lines start (binary search). */
export function lineAtOffset(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The text of each line without its terminator. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** Replaces a leading byte-order mark with a space, so that columns stay where the editor has them. */
export function neutraliseBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
}

export function range(sl: number, sc: number, el: number, ec: number): Range {
  return { start: { line: sl, character: sc }, end: { line: el, character: ec } };
}

export function shiftRange(r: Range, lines: number): Range {
  if (lines === 0) return r;
  return { start: { line: r.start.line + lines, character: r.start.character }, end: { line: r.end.line + lines, character: r.end.character } };
}

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

/** Inclusive of both ends, as an editor cursor touching a word's end still "is on" the word. */
export function rangeContains(r: Range, p: Position): boolean {
  return comparePositions(r.start, p) <= 0 && comparePositions(p, r.end) <= 0;
}

export function rangesOverlap(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.end) <= 0 && comparePositions(b.start, a.end) <= 0;
}

export interface LineDiff {
  /** Lines equal at the start of both versions. */
  readonly prefix: number;
  /** Lines equal at the end of both versions (not overlapping the prefix). */
  readonly suffix: number;
}

/** The common prefix and suffix, in lines, of two versions of a document. */
export function diffLines(before: readonly string[], after: readonly string[]): LineDiff {
  const max = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < max && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  return { prefix, suffix };
}

/** Levenshtein distance, bounded: returns `limit + 1` as soon as the distance exceeds `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length] ?? limit + 1;
}

const CONTINUATION = new Map<string, RegExp>();

/**
 * BuildKit's line-continuation test (frontend/dockerfile/parser/parser.go, setEscapeToken):
 * `([^E])E[ \t]*$|^E[ \t]*$` for the escape token E. The token is the last character
 * but spaces and tabs, and not itself escaped (`foo \\` is no continuation), or it is
 * the whole line.
 */
function continuationRegex(escape: string): RegExp {
  let re = CONTINUATION.get(escape);
  if (!re) {
    const e = escape.replace(/[\\^$.*+?()[\]{}|`]/g, '\\$&');
    re = new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
    CONTINUATION.set(escape, re);
  }
  return re;
}

/** Does the line continue on the next one (BuildKit's rule)? */
export function isContinuationLine(line: string, escape: string): boolean {
  return continuationRegex(escape).test(line);
}

/** The line without its continuation token (and the blanks after it), or undefined when it does not continue. */
export function trimContinuation(line: string, escape: string): string | undefined {
  const re = continuationRegex(escape);
  return re.test(line) ? line.replace(re, '$1') : undefined;
}

export interface JoinedInstruction {
  /** The logical line as BuildKit reads it: continuation tokens removed, lines concatenated as they are, comment and blank lines inside dropped. */
  readonly line: string;
  /** The heredoc bodies' lines, in order (delimiter lines dropped). */
  readonly heredocLines: readonly string[];
}

/**
 * The one continuation joiner, after BuildKit's parser (parser.go Parse): a line that
 * continues (`isContinuationLine`) is joined to the next without a separator; comment
 * lines and blank lines inside the continuation are skipped; the lines after the
 * logical line ends are heredoc bodies (never joined, comments kept).
 * `lines` are the document's lines; the instruction runs from `start` to `end`.
 */
export function joinInstruction(
  lines: readonly string[],
  start: Position,
  end: Position,
  escape: string,
  heredocs: readonly HeredocSyntax[] = [],
): JoinedInstruction {
  const body = new Set<number>();
  const delimiters = new Set<number>();
  for (const h of heredocs) {
    if (h.contentRange) for (let l = h.contentRange.start.line; l <= h.contentRange.end.line; l++) body.add(l);
    if (h.delimiterRange) delimiters.add(h.delimiterRange.start.line);
  }
  let line = '';
  const heredocLines: string[] = [];
  let continued = true;
  for (let l = start.line; l <= end.line; l++) {
    let t = lines[l] ?? '';
    if (l === end.line) t = t.slice(0, end.character);
    if (l === start.line) t = t.slice(start.character);
    else if (delimiters.has(l)) continue;
    else if (body.has(l) || !continued) {
      heredocLines.push(t);
      continue;
    } else if (/^[ \t]*(#|$)/.test(t)) continue;
    const trimmed = trimContinuation(t, escape);
    continued = trimmed !== undefined;
    line += trimmed ?? t;
  }
  return { line, heredocLines };
}

/**
 * A value that must be there by construction (an index inside its bounds, a stage a reference
 * resolved to): the checked form of a cast. Throws, naming `what`, when the invariant is broken;
 * request handlers catch and log it (server/context.ts), so it is a loud bug, never a silent undefined.
 */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`internal: ${what} is missing`);
  return value;
}
