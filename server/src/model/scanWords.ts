/**
 * The word level of our own Dockerfile scanner (scan.ts): positions, escapes, the arguments
 * of an instruction, its flags and its heredocs, from the text of one chunk. Everything here
 * reproduces what the stage model was written against (dockerfile-ast 0.7.1, checked by
 * test/unit/scan.test.ts), including its choices on malformed input, so that the model and
 * its tests did not move when the parser changed; the one departure is BuildKit's
 * continuation rule (see `Source.isEscape`).
 */
import type { Position } from 'vscode-languageserver-types';
import type { FlagOptionSyntax, FlagSyntax } from './syntax';
import { lineAtOffset, lineStarts } from './text';

export const TAB = 9;
export const LF = 10;
export const CR = 13;
export const SPACE = 32;
export const HASH = 35;
const DOLLAR = 36;
const DASH = 45;
const EQUALS = 61;
const COMMA = 44;
const BACKSLASH = 92;

export const isBlank = (c: number): boolean => c === SPACE || c === TAB;
export const isBreak = (c: number): boolean => c === LF || c === CR;
const isSpace = (c: number): boolean => c === SPACE || c === TAB || c === LF || c === CR;

/** The text of a chunk: character access, escapes, and positions (UTF-16 code units, as LSP). */
export class Source {
  readonly len: number;
  /** The escape character's code; set once the directives are read. */
  esc = BACKSLASH;
  escChar = '\\';
  private readonly starts: readonly number[];
  private hint = 0;
  // The next `\n`, `\r`, escape character and `<` at or after a position, for a scan that moves
  // forward: found with the engine's native search, each at most once per occurrence.
  private readonly nextLF = new NextIndex('\n');
  private readonly nextCR = new NextIndex('\r');
  private nextEsc = new NextIndex('\\');
  private readonly nextLT = new NextIndex('<');
  private readonly nextDashes = new NextIndex('--');
  private nextDashEscape = new NextIndex('-\\');
  private wordRun = /[^ \t\r\n\\]*/y;
  private lineRun = /[^\r\n\\]*/y;

  /** The text has a line that ends in a CR alone (where the heredoc reading follows dockerfile-ast, which does not break lines there). */
  readonly loneCR: boolean;

  /** `starts`: the offsets at which the text's lines start, when the caller has them already. */
  constructor(
    readonly text: string,
    private readonly firstLine: number,
    starts?: readonly number[],
  ) {
    this.len = text.length;
    this.starts = starts ?? lineStarts(text);
    this.loneCR = /\r(?!\n)/.test(text);
  }

  setEscape(ch: string): void {
    this.escChar = ch;
    this.esc = ch.charCodeAt(0);
    this.nextEsc = new NextIndex(ch);
    this.nextDashEscape = new NextIndex(`-${ch}`);
    this.wordRun = new RegExp(`[^ \\t\\r\\n${ch === '\\' ? '\\\\' : ch}]*`, 'y');
    this.lineRun = new RegExp(`[^\\r\\n${ch === '\\' ? '\\\\' : ch}]*`, 'y');
  }

  /** The end of the run of characters from `i` that are not blanks, line breaks or the escape character. */
  wordEnd(i: number): number {
    return runEnd(this.wordRun, this.text, i);
  }

  /** The end of the run of characters from `i` that are not line breaks or the escape character. */
  lineRunEnd(i: number): number {
    return runEnd(this.lineRun, this.text, i);
  }

  /** The first character at or after `i` that is not a blank or a line break, or the text's length. */
  spaceEnd(i: number): number {
    return runEnd(SPACES, this.text, i);
  }

  /** The first line break (`\r` or `\n`) at or after `i`, or the text's length. */
  breakFrom(i: number): number {
    return Math.min(this.nextLF.from(this.text, i), this.nextCR.from(this.text, i));
  }

  /** The first escape character (active or not) at or after `i`, or the text's length. */
  escapeFrom(i: number): number {
    return this.nextEsc.from(this.text, i);
  }

  /**
   * Where [i, to) may hold a flag word (`--name`): at a `--`, or at a dash before an escape
   * character (`-\-name`, or a dash at a line's end before a continuation); `to` when neither.
   */
  flagFrom(i: number, to: number): number {
    return Math.min(this.nextDashes.from(this.text, i), this.nextDashEscape.from(this.text, i), to);
  }

  /** The first `<` at or after `i`, or the text's length. */
  angleFrom(i: number): number {
    return this.nextLT.from(this.text, i);
  }

  code(i: number): number {
    return this.text.charCodeAt(i);
  }

  /**
   * Is the character at `i` an active escape character? BuildKit's continuation rule
   * (parser.go, setEscapeToken: `([^E])E[ \t]*$|^E[ \t]*$`) makes the last escape character
   * of a line that ends in two of them (`dir c:\\`) a plain character: the line does not continue.
   */
  isEscape(i: number): boolean {
    return this.text.charCodeAt(i) === this.esc && !this.endsEscapedEscape(i);
  }

  /** `i` holds the second of two escape characters that end their line (spaces and tabs aside). */
  endsEscapedEscape(i: number): boolean {
    if (i < 1 || this.text.charCodeAt(i - 1) !== this.esc || this.text.charCodeAt(i) !== this.esc) return false;
    let j = i + 1;
    while (j < this.len && isBlank(this.text.charCodeAt(j))) j++;
    return j >= this.len || isBreak(this.text.charCodeAt(j));
  }

  /** An offset as a text document would store it after a round trip through a position: clamped, and never between `\r` and `\n`. */
  norm(off: number): number {
    if (off <= 0) return 0;
    if (off >= this.len) return this.len;
    return this.text.charCodeAt(off) === LF && this.text.charCodeAt(off - 1) === CR ? off - 1 : off;
  }

  /** The position of an offset (`moved` lines lower, for a chunk that moved since it was scanned). */
  pos(offset: number, moved = 0): Position {
    const off = this.norm(offset);
    const s = this.starts;
    let line = this.hint;
    if (!((s[line] ?? 0) <= off && off < (s[line + 1] ?? Infinity))) {
      if ((s[line + 1] ?? Infinity) <= off && off < (s[line + 2] ?? Infinity)) line++;
      else line = lineAtOffset(s, off);
      this.hint = line;
    }
    return { line: line + this.firstLine + moved, character: off - (s[line] ?? 0) };
  }

  /** The offset where line `n` (0-based, in the chunk) starts; the text's end past the last line. */
  offsetOfLine(n: number): number {
    return this.starts[n] ?? this.len;
  }

  /** The line (0-based, in the chunk) of an offset. */
  lineOf(offset: number): number {
    return this.pos(offset).line - this.firstLine;
  }
}

const SPACES = /[ \t\r\n]*/y;

/** Where the run that the sticky pattern `re` matches from `i` ends (the engine's matcher, not a loop over characters). */
function runEnd(re: RegExp, text: string, i: number): number {
  re.lastIndex = i;
  return re.test(text) ? re.lastIndex : i;
}

/** The next occurrence of a string, remembered between calls: linear over a forward scan. */
class NextIndex {
  private lo = 0;
  private at = -1;
  constructor(private readonly ch: string) {}

  from(text: string, i: number): number {
    if (this.at === -1 || i < this.lo || i > this.at) {
      const k = text.indexOf(this.ch, i);
      this.at = k === -1 ? text.length : k;
      this.lo = i;
    }
    return this.at;
  }
}

/** An argument: its text with escapes resolved, and its extent in the chunk. */
export interface Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The arguments in [from, to): split on whitespace (quotes do not group). An escape character
 * yields the next character (an escaped `$` stays as written, `\$`); an escape before a line
 * break continues the word on the next line unless blanks stood before it, and inside such a
 * continuation a line whose first character is `#` is a comment.
 */
export function words(src: Source, from: number, to: number, until?: (text: string) => boolean): Word[] {
  if (from >= to) return [];
  if (src.escapeFrom(from) >= to) return plainWords(src.text, from, to, until);
  const t = src.text;
  const out: Word[] = [];
  let found = -1; // start of the current word
  let marker = -1; // where the current word ends when an escape stood after it
  let escaping = false; // inside a continuation, before the next word character
  let blankAfterEscape = false;
  let comment = false;
  let continuationStart = false; // at the first character of a continued line: `#` starts a comment
  // The word's text is `acc` followed by the run [runA, runB) of the source.
  let acc = '';
  let runA = -1;
  let runB = -1;
  const take = (a: number, b: number): void => {
    if (runA !== -1 && runB === a) runB = b;
    else {
      if (runA !== -1) acc += t.slice(runA, runB);
      runA = a;
      runB = b;
    }
  };
  /** Ends the current word; true when it is the last one wanted. */
  const emit = (end: number): boolean => {
    const text = runA === -1 ? acc : acc + t.slice(runA, runB);
    // (An escape and blanks before any word character emit an empty word, starting just before `from`.)
    out.push({ text, start: found === -1 ? from - 1 : found, end });
    acc = '';
    runA = -1;
    found = -1;
    return until !== undefined && until(text);
  };
  for (let i = from; i < to; i++) {
    const c = t.charCodeAt(i);
    if (isSpace(c)) {
      if (escaping) {
        blankAfterEscape = !isBreak(c);
        if (isBreak(c) && comment) {
          comment = false;
          continuationStart = true;
        }
      } else if (found !== -1) {
        if (emit(marker === -1 ? i : marker)) return out;
        marker = -1;
      }
      continue;
    }
    if (c === src.esc && src.isEscape(i)) {
      const n = i + 1 < to ? t.charCodeAt(i + 1) : -1;
      if (isBlank(n)) {
        for (let j = i + 2; j < to; j++) {
          const d = t.charCodeAt(j);
          if (isBlank(d)) continue;
          if (isBreak(d)) {
            comment = false;
            escaping = true;
            continuationStart = true;
            if (found !== -1) marker = i;
            i = d === CR ? j + 1 : j;
          } else {
            marker = i;
            if (found === -1) i = j - 1;
          }
          break;
        }
      } else if (isBreak(n)) {
        comment = false;
        escaping = true;
        continuationStart = true;
        if (found !== -1 && marker === -1) marker = i;
        i += n === CR ? 2 : 1;
      } else {
        if (blankAfterEscape && marker !== -1 && emit(marker)) return out;
        marker = -1;
        blankAfterEscape = false;
        escaping = false;
        if (n === -1) break;
        take(n === DOLLAR ? i : i + 1, i + 2);
        if (found === -1) found = i;
        i++;
      }
      continue;
    }
    if (comment) continue;
    if (continuationStart && c === HASH) comment = true;
    else {
      if (blankAfterEscape && marker !== -1 && emit(marker)) return out;
      blankAfterEscape = false;
      escaping = false;
      marker = -1;
      // The characters up to the next blank, line break or escape character would each take this
      // branch again and change nothing else: take the run at once (the engine's matcher finds its end).
      const e = Math.min(src.wordEnd(i + 1), to);
      take(i, e);
      if (found === -1) found = i;
      i = e - 1;
    }
    continuationStart = false;
  }
  if (found !== -1) emit(marker === -1 ? to : marker);
  return out;
}

/** `words` without an escape character: runs of characters other than blanks and line breaks. */
function plainWords(t: string, from: number, to: number, until?: (text: string) => boolean): Word[] {
  const out: Word[] = [];
  // Word and blank runs are found by the engine's matcher, not by a loop over characters.
  for (let i = runEnd(SPACES, t, from); i < to;) {
    const end = Math.min(runEnd(NON_SPACES, t, i), to);
    const text = t.slice(i, end);
    out.push({ text, start: i, end });
    // (`until` hears of a word a blank ends, not of one cut at `to`.)
    if (end < to && until !== undefined && until(text)) return out;
    i = runEnd(SPACES, t, end);
  }
  return out;
}

const NON_SPACES = /[^ \t\r\n]*/y;

/** Which instructions take flags, and where their flags stop. */
type FlagRule = 'dashes' | 'healthcheck' | 'none';
const FLAG_RULES: ReadonlyMap<string, FlagRule> = new Map([
  ['FROM', 'dashes'],
  ['ADD', 'dashes'],
  ['COPY', 'dashes'],
  ['RUN', 'dashes'],
  ['HEALTHCHECK', 'healthcheck'],
  ['CMD', 'none'],
  ['ENTRYPOINT', 'none'],
  ['SHELL', 'none'],
  ['VOLUME', 'none'],
]);

const endsDashes = (v: string): boolean => !v.includes('--');
const endsHealthcheckFlags = (v: string): boolean => v.toUpperCase() === 'CMD' || v.toUpperCase() === 'NONE';

/**
 * For a keyword that can have flags: is this word where they end (so that later words need not
 * be read to know them)? Undefined for a keyword without flags.
 */
export function endsFlags(keyword: string): ((text: string) => boolean) | undefined {
  const rule = FLAG_RULES.get(keyword);
  return rule === 'dashes' ? endsDashes : rule === 'healthcheck' ? endsHealthcheckFlags : undefined;
}

/**
 * The flag words of an instruction: the words that start with `--`, up to the first word
 * without `--` anywhere in it (FROM, ADD, COPY, RUN) or to CMD/NONE (HEALTHCHECK). CMD,
 * ENTRYPOINT, SHELL, VOLUME and the other instructions have none.
 */
export function flagWords(keyword: string, ws: readonly Word[]): Word[] {
  const rule = FLAG_RULES.get(keyword);
  if (rule === undefined || rule === 'none') return [];
  const out: Word[] = [];
  // (Indexed loops here and elsewhere on the open path: code that runs before V8 has optimised
  // it pays for `for…of`'s iterator protocol, an object per element.)
  for (let k = 0; k < ws.length; k++) {
    const w = ws[k];
    if (w === undefined) break;
    const v = w.text;
    if (rule === 'dashes' ? endsDashes(v) : endsHealthcheckFlags(v)) break;
    if (v.startsWith('--')) out.push(w);
  }
  return out;
}

/** A flag word read without positions: `flagOf` and the references read it so. */
export interface FlagText {
  readonly name: string;
  /** Null without `=`; '' when `=` ends the word. */
  readonly value: string | null;
  /** Offset of `=` in the word as written (-1 without), and the word's extent. */
  readonly index: number;
  readonly a: number;
  readonly b: number;
}

/**
 * The name and value of a flag word `--name[=value]`, read from the word (escapes resolved);
 * where `=` stands is read from the text as written. Where the two differ (an escape inside a
 * flag) names and positions follow dockerfile-ast.
 */
export function flagText(src: Source, w: Word): FlagText {
  const a = src.norm(w.start);
  const b = src.norm(w.end);
  const v = w.text;
  const eq0 = src.text.indexOf('=', a);
  const index = eq0 !== -1 && eq0 < b ? eq0 - a : -1;
  if (index === -1) return { name: v.substring(2), value: null, index, a, b };
  if (index === v.length - 1) return { name: v.substring(2, index), value: '', index, a, b };
  const eq = v.indexOf('=');
  return { name: v.substring(2, eq), value: v.substring(eq + 1), index, a, b };
}

/** Where a flag's value starts, for its value range and its options (a `value` of '' is empty at the word's end). */
export function flagValueStart(src: Source, f: FlagText): number {
  return f.value === '' ? f.b : src.norm(f.a + f.index + 1);
}

/** A flag `--name[=value]`; a value splits on `,` into options `key[=value]`. */
export function flagOf(src: Source, w: Word, moved: number): FlagSyntax {
  const f = flagText(src, w);
  const { a, b, index, name, value } = f;
  // The name starts after the dashes; backslashes and blanks (a continuation) are skipped.
  let nameStart = -1;
  for (let i = a, dashes = 0; i < b; i++) {
    const c = src.code(i);
    if (isSpace(c) || (c === BACKSLASH && !(src.esc === BACKSLASH && src.endsEscapedEscape(i)))) continue;
    if (c !== DASH || ++dashes === 3) {
      nameStart = i - a;
      break;
    }
  }
  const range = { start: src.pos(w.start, moved), end: src.pos(w.end, moved) };
  const nameFrom = src.pos(a + nameStart, moved);
  if (value === null) return { name, nameRange: { start: nameFrom, end: range.end }, value, valueRange: null, range, options: [] };
  const nameRange = { start: nameFrom, end: src.pos(a + index, moved) };
  if (value === '') return { name, nameRange, value, valueRange: { start: range.end, end: range.end }, range, options: [] };
  const at = flagValueStart(src, f);
  const options = optionSpans(value).map(([n, vs, ve]) => optionOf(src, value, at, n, vs, ve, moved));
  return { name, nameRange, value, valueRange: { start: src.pos(at, moved), end: range.end }, range, options };
}

/**
 * The options of a flag's value, as [nameStart, valueStart, valueEnd] in the value (valueStart
 * -1 without `=`): split on `,`; a last option without `,` after it counts only when the value
 * holds an `=` somewhere.
 */
export function optionSpans(value: string): [number, number, number][] {
  const out: [number, number, number][] = [];
  let nameStart = -1;
  let valueStart = -1;
  let hasOptions = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === EQUALS) {
      hasOptions = true;
      if (valueStart === -1) valueStart = i + 1;
    } else if (c === COMMA) {
      out.push([nameStart, valueStart, i]);
      nameStart = -1;
      valueStart = -1;
    } else if (nameStart === -1) nameStart = i;
  }
  if (hasOptions && nameStart !== -1) out.push([nameStart, valueStart, value.length]);
  return out;
}

/** The option's name (`key` of `key=value`, or all of it without `=`). */
export function optionName(value: string, nameStart: number, valueStart: number, valueEnd: number): string {
  return valueStart === -1 ? value.substring(nameStart, valueEnd) : value.substring(nameStart, valueStart - 1);
}

/** An option of a flag's value, positioned from `at` by its index in the value. */
export function optionOf(src: Source, value: string, at: number, nameStart: number, valueStart: number, valueEnd: number, moved: number): FlagOptionSyntax {
  const range = { start: src.pos(at + nameStart, moved), end: src.pos(at + valueEnd, moved) };
  const name = optionName(value, nameStart, valueStart, valueEnd);
  if (valueStart === -1) return { name, value: null, valueRange: null, range };
  return { name, value: value.substring(valueStart, valueEnd), valueRange: { start: src.pos(at + valueStart, moved), end: range.end }, range };
}

/** The name a heredoc word declares (`<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`), or null. */
export function heredocName(word: string): string | null {
  let v = word.substring(2);
  if (v.startsWith('-')) v = v.substring(1);
  for (const q of ['"', "'"]) {
    if (v.startsWith(q)) {
      if (!v.endsWith(q)) return null;
      v = v.substring(1, v.length - 1);
    }
  }
  return v.startsWith('<') ? null : v;
}
