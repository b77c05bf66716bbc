/**
 * TEST-ONLY oracle: the dockerfile-ast based extractor that server/src/model/syntax.ts used
 * before our own scanner (server/src/model/scan.ts), moved here verbatim. test/unit/scan.test.ts
 * checks the scanner against it. Production code never imports dockerfile-ast.
 */
import { DockerfileParser, type Dockerfile, type Flag, type Instruction } from 'dockerfile-ast';
import type { Range } from 'vscode-languageserver-types';
import {
  endsWithContinuation,
  type ArgSyntax,
  type ChunkSyntax,
  type FlagSyntax,
  type FromSyntax,
  type InstructionSyntax,
  type PreludeSyntax,
  type RefSyntax,
  type StageSyntax,
  type Token,
} from '../../../server/src/model/syntax';
import { shiftRange } from '../../../server/src/model/text';

/** dockerfile-ast throws on some malformed input (found by fuzzing): an accessor that throws yields nothing. */
function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

/**
 * Lines whose escape character was replaced for dockerfile-ast (see breakEscapedEscapes),
 * as `line:character` keys in the parsed source; read by the extractors of the chunk being parsed.
 */
let restoreAt: ReadonlySet<string> = new Set();
const PATCH_CHAR = '_';

/** The text of a token whose last character we replaced, with that character restored. */
function restored(text: string, r: Range, esc: string): string {
  if (restoreAt.size === 0 || !text.endsWith(PATCH_CHAR)) return text;
  return restoreAt.has(`${r.end.line}:${r.end.character - 1}`) ? text.slice(0, -1) + esc : text;
}
let restoreChar = '\\';
function restoredValue(v: string | null, r: Range | null): string | null {
  return v === null || r === null ? v : restored(v, r, restoreChar);
}

function shiftKey(k: string, lines: number): string {
  const [l, c] = k.split(':');
  return `${Number(l) + lines}:${c}`;
}

/**
 * BuildKit's line-continuation rule (moby/buildkit frontend/dockerfile/parser/parser.go,
 * setEscapeToken): `([^E])E[ \t]*$|^E[ \t]*$` with E the escape character, so a line that
 * ends in an escaped escape character (`\\`, or a doubled backtick under `# escape=\``) does
 * not continue. dockerfile-ast continues it. The last escape character of such a line is
 * replaced by a plain character of the same length, so that positions stay the same;
 * the extractors put it back in the token texts.
 */
export function breakEscapedEscapes(text: string, esc: string): { text: string; at: Set<string> } {
  const at = new Set<string>();
  if (!text.includes(esc + esc)) return { text, at };
  const parts = text.split(/(\r\n|\r|\n)/);
  for (let i = 0; i < parts.length; i += 2) {
    const line = parts[i] ?? '';
    const t = line.replace(/[ \t]+$/, '');
    if (t.length >= 2 && t.endsWith(esc + esc)) {
      parts[i] = t.slice(0, -1) + PATCH_CHAR + line.slice(t.length);
      at.add(`${i / 2}:${t.length - 1}`);
    }
  }
  return { text: parts.join(''), at };
}

function token(text: string, r: Range, offset: number): Token {
  return { text: restored(text, r, restoreChar), range: shiftRange(r, offset) };
}

function extractFlag(f: Flag, offset: number): FlagSyntax {
  const valueRange = f.getValueRange();
  return {
    name: f.getName(),
    nameRange: shiftRange(f.getNameRange(), offset),
    value: restoredValue(f.getValue(), valueRange),
    valueRange: valueRange ? shiftRange(valueRange, offset) : null,
    range: shiftRange(f.getRange(), offset),
    options: f.getOptions().map((o) => {
      const vr = o.getValueRange();
      return {
        name: o.getName(),
        value: restoredValue(o.getValue(), vr),
        valueRange: vr ? shiftRange(vr, offset) : null,
        range: shiftRange(o.getRange(), offset),
      };
    }),
  };
}

interface WithFlags {
  getFlags(): Flag[];
}
interface WithHeredocs {
  getHeredocs(): {
    getName(): string;
    getContentRange(): Range | null;
    getDelimiterRange(): Range | null;
  }[];
}
function hasFlags(i: Instruction): i is Instruction & WithFlags {
  return typeof (i as Partial<WithFlags>).getFlags === 'function';
}
function hasHeredocs(i: Instruction): i is Instruction & WithHeredocs {
  return typeof (i as unknown as Partial<WithHeredocs>).getHeredocs === 'function';
}

function extractInstruction(i: Instruction, offset: number): InstructionSyntax {
  const heredocs = hasHeredocs(i)
    ? safe(() => i.getHeredocs(), []).map((h) => {
        const c = h.getContentRange();
        const d = h.getDelimiterRange();
        return { name: h.getName(), contentRange: c ? shiftRange(c, offset) : null, delimiterRange: d ? shiftRange(d, offset) : null };
      })
    : [];
  return {
    keyword: i.getKeyword(),
    keywordText: i.getInstruction(),
    keywordRange: shiftRange(i.getInstructionRange(), offset),
    range: shiftRange(i.getRange(), offset),
    args: safe(() => i.getArguments(), []).map((a) => token(a.getValue(), a.getRange(), offset)),
    flags: hasFlags(i) ? safe(() => i.getFlags(), []).map((f) => extractFlag(f, offset)) : [],
    heredocs,
  };
}

function unquote(v: string): string {
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1);
  return v;
}

function extractArgs(i: Instruction, offset: number): ArgSyntax[] {
  // ARG may declare several names: ARG A=1 B. dockerfile-ast's Arg exposes one property;
  // read the arguments ourselves so every name counts.
  const out: ArgSyntax[] = [];
  for (const a of safe(() => i.getArguments(), [])) {
    const text = restored(a.getValue(), a.getRange(), restoreChar);
    const eq = text.indexOf('=');
    const name = eq < 0 ? text : text.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
    const r = shiftRange(a.getRange(), offset);
    out.push({
      name,
      nameRange: { start: r.start, end: { line: r.start.line, character: r.start.character + name.length } },
      value: eq < 0 ? null : unquote(text.slice(eq + 1)),
      line: r.start.line,
    });
  }
  return out;
}

function extractFrom(i: Instruction, offset: number): FromSyntax {
  const base = extractInstruction(i, offset);
  const args = base.args;
  const image = args[0];
  const second = args[1];
  // `FROM image AS name`: the AS keyword is the second argument. A half-typed
  // `FROM image AS` has the keyword and no name yet.
  const asKeyword = second && second.text.toLowerCase() === 'as' ? second : undefined;
  const stageName = asKeyword ? args[2] : undefined;
  const platform = base.flags.find((f) => f.name === 'platform');
  return { ...base, image, asKeyword, stageName, platform };
}

function extractStage(fromInst: Instruction, rest: Instruction[], offset: number): StageSyntax {
  const from = extractFrom(fromInst, offset);
  const instructions: InstructionSyntax[] = [];
  const refs: RefSyntax[] = [];
  const args: ArgSyntax[] = [];
  for (const inst of rest) {
    const syn = extractInstruction(inst, offset);
    const idx = instructions.push(syn) - 1;
    if (syn.keyword === 'ARG') args.push(...extractArgs(inst, offset));
    if (syn.keyword === 'COPY') {
      // Read every flag: dockerfile-ast's getFromFlag() misses --from after another flag.
      for (const f of syn.flags) {
        if (f.name === 'from' && f.value !== null && f.valueRange) refs.push({ kind: 'copy', value: f.value, range: f.valueRange, instruction: idx });
      }
    } else if (syn.keyword === 'RUN') {
      for (const f of syn.flags) {
        if (f.name !== 'mount') continue;
        for (const o of f.options) {
          if (o.name.toLowerCase() === 'from' && o.value !== null && o.valueRange)
            refs.push({ kind: 'mount', value: o.value, range: o.valueRange, instruction: idx });
        }
      }
    }
  }
  return { from, instructions, refs, args };
}

/**
 * Parses the lines [startLine, startLine + lineCount) of a document, given as `text`.
 * `escapeChar` is the document's escape character (from its first chunk's directive).
 */
export function oracleParseChunk(text: string, startLine: number, lineCount: number, escapeChar: string, first: boolean): ChunkSyntax {
  // A chunk after the first does not see the document's escape directive: restate it.
  const restate = !first && escapeChar !== '\\';
  const offset = startLine - (restate ? 1 : 0);
  const empty = (): ChunkSyntax => ({
    startLine,
    lineCount,
    prelude: first ? { directives: [], escapeChar, args: [], instructions: [] } : undefined,
    stages: [],
    comments: [],
    unterminated: false,
    startsWithFrom: false,
  });
  let df: Dockerfile;
  let patched = new Set<string>();
  try {
    if (first) {
      // The escape character comes from the chunk's own directive: parse, then patch and parse
      // again only when a line ends in an escaped escape character (rare).
      df = DockerfileParser.parse(text);
      const esc = df.getEscapeCharacter();
      const p = breakEscapedEscapes(text, esc);
      if (p.at.size > 0) {
        df = DockerfileParser.parse(p.text);
        patched = p.at;
      }
    } else {
      const p = breakEscapedEscapes(text, escapeChar);
      df = DockerfileParser.parse(restate ? `# escape=${escapeChar}\n${p.text}` : p.text);
      patched = new Set([...p.at].map((k) => (restate ? shiftKey(k, 1) : k)));
    }
  } catch {
    // Nothing to analyse rather than a crash: an empty chunk covering the lines.
    return empty();
  }
  restoreAt = patched;
  restoreChar = first ? df.getEscapeCharacter() : escapeChar;
  try {
    return extractChunk(df, text, startLine, lineCount, offset, restate, first, restoreChar);
  } finally {
    restoreAt = new Set();
  }
}

function extractChunk(
  df: Dockerfile,
  text: string,
  startLine: number,
  lineCount: number,
  offset: number,
  restate: boolean,
  first: boolean,
  escapeChar: string,
): ChunkSyntax {
  const all = df.getInstructions();
  let k = 0;
  const preludeInstructions: Instruction[] = [];
  for (let inst = all[k]; inst !== undefined && inst.getKeyword() !== 'FROM'; inst = all[++k]) preludeInstructions.push(inst);
  const stages: StageSyntax[] = [];
  for (let fromInst = all[k]; fromInst !== undefined; fromInst = all[k]) {
    const rest: Instruction[] = [];
    for (let inst = all[++k]; inst !== undefined && inst.getKeyword() !== 'FROM'; inst = all[++k]) rest.push(inst);
    stages.push(extractStage(fromInst, rest, offset));
  }
  const prelude: PreludeSyntax | undefined = first
    ? {
        directives: df.getDirectives().map((d) => ({ name: d.getName(), value: d.getValue(), range: shiftRange(d.getRange(), offset) })),
        escapeChar: df.getEscapeCharacter(),
        args: preludeInstructions.filter((i) => i.getKeyword() === 'ARG').flatMap((i) => extractArgs(i, offset)),
        instructions: preludeInstructions.map((i) => extractInstruction(i, offset)),
      }
    : undefined;
  const comments = df
    .getComments()
    .filter((c) => !restate || c.getRange().start.line > 0)
    .map((c) => token(c.getContent(), c.getRange(), offset));
  const last = all[all.length - 1];
  return {
    startLine,
    lineCount,
    prelude,
    stages,
    comments,
    unterminated: last !== undefined && endsOpen(last, text, escapeChar),
    startsWithFrom: preludeInstructions.length === 0 && stages.length > 0,
  };
}

/** Does the last instruction of a chunk run on past its end (open heredoc or pending continuation)? */
function endsOpen(last: Instruction, text: string, escapeChar: string): boolean {
  if (hasHeredocs(last) && safe(() => last.getHeredocs(), []).some((h) => h.getDelimiterRange() === null)) return true;
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = (lines[i] ?? '').trimEnd();
    const t = l.trimStart();
    if (t === '' || t.startsWith('#')) continue;
    return endsWithContinuation(l, escapeChar);
  }
  return false;
}
