/**
 * Our own Dockerfile scanner: one pass over a chunk of lines gives its instructions,
 * comments, directives and stages as plain data (syntax.ts), in linear time, with no
 * parser library. Where an instruction ends follows BuildKit (moby/buildkit
 * frontend/dockerfile/parser, parser.go): a line continues when it matches
 * `([^E])E[ \t]*$|^E[ \t]*$`, comment and blank lines inside a continuation are skipped,
 * heredoc bodies run to their delimiter line, directives stand only at the top of the file.
 * Everything the stage model reads (word splitting, flags and their options, heredoc names,
 * ranges) and the reading of malformed text reproduce the library the model and its tests
 * were written against, dockerfile-ast 0.7.1, also where it reads malformed text otherwise
 * than BuildKit would (a comment line inside a continued keyword, a directive's value cut at
 * its first blank). test/unit/scan.test.ts checks the two against each other on every
 * fixture, generated files and random text, and lists where we deliberately differ.
 *
 * The arguments and flags of most instructions are made when first read (scanInstruction.ts).
 */
import type { ArgSyntax, ChunkSyntax, DirectiveSyntax, FromSyntax, InstructionSyntax, PreludeSyntax, RefSyntax, StageSyntax, Token } from './syntax';
import { scanned, type RefFound } from './scanInstruction';
import { CR, HASH, LF, Source, TAB, flagWords, heredocName, isBlank, isBreak, words } from './scanWords';

const EQUALS = 61;
const BOM = 0xfeff;

/**
 * BuildKit's line-continuation rule (parser.go, setEscapeToken): `([^E])E[ \t]*$|^E[ \t]*$`
 * with E the escape character, so a line that ends in an escaped escape character (`\\`, or
 * a doubled backtick under `# escape=\``) does not continue.
 */
export function endsWithContinuation(line: string, esc: string): boolean {
  const t = line.replace(/[ \t]+$/, '');
  if (!t.endsWith(esc)) return false;
  return t.length === 1 || t[t.length - 2] !== esc;
}

/**
 * Scans the lines [startLine, startLine + lineCount) of a document, given as `text`;
 * positions in the result are the document's. On the first chunk the escape character comes
 * from its own `# escape=` directive; on any other chunk it is `escapeChar`. `starts` are the
 * offsets at which the lines of `text` start, when the caller has them.
 */
export function scanChunk(text: string, startLine: number, lineCount: number, escapeChar: string, first: boolean, starts?: readonly number[]): ChunkSyntax {
  const src = new Source(first ? text : detached(text), startLine, starts);
  let begin = text.charCodeAt(0) === BOM ? 1 : 0;
  let directives: DirectiveSyntax[] = [];
  if (first) {
    directives = readDirectives(src, begin);
    if (directives.length > 0) begin = src.offsetOfLine(directives.length);
  }
  const esc = first ? escapeFrom(directives) : escapeChar;
  src.setEscape(esc);
  const scanner = new Scanner(src);
  scanner.run(begin);
  return assemble(scanner, { startLine, lineCount, first, directives, esc });
}

/**
 * A copy of `text` that shares no storage with the string it was sliced from. A later chunk's
 * text is a slice of its version of the document; the syntax keeps slices of it (words, comments)
 * and pending arguments keep all of it, which would keep that version's whole text alive for as
 * long as the chunk lives (one old version per edited stage). The concatenation is flattened
 * into a new string by the slice (V8); elsewhere it is still the same text.
 */
function detached(text: string): string {
  return (' ' + text).slice(1);
}

/** The first valid `escape` directive, or a backslash. */
function escapeFrom(directives: readonly DirectiveSyntax[]): string {
  for (const d of directives) if (d.name.toLowerCase() === 'escape' && (d.value === '\\' || d.value === '`')) return d.value;
  return '\\';
}

/**
 * Directives: `# name=value` lines at the very top. A blank line, an instruction or a comment
 * that is not `name=value` ends them. The value is the first word after `=` (BuildKit takes the
 * rest of the line; dockerfile-ast, and so the model, the first word).
 */
function readDirectives(src: Source, from: number): DirectiveSyntax[] {
  const out: DirectiveSyntax[] = [];
  const len = src.len;
  lines: for (let i = from; i < len; i++) {
    const c = src.code(i);
    if (isBlank(c)) continue;
    if (c !== HASH) break;
    let nameStart = -1;
    let nameEnd = -1;
    for (let j = i + 1; j < len; j++) {
      const d = src.code(j);
      if (isBlank(d)) {
        if (nameStart !== -1 && nameEnd === -1) nameEnd = j;
      } else if (isBreak(d)) break lines;
      else if (d === EQUALS) {
        if (nameEnd === -1) nameEnd = j;
        if (nameStart === -1) break lines;
        let valueStart = -1;
        let valueEnd = -1;
        let lineEnd = len;
        for (let k = j + 1; k < len; k++) {
          const e = src.code(k);
          if (isBreak(e) || isBlank(e)) {
            if (valueStart !== -1 && valueEnd === -1) valueEnd = k;
            if (isBreak(e)) {
              lineEnd = k;
              break;
            }
          } else if (valueStart === -1) valueStart = k;
        }
        if (valueStart === -1) {
          valueStart = j + 1;
          valueEnd = lineEnd;
        } else if (valueEnd === -1) valueEnd = len;
        out.push({
          name: src.text.slice(nameStart, nameEnd),
          value: src.text.slice(valueStart, valueEnd),
          range: { start: src.pos(i), end: src.pos(lineEnd) },
        });
        // Blanks after the value end the directives, as a blank line does.
        i = src.code(valueEnd) === CR ? valueEnd + 1 : valueEnd;
        continue lines;
      } else if (nameStart === -1) nameStart = j;
    }
    break;
  }
  return out;
}

/** The instructions and comments of a chunk, in order. */
class Scanner {
  readonly instructions: InstructionSyntax[] = [];
  /** The references each instruction's flags hold (parallel to `instructions`). */
  readonly refs: (readonly RefFound[])[] = [];
  readonly comments: Token[] = [];
  /** Where the current instruction's first logical line ends (set by `rest`; -1: at its end). */
  private firstLineEnd = -1;

  constructor(readonly src: Source) {}

  run(begin: number): void {
    const len = this.src.len;
    for (let i = this.src.spaceEnd(begin); i < len; i = this.src.spaceEnd(i + 1)) {
      i = this.src.code(i) === HASH ? this.comment(i) : this.instruction(i);
    }
  }

  /** A comment from `#` to the end of its line; its text is trimmed. Returns the line end. */
  private comment(start: number): number {
    const src = this.src;
    const end = src.breakFrom(start + 1);
    let a = start + 1;
    while (a < end && isBlank(src.code(a))) a++;
    let b = end;
    while (b > a && isBlank(src.code(b - 1))) b--;
    this.comments.push({ text: src.text.slice(a, b), range: { start: src.pos(start), end: src.pos(end) } });
    return end;
  }

  /**
   * An instruction starting at `start`: its keyword is the first word (an escaped line break
   * inside it joins the next line, as BuildKit joins lines before it reads the keyword).
   * Returns where the instruction ends.
   */
  private instruction(start: number): number {
    const src = this.src;
    const len = src.len;
    const i = src.wordEnd(start + 1);
    if (i >= len) return this.record(src.text.slice(start, i), start, i, len);
    if (isBreak(src.code(i))) return this.record(src.text.slice(start, i), start, i, i);
    if (isBlank(src.code(i))) {
      const kw = src.text.slice(start, i);
      return this.record(kw, start, i, this.rest(kw, i, i));
    }
    return this.escapedKeyword(start, i);
  }

  /** The keyword met an escape character at `from`. */
  private escapedKeyword(start: number, from: number): number {
    const src = this.src;
    const len = src.len;
    let kw = src.text.slice(start, from);
    let kwEnd = from > start + 1 ? from : -1;
    let escaped = false;
    for (let i = from; i < len; i++) {
      const c = src.code(i);
      if (c === src.esc && src.isEscape(i)) {
        escaped = true;
        const n = i + 1 < len ? src.code(i + 1) : -1;
        if (isBreak(n)) {
          if (kwEnd === -1) kwEnd = i;
          i++;
          continue;
        }
        if (isBlank(n)) {
          let j = i + 2;
          while (j < len && isBlank(src.code(j))) j++;
          if (j < len && isBreak(src.code(j))) {
            i = j;
            continue;
          }
          kwEnd = i + 1;
          kw += src.escChar;
          if (j >= len) return this.record(kw, start, kwEnd, len);
          i = j - 2;
          continue;
        }
        kwEnd = i + 1;
        kw += src.escChar;
        escaped = false;
        continue;
      }
      if (isBlank(c)) {
        if (escaped) {
          let j = i + 1;
          while (j < len && isBlank(src.code(j))) j++;
          if (j < len && isBreak(src.code(j))) {
            i = j;
            continue;
          }
        }
        if (kwEnd === -1) kwEnd = i;
        return this.record(kw, start, kwEnd, this.rest(kw, kwEnd, i));
      }
      if (isBreak(c)) {
        if (escaped) continue;
        return this.record(kw, start, kwEnd === -1 ? i : kwEnd, i);
      }
      if (c === HASH && escaped) continue;
      kwEnd = i + 1;
      kw += src.text[i] ?? '';
      escaped = false;
    }
    return this.record(kw, start, kwEnd === -1 ? len : kwEnd, len);
  }

  /**
   * The rest of an instruction after its keyword, from the blank at `from`: up to a line
   * break that is not escaped, then its heredoc bodies. Comment lines inside a continuation
   * are comments. Returns where the instruction ends.
   */
  private rest(kw: string, kwEnd: number, from: number): number {
    const src = this.src;
    const len = src.len;
    let escaped = false;
    this.firstLineEnd = len;
    for (let i = from + 1; i < len;) {
      if (!escaped) {
        // Up to the next escape character nothing matters but a line break, which ends the line.
        const lineEnd = src.breakFrom(i);
        const esc = src.escapeFrom(i);
        if (esc >= lineEnd) {
          this.firstLineEnd = lineEnd;
          return lineEnd >= len ? len : this.heredocBodies(kw, kwEnd, lineEnd);
        }
        i = esc;
      }
      const c = src.code(i);
      if (c === src.esc && src.isEscape(i)) {
        const n = i + 1 < len ? src.code(i + 1) : -1;
        if (isBreak(n)) {
          escaped = true;
          i += 2;
        } else if (isBlank(n)) {
          let j = i + 2;
          while (j < len && isBlank(src.code(j))) j++;
          if (j >= len) return len;
          if (isBreak(src.code(j))) escaped = true;
          i = j + 1;
        } else i++;
      } else if (c === HASH && escaped) i = this.comment(i) + 1;
      else {
        if (!isBlank(c) && !isBreak(c)) escaped = false;
        i++;
      }
    }
    return len;
  }

  /**
   * After the logical line that ends at `lineEnd`: the bodies of the heredocs a RUN, COPY or
   * ADD (also behind ONBUILD) declares on it, each up to its delimiter line. Returns the end.
   */
  private heredocBodies(kw: string, kwEnd: number, lineEnd: number): number {
    const src = this.src;
    let keyword = kw.toUpperCase();
    let from = src.norm(kwEnd);
    if (keyword === 'ONBUILD') {
      const trigger = words(src, from, lineEnd)[0];
      if (trigger === undefined) return lineEnd;
      keyword = src.text.slice(src.norm(trigger.start), src.norm(trigger.end)).toUpperCase();
      from = src.norm(trigger.end);
    }
    if (keyword !== 'ADD' && keyword !== 'COPY' && keyword !== 'RUN') return lineEnd;
    if (src.angleFrom(from) >= lineEnd) return lineEnd;
    const ws = words(src, from, lineEnd);
    const names: string[] = [];
    let tabs = false;
    for (let k = flagWords(keyword, ws).length; k < ws.length; k++) {
      const w = ws[k];
      if (w === undefined || !w.text.startsWith('<<') || w.text.length <= 2) continue;
      if (w.text.startsWith('<<-')) tabs = true;
      const name = heredocName(w.text);
      if (name !== null) names.push(name);
    }
    let end = lineEnd;
    for (let k = 0; k < names.length; k++) end = this.delimiterLine(names[k] ?? '', end, tabs);
    return end;
  }

  /**
   * The line break after the line (from `from`) that is exactly `name` (after leading tabs when
   * `tabs`), or the text's end. Found with the engine's string search, candidates in order, not by
   * walking the body line by line in script (that walk was 2 of the 24 ms of a 2,400-line file's
   * first parse). A line counts only when a break ends it, as dockerfile-ast reads it.
   */
  private delimiterLine(name: string, from: number, tabs: boolean): number {
    const src = this.src;
    const t = src.text;
    const n = name.length;
    // (No line is exactly a name that is empty, starts with a blank or holds a break.)
    if (n === 0 || isBlank(name.charCodeAt(0)) || name.includes('\n') || name.includes('\r')) return src.len;
    const first = from + 1;
    for (let p = t.indexOf(name, first); p !== -1 && p + n < src.len; p = t.indexOf(name, p + 1)) {
      if (!isBreak(t.charCodeAt(p + n))) continue;
      let s = p;
      if (tabs) while (s > first && t.charCodeAt(s - 1) === TAB) s--;
      if (s === first || isBreak(t.charCodeAt(s - 1))) return p + n;
    }
    return src.len;
  }

  /** Records the instruction [start, end) with keyword `kw` ending at `kwEnd`; returns `end`. */
  private record(kw: string, start: number, kwEnd: number, end: number): number {
    const lineEnd = this.firstLineEnd === -1 ? end : Math.min(this.firstLineEnd, end);
    this.firstLineEnd = -1;
    this.instructions.push(scanned(this.src, kw, start, kwEnd, end, lineEnd, this.refs));
    return end;
  }
}

interface ChunkFacts {
  readonly startLine: number;
  readonly lineCount: number;
  readonly first: boolean;
  readonly directives: DirectiveSyntax[];
  readonly esc: string;
}

/** Groups the instructions into the prelude (before the first FROM) and stages. */
function assemble(scanner: Scanner, facts: ChunkFacts): ChunkSyntax {
  const all = scanner.instructions;
  let k = 0;
  while (k < all.length && all[k]?.keyword !== 'FROM') k++;
  const preludeInstructions = all.slice(0, k);
  const stages: StageSyntax[] = [];
  while (k < all.length) {
    const from = all[k];
    let e = k + 1;
    while (e < all.length && all[e]?.keyword !== 'FROM') e++;
    if (from) stages.push(stageOf(from, all.slice(k + 1, e), scanner.refs.slice(k + 1, e)));
    k = e;
  }
  const prelude: PreludeSyntax | undefined = facts.first
    ? {
        directives: facts.directives,
        escapeChar: facts.esc,
        args: preludeInstructions.filter((i) => i.keyword === 'ARG').flatMap(argsOf),
        instructions: preludeInstructions,
      }
    : undefined;
  const last = all[all.length - 1];
  return {
    startLine: facts.startLine,
    lineCount: facts.lineCount,
    prelude,
    stages,
    comments: scanner.comments,
    unterminated: last !== undefined && endsOpen(last, scanner.src.text, facts.esc),
    startsWithFrom: preludeInstructions.length === 0 && stages.length > 0,
  };
}

function stageOf(fromInst: InstructionSyntax, instructions: InstructionSyntax[], found: (readonly RefFound[])[]): StageSyntax {
  const refs: RefSyntax[] = [];
  const args: ArgSyntax[] = [];
  for (let idx = 0; idx < instructions.length; idx++) {
    const syn = instructions[idx];
    if (syn?.keyword === 'ARG') args.push(...argsOf(syn));
    const rs = found[idx];
    if (rs === undefined) continue;
    for (let k = 0; k < rs.length; k++) {
      const r = rs[k];
      if (r !== undefined) refs.push({ kind: r.kind, value: r.value, range: r.range, instruction: idx });
    }
  }
  return { from: fromOf(fromInst), instructions, refs, args };
}

function fromOf(base: InstructionSyntax): FromSyntax {
  const image = base.args[0];
  const second = base.args[1];
  // `FROM image AS name`: the AS keyword is the second argument. A half-typed
  // `FROM image AS` has the keyword and no name yet.
  const asKeyword = second && second.text.toLowerCase() === 'as' ? second : undefined;
  const stageName = asKeyword ? base.args[2] : undefined;
  const platform = base.flags.find((f) => f.name === 'platform');
  return {
    keyword: base.keyword,
    keywordText: base.keywordText,
    keywordRange: base.keywordRange,
    range: base.range,
    args: base.args,
    flags: base.flags,
    heredocs: base.heredocs,
    image,
    asKeyword,
    stageName,
    platform,
  };
}

function unquote(v: string): string {
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1);
  return v;
}

/** Every name an ARG declares (`ARG A=1 B`). */
function argsOf(i: InstructionSyntax): ArgSyntax[] {
  const out: ArgSyntax[] = [];
  const args = i.args;
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (a === undefined) continue;
    const eq = a.text.indexOf('=');
    const name = eq < 0 ? a.text : a.text.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
    const r = a.range;
    out.push({
      name,
      nameRange: { start: r.start, end: { line: r.start.line, character: r.start.character + name.length } },
      value: eq < 0 ? null : unquote(a.text.slice(eq + 1)),
      line: r.start.line,
    });
  }
  return out;
}

/**
 * Does the last instruction of a chunk run on past its end: an open heredoc, or a last line
 * (not blank, not a comment) that continues?
 */
function endsOpen(last: InstructionSyntax, text: string, esc: string): boolean {
  if (last.heredocs.some((h) => h.delimiterRange === null)) return true;
  let end = text.length;
  for (;;) {
    let s = end;
    while (s > 0 && !isBreak(text.charCodeAt(s - 1))) s--;
    const l = text.slice(s, end).trimEnd();
    const t = l.trimStart();
    if (t !== '' && !t.startsWith('#')) return endsWithContinuation(l, esc);
    if (s === 0) return false;
    end = s - 1;
    if (end > 0 && text.charCodeAt(end) === LF && text.charCodeAt(end - 1) === CR) end--;
  }
}
