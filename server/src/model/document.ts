/**
 * Parses a document in chunks of whole stages and, for a new version of the
 * same document, re-parses only the stages an edit touched.
 *
 * Why: a keystroke touches one stage, and even our own scanner (scan.ts) needs
 * tens of milliseconds for a 25,000-line Dockerfile (dockerfile-ast, which we
 * used before, half a second). Chunk boundaries always come from a real scan,
 * never from a guess: a boundary is a FROM line that our scanner, which follows
 * BuildKit's rules and is checked against dockerfile-ast by
 * test/unit/scan.test.ts, saw start an instruction. A re-parsed region is
 * checked at both ends (does it still start with FROM, does it end with no open
 * continuation or heredoc) and grown until it does, so the result equals a full
 * parse.
 */
import { parseChunk, shiftChunk, type ChunkSyntax, type StageSyntax, type Token } from './syntax';
import { defined, diffLines, lineStarts, neutraliseBom, splitLines } from './text';

export interface ParsedDocument {
  /** The analysed text (a leading BOM replaced by a space). */
  readonly text: string;
  /** The text of each line (split when first read: opening a file does not need them). */
  readonly lines: readonly string[];
  readonly lineStarts: readonly number[];
  readonly escapeChar: string;
  /** Chunk 0 holds what stands before the first FROM; every other chunk holds one stage. */
  readonly chunks: readonly ChunkSyntax[];
  /** How many lines were parsed to make this version (for tests and the benchmark). */
  readonly parsedLines: number;
}

function sliceLines(text: string, starts: readonly number[], from: number, to: number): string {
  const a = starts[from] ?? text.length;
  const b = starts[to] ?? text.length;
  return text.slice(a, b);
}

/** Splits a parsed region into one chunk per stage (plus the prelude when `first`). */
function splitRegion(region: ChunkSyntax, first: boolean): ChunkSyntax[] {
  const end = region.startLine + region.lineCount;
  const out: ChunkSyntax[] = [];
  const fromLines = region.stages.map((s) => s.from.range.start.line);
  // The comments are in order: each chunk takes the next run of them (linear, not one filter per stage).
  let next = 0;
  const comments = (a: number, b: number): Token[] => {
    while (next < region.comments.length && (region.comments[next]?.range.start.line ?? b) < a) next++;
    const from = next;
    while (next < region.comments.length && (region.comments[next]?.range.start.line ?? b) < b) next++;
    return region.comments.slice(from, next);
  };
  if (first) {
    const preludeEnd = fromLines[0] ?? end;
    out.push({
      startLine: region.startLine,
      lineCount: preludeEnd - region.startLine,
      prelude: region.prelude,
      stages: [],
      comments: comments(region.startLine, preludeEnd),
      unterminated: region.stages.length === 0 && region.unterminated,
      startsWithFrom: false,
    });
  }
  region.stages.forEach((s: StageSyntax, i) => {
    const a = i === 0 && !first ? region.startLine : s.from.range.start.line;
    const b = fromLines[i + 1] ?? end;
    out.push({
      startLine: a,
      lineCount: b - a,
      prelude: undefined,
      stages: [s],
      comments: comments(a, b),
      unterminated: i === region.stages.length - 1 && region.unterminated,
      startsWithFrom: true,
    });
  });
  return out;
}

/** A parsed document whose `lines` are `lines`, or are split from the text when first read. */
function documentOf(fields: Omit<ParsedDocument, 'lines'>, lines: readonly string[] | undefined): ParsedDocument {
  let split = lines;
  const text = fields.text;
  return {
    ...fields,
    get lines(): readonly string[] {
      return (split ??= splitLines(text));
    },
  };
}

function fullParse(text: string, lines: readonly string[] | undefined, starts: number[]): ParsedDocument {
  const region = parseChunk(text, 0, starts.length, '\\', true, starts);
  const chunks = splitRegion(region, true);
  return documentOf({ text, lineStarts: starts, escapeChar: region.prelude?.escapeChar ?? '\\', chunks, parsedLines: starts.length }, lines);
}

/**
 * What an editor says an edit left alone: the first `prefix` and the last `suffix` lines
 * are the same in both versions (the server reads it from the ranges of incremental
 * changes). It spares comparing every line of the two versions.
 */
export interface UnchangedLines {
  readonly prefix: number;
  readonly suffix: number;
}

/**
 * The lines of `text`, re-using the previous version's lines outside the edit: only the
 * changed lines are split. Undefined when the hint does not fit the texts (then the caller
 * splits and compares everything).
 */
export function relines(
  previous: ParsedDocument,
  text: string,
  hint: UnchangedLines,
): { lines: string[]; starts: number[]; prefix: number; suffix: number } | undefined {
  const oldCount = previous.lines.length;
  // One line of margin on each side: an edit next to a lone CR may join it to an LF.
  const prefix = Math.max(0, Math.min(hint.prefix - 1, oldCount));
  const suffix = Math.max(0, Math.min(hint.suffix - 1, oldCount - prefix - 1));
  const startOffset = previous.lineStarts[prefix];
  const oldTail = suffix > 0 ? previous.lineStarts[oldCount - suffix] : previous.text.length;
  if (startOffset === undefined || oldTail === undefined) return undefined;
  const delta = text.length - previous.text.length;
  const endOffset = oldTail + delta;
  // The hint saves splitting and comparing lines, never correctness: the unchanged head and
  // tail are compared as strings (a memcmp), and a CR LF pair must not straddle either seam.
  if (endOffset < startOffset) return undefined;
  if (text.slice(0, startOffset) !== previous.text.slice(0, startOffset)) return undefined;
  if (suffix > 0 && text.slice(endOffset) !== previous.text.slice(oldTail)) return undefined;
  const crlfAt = (o: number): boolean => text.charCodeAt(o - 1) === 13 && text.charCodeAt(o) === 10;
  if (crlfAt(startOffset) || (suffix > 0 && crlfAt(endOffset))) return undefined;
  const middle = text.slice(startOffset, endOffset);
  const middleLines = splitLines(middle);
  const middleStarts = lineStarts(middle);
  if (suffix > 0) {
    // The middle ends with the terminator of the line before the unchanged tail.
    if (middleLines.pop() !== '') return undefined;
    middleStarts.pop();
  }
  const lines = previous.lines.slice(0, prefix);
  for (const l of middleLines) lines.push(l);
  for (let i = oldCount - suffix; i < oldCount; i++) lines.push(defined(previous.lines[i], 'unchanged line'));
  const starts = previous.lineStarts.slice(0, prefix);
  for (const o of middleStarts) starts.push(o + startOffset);
  for (let i = oldCount - suffix; i < oldCount; i++) starts.push(defined(previous.lineStarts[i], 'unchanged line start') + delta);
  return { lines, starts, prefix, suffix };
}

/** Index of the chunk that holds `line` (the last chunk for lines past the end). */
function chunkAt(chunks: readonly ChunkSyntax[], line: number): number {
  let lo = 0;
  let hi = chunks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (defined(chunks[mid], 'chunk inside the search range').startLine <= line) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Parses `rawText`. With `previous` (an earlier version of the same document),
 * only the chunks the change touched are parsed again.
 */
export function parseDocument(rawText: string, previous?: ParsedDocument, unchanged?: UnchangedLines): ParsedDocument {
  const text = neutraliseBom(rawText);
  if (!previous || previous.chunks.length < 2) return fullParse(text, undefined, lineStarts(text));
  const hinted = unchanged && relines(previous, text, unchanged);
  const lines = hinted ? hinted.lines : splitLines(text);
  const starts = hinted ? hinted.starts : lineStarts(text);
  if (!hinted && previous.text === text) return previous;
  const { prefix, suffix } = hinted ?? diffLines(previous.lines, lines);
  const delta = lines.length - previous.lines.length;
  const chunks = previous.chunks;
  const lastOldChanged = Math.max(prefix, previous.lines.length - suffix - 1);
  let a = chunkAt(chunks, prefix);
  let b = chunkAt(chunks, lastOldChanged);
  // A change in the prelude may change the escape directive or global ARGs: parse it all.
  if (a === 0) return fullParse(text, lines, starts);
  for (;;) {
    const first = defined(chunks[a], 'first re-parsed chunk');
    const lastChunk = defined(chunks[b], 'last re-parsed chunk');
    const start = first.startLine;
    const endOld = lastChunk.startLine + lastChunk.lineCount;
    const endNew = endOld + delta;
    if (endNew < start) return fullParse(text, lines, starts);
    const region = parseChunk(sliceLines(text, starts, start, endNew), start, endNew - start, previous.escapeChar, false);
    // Grow the region geometrically, so that a change that swallows many stages
    // (an opened heredoc) costs at most about twice a parse of what it swallows.
    if (!region.startsWithFrom) {
      // The stage lost its FROM (or all its instructions): what is left belongs to the stage before.
      a = Math.max(0, a - (b - a + 1));
      if (a === 0) return fullParse(text, lines, starts);
      continue;
    }
    if (region.unterminated && b < chunks.length - 1) {
      b = Math.min(chunks.length - 1, b + (b - a + 1));
      continue;
    }
    const before = chunks.slice(0, a);
    const after = chunks.slice(b + 1).map((c) => shiftChunk(c, delta));
    return documentOf(
      {
        text,
        lineStarts: starts,
        escapeChar: previous.escapeChar,
        chunks: [...before, ...splitRegion(region, false), ...after],
        parsedLines: endNew - start,
      },
      lines,
    );
  }
}
