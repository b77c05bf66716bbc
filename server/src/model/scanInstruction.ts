/**
 * One scanned instruction as syntax (scan.ts): its keyword and heredocs at once; its ranges,
 * arguments and flags when first read (`ScannedInstruction`). FROM and ARG, which the model
 * reads at once, and the references in COPY --from and RUN --mount=…,from= are made eagerly.
 */
import type { Range } from 'vscode-languageserver-types';
import type { FlagSyntax, HeredocSyntax, InstructionSyntax, Token } from './syntax';
import { shiftRange } from './text';
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

/**
 * The instruction [start, end) of `src` whose keyword `kw` ends at `kwEnd` and whose first
 * logical line (continuations joined) ends at `lineEnd`; the references its flags hold are
 * appended to `refs` (one entry per instruction).
 */
export function scanned(src: Source, kw: string, start: number, kwEnd: number, end: number, lineEnd: number, refs: (readonly RefFound[])[]): InstructionSyntax {
  const keyword = kw.toUpperCase();
  const from = src.norm(kwEnd);
  const to = src.norm(end);
  // (Only a first line that is one physical line: where continuations and CRs alone meet
  // heredocs, the heredoc reading follows dockerfile-ast's own idea of the first line.)
  const firstLine = src.loneCR || src.escapeFrom(from) < lineEnd ? to : src.norm(lineEnd);
  // FROM and ARG: every word now (the model reads their arguments). Otherwise, when the first
  // line may declare a heredoc (a `<` on it), its words (the flags and the `<<` words are there;
  // the bodies are matched by lines, not split into words); else only the flags, up to the word
  // that ends them, and none when the text has no `--` and no dash before an escape character
  // (`-\-x` is a flag too).
  const eager = keyword === 'FROM' || keyword === 'ARG';
  const all = eager || src.angleFrom(from) < firstLine;
  const stop = all ? undefined : endsFlags(keyword);
  const ws = eager ? words(src, from, to) : all ? words(src, from, firstLine) : stop && src.flagFrom(from, to) < to ? words(src, from, to, stop) : NONE;
  const fw = ws.length > 0 ? flagWords(keyword, ws) : NONE;
  // The arguments are the words after as many words as there are flags (so `COPY a--b --from=x c`
  // has the flag --from=x and the arguments --from=x and c, as dockerfile-ast reads it).
  const heredocs = all ? heredocsOf(src, fw.length > 0 ? ws.slice(fw.length) : ws, start, end) : NONE;
  if (eager) {
    refs.push(NONE);
    const args = ws.length > fw.length ? ws.slice(fw.length).map((w) => tokenOf(src, w, 0)) : NONE;
    const flags = fw.length > 0 ? fw.map((w) => flagOf(src, w, 0)) : NONE;
    return new ScannedInstruction(keyword, kw, heredocs, src, start, kwEnd, end, from, to, fw.length, 0, args, flags);
  }
  refs.push(fw.length > 0 ? refsIn(src, keyword, fw) : NONE);
  return new ScannedInstruction(keyword, kw, heredocs, src, start, kwEnd, end, from, to, fw.length, 0);
}

export function tokenOf(src: Source, w: Word, moved: number): Token {
  return { text: w.text, range: { start: src.pos(w.start, moved), end: src.pos(w.end, moved) } };
}

/** The references in COPY --from=… and RUN --mount=…,from=…, read without making the flags. */
function refsIn(src: Source, keyword: string, fw: readonly Word[]): RefFound[] {
  const out: RefFound[] = [];
  for (let k = 0; k < fw.length; k++) {
    const w = fw[k];
    if (w === undefined) continue;
    if (keyword === 'COPY' && w.text.startsWith('--from')) {
      const f = flagText(src, w);
      if (f.name !== 'from' || f.value === null) continue;
      out.push({ kind: 'copy', value: f.value, range: { start: src.pos(flagValueStart(src, f)), end: src.pos(w.end) } });
    } else if (keyword === 'RUN' && w.text.startsWith('--mount') && /from/i.test(w.text)) {
      const f = flagText(src, w);
      if (f.name !== 'mount' || !f.value) continue;
      const value = f.value;
      const at = flagValueStart(src, f);
      const spans = optionSpans(value);
      for (let k2 = 0; k2 < spans.length; k2++) {
        const span = spans[k2];
        if (span === undefined) continue;
        const n = span[0];
        const vs = span[1];
        const ve = span[2];
        if (vs !== -1 && optionName(value, n, vs, ve).toLowerCase() === 'from') {
          out.push({ kind: 'mount', value: value.substring(vs, ve), range: { start: src.pos(at + vs), end: src.pos(at + ve) } });
        }
      }
    }
  }
  return out;
}

/**
 * One scanned instruction. Its keyword and heredocs are made with it; its ranges, arguments
 * and flags when first read, from the scanned text, and then kept. Most instructions' words
 * (a RUN's shell words, a COPY's --chown) and most of their ranges are never looked at when a
 * file opens (the stage checks read FROM, ARG and the cross-stage references), and as tokens
 * and positions they are most of a chunk's syntax: making them on first read is what keeps
 * the first scan of a 25,000-line file, before the engine has optimised anything, short.
 *
 * It reads as the plain data `InstructionSyntax` describes: the lazy fields are getters, and
 * `toJSON` gives the plain object (tests compare syntax through it).
 */
export class ScannedInstruction implements InstructionSyntax {
  readonly #src: Source;
  /** Where it starts and ends, and its keyword ends, in the scanned text. */
  readonly #start: number;
  readonly #kwEnd: number;
  readonly #end: number;
  /** The text after the keyword (offsets normalised). */
  readonly #from: number;
  readonly #to: number;
  /** Flag words before the arguments. */
  readonly #skip: number;
  /** Lines the instruction moved since it was scanned (shiftChunk). */
  readonly #moved: number;
  #keywordRange: Range | undefined;
  #range: Range | undefined;
  #args: readonly Token[] | undefined;
  #flags: readonly FlagSyntax[] | undefined;
  /** The last summary made, and its length limit (kept when the instruction moves: it has no positions). */
  #summary: { readonly max: number; readonly text: string } | undefined;

  constructor(
    readonly keyword: string,
    readonly keywordText: string,
    readonly heredocs: readonly HeredocSyntax[],
    src: Source,
    start: number,
    kwEnd: number,
    end: number,
    from: number,
    to: number,
    skip: number,
    moved: number,
    args?: readonly Token[],
    flags?: readonly FlagSyntax[],
  ) {
    this.#src = src;
    this.#start = start;
    this.#kwEnd = kwEnd;
    this.#end = end;
    this.#from = from;
    this.#to = to;
    this.#skip = skip;
    this.#moved = moved;
    this.#args = args;
    this.#flags = flags;
  }

  get keywordRange(): Range {
    return (this.#keywordRange ??= { start: this.#src.pos(this.#start, this.#moved), end: this.#src.pos(this.#kwEnd, this.#moved) });
  }

  get range(): Range {
    return (this.#range ??= { start: this.keywordRange.start, end: this.#src.pos(this.#end, this.#moved) });
  }

  get args(): readonly Token[] {
    return (this.#args ??= words(this.#src, this.#from, this.#to)
      .slice(this.#skip)
      .map((w) => tokenOf(this.#src, w, this.#moved)));
  }

  get flags(): readonly FlagSyntax[] {
    if (this.#flags === undefined) {
      const stop = endsFlags(this.keyword);
      this.#flags =
        this.#skip === 0 || stop === undefined
          ? NONE
          : flagWords(this.keyword, words(this.#src, this.#from, this.#to, stop)).map((w) => flagOf(this.#src, w, this.#moved));
    }
    return this.#flags;
  }

  /**
   * Its flags (`--name=value`) and arguments, space-separated, cut to `max` characters with `…`:
   * what `instructionSummary` gives, reading only as many words as that needs and making no
   * tokens or positions (an outline of a 2,400-line file read every word of every RUN for it).
   */
  summary(max: number): string {
    if (this.#summary?.max !== max) this.#summary = { max, text: this.makeSummary(max) };
    return this.#summary.text;
  }

  private makeSummary(max: number): string {
    if (this.#args !== undefined) return summaryOf(this.flags, this.#args, max);
    const src = this.#src;
    const parts: string[] = [];
    let len = -1;
    if (this.#flags !== undefined) for (const f of this.#flags) len += 1 + pushPart(parts, flagPart(f.name, f.value));
    else if (this.#skip > 0) {
      const stop = endsFlags(this.keyword);
      if (stop !== undefined) {
        const fw = flagWords(this.keyword, words(src, this.#from, this.#to, stop));
        for (let k = 0; k < fw.length; k++) {
          const w = fw[k];
          if (w === undefined) continue;
          const f = flagText(src, w);
          len += 1 + pushPart(parts, flagPart(f.name, f.value));
        }
      }
    }
    // The arguments are the words after the first `skip` (as `args` reads them); stop once the
    // text is longer than `max`, since only its first `max - 1` characters are shown then.
    let seen = 0;
    const skip = this.#skip;
    const ws = words(src, this.#from, this.#to, (text) => {
      if (seen++ >= skip) len += 1 + text.length;
      return len > max;
    });
    for (let k = skip; k < ws.length; k++) parts.push(ws[k]?.text ?? '');
    return cut(parts.join(' '), max);
  }

  /**
   * This instruction `lines` lines lower (an edit above it added or removed lines). What was
   * not read yet stays to be made, moved; what was read is moved now.
   */
  moved(lines: number, heredocs: readonly HeredocSyntax[], moveFlag: (f: FlagSyntax) => FlagSyntax): ScannedInstruction {
    const m = new ScannedInstruction(
      this.keyword,
      this.keywordText,
      heredocs,
      this.#src,
      this.#start,
      this.#kwEnd,
      this.#end,
      this.#from,
      this.#to,
      this.#skip,
      this.#moved + lines,
      this.#args && moveTokens(this.#args, lines),
      this.#flags?.map(moveFlag),
    );
    if (this.#keywordRange) m.#keywordRange = shiftRange(this.#keywordRange, lines);
    if (this.#range) m.#range = shiftRange(this.#range, lines);
    m.#summary = this.#summary;
    return m;
  }

  toJSON(): InstructionSyntax {
    return {
      keyword: this.keyword,
      keywordText: this.keywordText,
      keywordRange: this.keywordRange,
      range: this.range,
      args: this.args,
      flags: this.flags,
      heredocs: this.heredocs,
    };
  }
}

function moveTokens(ts: readonly Token[], lines: number): Token[] {
  return ts.map((t) => ({ text: t.text, range: shiftRange(t.range, lines) }));
}

/** What an outline shows of an instruction: see `ScannedInstruction.summary`. */
export function instructionSummary(i: InstructionSyntax, max: number): string {
  return i instanceof ScannedInstruction ? i.summary(max) : summaryOf(i.flags, i.args, max);
}

function summaryOf(flags: readonly FlagSyntax[], args: readonly Token[], max: number): string {
  return cut(
    flags
      .map((f) => flagPart(f.name, f.value))
      .concat(args.map((a) => a.text))
      .join(' '),
    max,
  );
}

function flagPart(name: string, value: string | null): string {
  return `--${name}${value !== null ? `=${value}` : ''}`;
}

function pushPart(parts: string[], part: string): number {
  parts.push(part);
  return part.length;
}

function cut(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
