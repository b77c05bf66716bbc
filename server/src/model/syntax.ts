/**
 * The syntax of a Dockerfile as plain, immutable data with absolute positions. A document
 * is parsed in chunks of whole stages (see document.ts) by our own scanner (scan.ts, which
 * follows BuildKit's rules and is checked against dockerfile-ast by test/unit/scan.test.ts);
 * a chunk's syntax is made once and moved, never re-parsed, when an edit above it shifts it.
 * An instruction's ranges, `args` and `flags` may be made on first read (scanInstruction.ts):
 * read them as fields, and compare or serialise an instruction through JSON (`toJSON`), not
 * by spreading it.
 */
import type { Position, Range } from 'vscode-languageserver-types';
import { scanChunk } from './scan';
import { ScannedInstruction } from './scanInstruction';
import { shiftRange } from './text';

export { endsWithContinuation } from './scan';

export interface Token {
  readonly text: string;
  readonly range: Range;
}

export interface FlagOptionSyntax {
  readonly name: string;
  readonly value: string | null;
  readonly valueRange: Range | null;
  readonly range: Range;
}

export interface FlagSyntax {
  readonly name: string;
  readonly nameRange: Range;
  readonly value: string | null;
  readonly valueRange: Range | null;
  readonly range: Range;
  readonly options: readonly FlagOptionSyntax[];
}

export interface HeredocSyntax {
  readonly name: string;
  /** The body, or null when empty. */
  readonly contentRange: Range | null;
  /** The closing delimiter, or null when the heredoc is not closed. */
  readonly delimiterRange: Range | null;
}

export interface InstructionSyntax {
  /** Upper-cased keyword, e.g. `FROM`. */
  readonly keyword: string;
  /** The keyword as written, e.g. `from`. */
  readonly keywordText: string;
  readonly keywordRange: Range;
  /** From the keyword to the end of the last argument (heredoc bodies included). */
  readonly range: Range;
  /** Arguments without flags, as written (quotes kept). */
  readonly args: readonly Token[];
  readonly flags: readonly FlagSyntax[];
  readonly heredocs: readonly HeredocSyntax[];
}

export interface FromSyntax extends InstructionSyntax {
  /** The base image or stage as written. */
  readonly image: Token | undefined;
  readonly asKeyword: Token | undefined;
  readonly stageName: Token | undefined;
  readonly platform: FlagSyntax | undefined;
}

export interface ArgSyntax {
  readonly name: string;
  readonly nameRange: Range;
  /** The default, unquoted; null when there is none. */
  readonly value: string | null;
  readonly line: number;
}

/** A cross-stage reference in the text, before resolution. */
export interface RefSyntax {
  readonly kind: 'copy' | 'mount';
  readonly value: string;
  readonly range: Range;
  /** Index of the instruction inside its stage's `instructions`. */
  readonly instruction: number;
}

export interface StageSyntax {
  readonly from: FromSyntax;
  /** The stage's instructions after its FROM. */
  readonly instructions: readonly InstructionSyntax[];
  readonly refs: readonly RefSyntax[];
  readonly args: readonly ArgSyntax[];
}

export interface DirectiveSyntax {
  readonly name: string;
  readonly value: string;
  readonly range: Range;
}

export interface PreludeSyntax {
  readonly directives: readonly DirectiveSyntax[];
  readonly escapeChar: string;
  /** ARGs before the first FROM. */
  readonly args: readonly ArgSyntax[];
  /** Any instruction before the first FROM (ARG, or a mistake). */
  readonly instructions: readonly InstructionSyntax[];
}

export interface ChunkSyntax {
  readonly startLine: number;
  /** Lines this chunk covers: [startLine, startLine + lineCount). */
  readonly lineCount: number;
  /** Only on the first chunk of a document: what stands before the first FROM. */
  readonly prelude: PreludeSyntax | undefined;
  readonly stages: readonly StageSyntax[];
  readonly comments: readonly Token[];
  /** The chunk ends inside an instruction (open continuation or heredoc): it cannot end here. */
  readonly unterminated: boolean;
  /** The chunk's first instruction is not a FROM (only allowed for the first chunk). */
  readonly startsWithFrom: boolean;
}

/**
 * Parses the lines [startLine, startLine + lineCount) of a document, given as `text`.
 * `escapeChar` is the document's escape character (from its first chunk's directive); `starts`,
 * when given, the offsets at which the lines of `text` start.
 */
export function parseChunk(text: string, startLine: number, lineCount: number, escapeChar: string, first: boolean, starts?: readonly number[]): ChunkSyntax {
  return scanChunk(text, startLine, lineCount, escapeChar, first, starts);
}

/** The chunk moved by `lines` lines (an edit above it added or removed lines). */
export function shiftChunk(c: ChunkSyntax, lines: number): ChunkSyntax {
  if (lines === 0) return c;
  const r = (x: Range): Range => shiftRange(x, lines);
  const rn = (x: Range | null): Range | null => (x ? shiftRange(x, lines) : null);
  const tok = (t: Token): Token => ({ text: t.text, range: r(t.range) });
  const flag = (f: FlagSyntax): FlagSyntax => ({
    ...f,
    nameRange: r(f.nameRange),
    valueRange: rn(f.valueRange),
    range: r(f.range),
    options: f.options.map((o) => ({ ...o, valueRange: rn(o.valueRange), range: r(o.range) })),
  });
  const heredocs = (i: InstructionSyntax): HeredocSyntax[] =>
    i.heredocs.map((h) => ({ name: h.name, contentRange: rn(h.contentRange), delimiterRange: rn(h.delimiterRange) }));
  const inst = (i: InstructionSyntax): InstructionSyntax =>
    i instanceof ScannedInstruction
      ? i.moved(lines, heredocs(i), flag)
      : {
          keyword: i.keyword,
          keywordText: i.keywordText,
          keywordRange: r(i.keywordRange),
          range: r(i.range),
          args: i.args.map(tok),
          flags: i.flags.map(flag),
          heredocs: heredocs(i),
        };
  const arg = (a: ArgSyntax): ArgSyntax => ({ ...a, nameRange: r(a.nameRange), line: a.line + lines });
  return {
    ...c,
    startLine: c.startLine + lines,
    prelude: c.prelude && {
      ...c.prelude,
      directives: c.prelude.directives.map((d) => ({ ...d, range: r(d.range) })),
      args: c.prelude.args.map(arg),
      instructions: c.prelude.instructions.map(inst),
    },
    stages: c.stages.map((s) => ({
      from: {
        ...inst(s.from),
        image: s.from.image && tok(s.from.image),
        asKeyword: s.from.asKeyword && tok(s.from.asKeyword),
        stageName: s.from.stageName && tok(s.from.stageName),
        platform: s.from.platform && flag(s.from.platform),
      },
      instructions: s.instructions.map(inst),
      refs: s.refs.map((x) => ({ ...x, range: r(x.range) })),
      args: s.args.map(arg),
    })),
    comments: c.comments.map(tok),
  };
}

export function endOf(s: StageSyntax): Position {
  const last = s.instructions[s.instructions.length - 1] ?? s.from;
  return last.range.end;
}
