/**
 * Heredocs of one scanned instruction (scan.ts): each heredoc's name, body and closing
 * delimiter, as the stage model was written to expect them (dockerfile-ast 0.7.1, checked by
 * test/unit/scan.test.ts). Where the instruction ends was decided by the scanner (scan.ts,
 * `heredocBodies`); here its lines are matched with the heredocs its first logical line
 * declares, in order. Where they do not match (more delimiter lines than heredocs) the
 * instruction reports no heredocs. On malformed bodies this reads as dockerfile-ast does, not
 * as BuildKit would: an escape character in a body line hides the line break after it, and a
 * body line's text starts at its first character, blank or not.
 */
import type { Range } from 'vscode-languageserver-types';
import type { HeredocSyntax } from './syntax';
import { CR, HASH, LF, SPACE, TAB, heredocName, isBreak, type Source, type Word } from './scanWords';

const DQUOTE = 34;
const SQUOTE = 39;
const DASH = 45;
const LT = 60;

/** A declared heredoc could not be matched with its body: the instruction reports none. */
class Inconsistent extends Error {}

/**
 * The heredocs declared by `args` (the instruction's arguments after its flags) of the
 * instruction [start, end). One line: every `<<` word, unclosed. More lines: the words
 * `<<…` of the first logical line, matched in order with the delimiter lines that follow.
 */
export function heredocsOf(src: Source, args: readonly Word[], start: number, end: number): HeredocSyntax[] {
  if (!args.some((a) => a.text.startsWith('<<'))) return [];
  const first = args[0];
  if (first === undefined) return [];
  if (src.lineOf(start) === src.lineOf(end)) return unclosed(src, args);
  try {
    return closed(src, args, first, end);
  } catch (e) {
    if (e instanceof Inconsistent) return [];
    throw e;
  }
}

function unclosed(src: Source, args: readonly Word[]): HeredocSyntax[] {
  return args
    .filter((a) => a.text.startsWith('<<') && heredocName(a.text) !== null)
    .map((a) => ({ name: nameOf(src, a), contentRange: null, delimiterRange: null }));
}

/** Scanning state of `closed` (offsets relative to the first argument). */
interface Scan {
  /** The heredoc words of the first logical line. */
  readonly defs: Word[];
  /** The heredoc whose body is being read. */
  current: number;
  /** Where the current body started, and the last line break in it. */
  contentStart: number;
  contentEnd: number;
  /** The first character of the current line. */
  lineStart: number;
  /** Past the first logical line. */
  processed: boolean;
  /** The name of heredoc `named` (read once, not on every body line). */
  named: number;
  name: string;
}

function currentName(src: Source, s: Scan): string {
  if (s.named !== s.current) {
    s.name = nameOf(src, definition(s));
    s.named = s.current;
  }
  return s.name;
}

function closed(src: Source, args: readonly Word[], first: Word, end: number): HeredocSyntax[] {
  const so = src.norm(first.start);
  const n = src.norm(end) - so;
  const endPos = src.pos(end);
  const out: HeredocSyntax[] = [];
  const s: Scan = { defs: [], current: 0, contentStart: -1, contentEnd: -1, lineStart: -1, processed: false, named: -1, name: '' };
  let escaping = false;
  const lastLF = lastLineFeed(src, so, so + n) - so;
  const nextBreak = (k: number): number => {
    if (k >= lastLF) return -1;
    let j = k + 1;
    while (src.code(so + j) !== LF) j++;
    return j;
  };
  for (let k = 0; k < n; k++) {
    const c = src.code(so + k);
    if (c === src.esc && src.isEscape(so + k)) {
      escaping = true;
      let j = k + 1;
      while (j < n && (src.code(so + j) === SPACE || src.code(so + j) === TAB)) j++;
      if (j < n) k = src.code(so + j) === CR ? j + 1 : j;
      continue;
    }
    if (c === CR) continue;
    if (c === LF) {
      if (escaping) continue;
      if (!s.processed) {
        // The first line break that ends the instruction's line: its `<<` words are the heredocs.
        for (let x = 0; x < args.length; x++) {
          const a = args[x];
          if (a === undefined || src.norm(a.start) >= so + k) break;
          if (a.text.startsWith('<<')) s.defs.push(a);
        }
        s.processed = true;
        s.lineStart = -1;
        continue;
      }
      if (s.contentStart === -1) s.contentStart = k;
      s.contentEnd = k;
      const def = definition(s);
      const name = currentName(src, s);
      const delimiter = delimiterOf(src, def, name, so + s.lineStart, so + k, src.pos(so + k));
      if (delimiter !== null) {
        out.push({ name, contentRange: { start: src.pos(so + s.contentStart), end: src.pos(so + s.lineStart - 1) }, delimiterRange: delimiter });
        s.contentStart = -1;
        s.current++;
      }
      s.lineStart = -1;
      continue;
    }
    if (escaping && (c === SPACE || c === TAB)) continue;
    if (c === HASH && escaping) {
      const j = nextBreak(k);
      if (j !== -1) {
        k = j;
        continue;
      }
    }
    escaping = false;
    if (s.processed) {
      if (s.contentStart === -1) s.contentStart = k;
      if (s.lineStart === -1) s.lineStart = k;
    }
    // Up to the next line break or escape character, every character would take this path again
    // and change nothing: skip the run (found by the engine's matcher, not a turn per character).
    k = Math.min(src.lineRunEnd(so + k + 1), so + n) - so - 1;
  }
  if (!s.processed) return unclosed(src, args);
  const def = definition(s);
  const name = currentName(src, s);
  const delimiter = delimiterOf(src, def, name, so + s.lineStart, end, endPos);
  let content: Range | null = null;
  if (delimiter === null) content = { start: src.pos(so + s.contentStart), end: endPos };
  else if (s.contentEnd !== -1) content = { start: src.pos(so + s.contentStart), end: src.pos(so + s.contentEnd) };
  out.push({ name, contentRange: content, delimiterRange: delimiter });
  // Heredocs declared beyond the last delimiter line are unclosed.
  for (s.current++; s.current < s.defs.length; s.current++) out.push({ name: nameOf(src, definition(s)), contentRange: null, delimiterRange: null });
  return out;
}

function definition(s: Scan): Word {
  const d = s.defs[s.current];
  if (d === undefined) throw new Inconsistent();
  return d;
}

/** The delimiter line [a, b) closes the heredoc `def` named `name` (after leading tabs for `<<-`). */
function delimiterOf(src: Source, def: Word, name: string, a: number, b: number, endPos: Range['end']): Range | null {
  const from = src.norm(a);
  const to = src.norm(b);
  if (def.text.startsWith('<<-')) {
    let i = Math.min(from, to);
    while (i < Math.max(from, to) && src.code(i) === TAB) i++;
    const tabs = i - Math.min(from, to);
    if (!equalsAt(src, i, Math.max(from, to), name)) return null;
    return { start: { line: src.pos(a).line, character: tabs }, end: endPos };
  }
  return equalsAt(src, Math.min(from, to), Math.max(from, to), name) ? { start: src.pos(a), end: endPos } : null;
}

function equalsAt(src: Source, a: number, b: number, name: string): boolean {
  return b - a === name.length && src.text.startsWith(name, a);
}

/** The heredoc's name as written in its word: quotes, `<<`, `-` and escapes removed. */
export function nameOf(src: Source, w: Word): string {
  const [a, b] = nameRange(src, w);
  const written = src.text.slice(a, b);
  if (!written.includes(src.escChar)) return written;
  const lastLF = lastLineFeed(src, a, b);
  let name = '';
  let escaping = false;
  for (let k = a; k < b; k++) {
    const c = src.code(k);
    if (c === src.esc && src.isEscape(k)) {
      escaping = true;
      let j = k + 1;
      while (j < b && (src.code(j) === SPACE || src.code(j) === TAB)) j++;
      if (j >= b) continue;
      const d = src.code(j);
      if (d === CR) k = j + 1;
      else if (d === LF) k = j;
      else {
        name += src.text[j] ?? '';
        k = j;
      }
      continue;
    }
    if (c === HASH && escaping && k < lastLF) {
      while (src.code(k) !== LF) k++;
      continue;
    }
    if (escaping && (c === SPACE || c === TAB || isBreak(c) || c === HASH)) continue;
    name += src.text[k] ?? '';
  }
  return name;
}

/** Offsets of the name inside a heredoc word. */
function nameRange(src: Source, w: Word): [number, number] {
  const a = src.norm(w.start);
  const b = src.norm(w.end);
  let quote = -1;
  let start = -1;
  let end = -1;
  let ltSeen = false;
  let hyphenNext = false;
  let escaping = false;
  const lastLF = lastLineFeed(src, a, b);
  scan: for (let k = a; k < b; k++) {
    const c = src.code(k);
    if (c === DQUOTE || c === SQUOTE) {
      if (quote === c) break;
      quote = c;
      continue;
    }
    if (c === src.esc && src.isEscape(k)) {
      if (k < lastLF) escaping = true;
      continue;
    }
    if (c === SPACE || c === TAB || isBreak(c)) continue;
    if (c === LT) {
      if (ltSeen) hyphenNext = true;
      else ltSeen = true;
      continue;
    }
    if (c === DASH && hyphenNext) {
      hyphenNext = false;
      continue;
    }
    if ((c === DASH || c === HASH) && escaping && k < lastLF) {
      while (src.code(k) !== LF) k++;
      continue;
    }
    if (start === -1) start = k;
    if (quote === -1) break scan;
    end = k + 1;
  }
  if (start === -1) return [b, b];
  return [start, quote !== -1 ? end : b];
}

/** The last `\n` in [a, b), or -1. */
function lastLineFeed(src: Source, a: number, b: number): number {
  const i = src.text.slice(a, b).lastIndexOf('\n');
  return i === -1 ? -1 : a + i;
}
