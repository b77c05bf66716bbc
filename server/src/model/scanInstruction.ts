/**
 * One scanned instruction as syntax (scan.ts): its keyword, ranges and heredocs at once, its
 * arguments and flags when first read. Most instructions' words (a RUN's shell words, a
 * COPY's --chown) are never looked at by the stage model, and as tokens with ranges they are
 * most of a chunk's syntax: making them on first read, from the scanned text, is what keeps a
 * 25,000-line file's scan in tens of milliseconds. FROM and ARG, which the model reads at once,
 * and the references in COPY --from and RUN --mount=…,from= are made eagerly.
 *
 * A pending `args` or `flags` is an own enumerable getter (its state a non-enumerable own
 * property), so the instruction still reads, spreads, compares and serialises as plain data.
 */
import type { Position, Range } from 'vscode-languageserver-types';
import type { FlagSyntax, InstructionSyntax, Token } from './syntax';
import { heredocsOf } from './scanHeredoc';
import { endsFlags, flagOf, flagText, flagValueStart, flagWords, optionName, optionSpans, words, type Source, type Word } from './scanWords';

/** A shared empty list (the syntax is immutable). */
export const NONE: readonly never[] = Object.freeze([]);

/** A cross-stage reference found in an instruction's flags, before its stage is known. */
export interface RefFound {
  readonly kind: 'copy' | 'mount';
  readonly value: string;
  readonly range: Range;
}

export interface Scanned {
  readonly syntax: InstructionSyntax;
  readonly refs: readonly RefFound[];
}

/** The instruction [start, end) of `src` whose keyword `kw` ends at `kwEnd`. */
export function scanned(src: Source, kw: string, start: number, kwEnd: number, end: number): Scanned {
  const keyword = kw.toUpperCase();
  const from = src.norm(kwEnd);
  const to = src.norm(end);
  const at = src.pos(start);
  const keywordRange = { start: at, end: src.pos(kwEnd) };
  const range = { start: at, end: src.pos(end) };
  // Every word is read now when the arguments are (FROM, ARG) or when one may declare a
  // heredoc (a `<` in the text); otherwise only the flags, up to the word that ends them.
  const eager = keyword === 'FROM' || keyword === 'ARG';
  const stop = endsFlags(keyword);
  const all = eager || src.angleFrom(from) < to;
  const ws = all ? words(src, from, to) : stop ? words(src, from, to, stop) : NONE;
  const fw = ws.length > 0 ? flagWords(keyword, ws) : NONE;
  // The arguments are the words after as many words as there are flags (so `COPY a--b --from=x c`
  // has the flag --from=x and the arguments --from=x and c, as dockerfile-ast reads it).
  const heredocs = all ? heredocsOf(src, fw.length > 0 ? ws.slice(fw.length) : ws, start, end) : NONE;
  if (eager) {
    const args = ws.length > fw.length ? ws.slice(fw.length).map((w) => tokenOf(src, w, 0)) : NONE;
    const flags = fw.length > 0 ? fw.map((w) => flagOf(src, w, 0)) : NONE;
    return { syntax: { keyword, keywordText: kw, keywordRange, range, args, flags, heredocs }, refs: NONE };
  }
  const syntax = pending({ keyword, keywordText: kw, keywordRange, range, heredocs }, { src, keyword, from, to, skip: fw.length, moved: 0 });
  return { syntax, refs: fw.length > 0 ? refsIn(src, keyword, fw) : NONE };
}

export function tokenOf(src: Source, w: Word, moved: number): Token {
  return { text: w.text, range: { start: src.pos(w.start, moved), end: src.pos(w.end, moved) } };
}

/** The references in COPY --from=… and RUN --mount=…,from=…, read without making the flags. */
function refsIn(src: Source, keyword: string, fw: readonly Word[]): RefFound[] {
  const out: RefFound[] = [];
  for (const w of fw) {
    if (keyword === 'COPY' && w.text.startsWith('--from')) {
      const f = flagText(src, w);
      if (f.name !== 'from' || f.value === null) continue;
      out.push({ kind: 'copy', value: f.value, range: { start: src.pos(flagValueStart(src, f)), end: src.pos(w.end) } });
    } else if (keyword === 'RUN' && w.text.startsWith('--mount') && /from/i.test(w.text)) {
      const f = flagText(src, w);
      if (f.name !== 'mount' || !f.value) continue;
      const value = f.value;
      const at = flagValueStart(src, f);
      for (const [n, vs, ve] of optionSpans(value)) {
        if (vs !== -1 && optionName(value, n, vs, ve).toLowerCase() === 'from') {
          out.push({ kind: 'mount', value: value.substring(vs, ve), range: { start: src.pos(at + vs), end: src.pos(at + ve) } });
        }
      }
    }
  }
  return out;
}

/** What makes an instruction's arguments and flags when they are first read. */
interface Pending {
  readonly src: Source;
  readonly keyword: string;
  /** The text after the keyword. */
  readonly from: number;
  readonly to: number;
  /** Flag words before the arguments. */
  readonly skip: number;
  /** Lines the instruction moved since it was scanned (shiftChunk). */
  readonly moved: number;
  args?: readonly Token[];
  flags?: readonly FlagSyntax[];
}

/** Where a pending instruction keeps its `Pending`: a non-enumerable property, invisible to comparisons and spreads. */
const PENDING = Symbol('pending words');
interface WithPending {
  readonly [PENDING]?: Pending;
}

function pendingOf(i: WithPending): Pending {
  const p = i[PENDING];
  if (p === undefined) throw new Error('internal: an instruction without its pending words');
  return p;
}

function readArgs(this: WithPending): readonly Token[] {
  const p = pendingOf(this);
  p.args ??= words(p.src, p.from, p.to)
    .slice(p.skip)
    .map((w) => tokenOf(p.src, w, p.moved));
  return p.args;
}

function readFlags(this: WithPending): readonly FlagSyntax[] {
  const p = pendingOf(this);
  if (p.flags === undefined) {
    const stop = endsFlags(p.keyword);
    p.flags = p.skip === 0 || stop === undefined ? NONE : flagWords(p.keyword, words(p.src, p.from, p.to, stop)).map((w) => flagOf(p.src, w, p.moved));
  }
  return p.flags;
}

// Shared descriptors: defining them costs no allocation per instruction (HIDDEN's value is set
// for each definition and cleared after it).
const ARGS: PropertyDescriptor = { get: readArgs, enumerable: true, configurable: false };
const FLAGS: PropertyDescriptor = { get: readFlags, enumerable: true, configurable: false };
const HIDDEN: PropertyDescriptor = { value: undefined, enumerable: false, writable: false, configurable: false };

type Eager = Omit<InstructionSyntax, 'args' | 'flags'>;

/** `fields` (a new object) with arguments and flags made when first read. */
function pending(fields: Eager, p: Pending): InstructionSyntax {
  HIDDEN.value = p;
  Object.defineProperty(fields, PENDING, HIDDEN);
  HIDDEN.value = undefined;
  Object.defineProperty(fields, 'args', ARGS);
  Object.defineProperty(fields, 'flags', FLAGS);
  return fields as InstructionSyntax;
}

/**
 * The instruction moved `lines` lines, given its other fields moved: arguments and flags not
 * read yet stay pending (moved when made), read ones are moved now.
 */
export function movedInstruction(i: InstructionSyntax, lines: number, fields: Eager, moveFlag: (f: FlagSyntax) => FlagSyntax): InstructionSyntax {
  const move = (x: Position): Position => ({ line: x.line + lines, character: x.character });
  const moveTokens = (ts: readonly Token[]): Token[] => ts.map((t) => ({ text: t.text, range: { start: move(t.range.start), end: move(t.range.end) } }));
  const p = (i as WithPending)[PENDING];
  if (p) return pending(fields, { ...p, moved: p.moved + lines, args: p.args && moveTokens(p.args), flags: p.flags?.map(moveFlag) });
  const { keyword, keywordText, keywordRange, range, heredocs } = fields;
  return { keyword, keywordText, keywordRange, range, args: moveTokens(i.args), flags: i.flags.map(moveFlag), heredocs };
}
