/**
 * Just enough of a POSIX shell reader for the multi-stage conversion: split a
 * RUN body into simple commands (on `&&`, `||`, `;`, `|`, newlines), each into
 * words with quotes removed, leading `VAR=value` assignments and `cd` tracked.
 * Anything it cannot read exactly (substitutions, globs, redirections) is
 * flagged, never guessed. Pure.
 */
import type { InstructionSyntax } from '../model/syntax';
import { defined, joinInstruction } from '../model/text';

export interface SimpleCommand {
  /** Words with quotes removed. */
  readonly words: readonly string[];
  /** `VAR=value` prefixes of the command. */
  readonly env: ReadonlyMap<string, string>;
  /** The directory the command runs in (absolute, or undefined when a `cd` could not be followed). */
  readonly cwd: string | undefined;
  /** The command's text as written (for messages). */
  readonly text: string;
}

/** Characters after which a shell-form command cannot be turned into exec form word for word. */
const SHELL_SYNTAX = /[$`\\|&;<>(){}*?[\]~#\n'"]|^\s*\w+=/;

/** Joins a path onto a directory, normalising `.` and `..`. */
export function joinPath(dir: string, p: string): string {
  const abs = p.startsWith('/') ? p : `${dir.replace(/\/+$/, '')}/${p}`;
  const out: string[] = [];
  for (const seg of abs.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const joined = '/' + out.join('/');
  return p.endsWith('/') && joined !== '/' ? joined + '/' : joined;
}

/** Source text of `[start, end)` in `lines`, joined with `\n`. */
export function sliceText(lines: readonly string[], r: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
  if (r.start.line === r.end.line) return (lines[r.start.line] ?? '').slice(r.start.character, r.end.character);
  const out = [(lines[r.start.line] ?? '').slice(r.start.character)];
  for (let l = r.start.line + 1; l < r.end.line; l++) out.push(lines[l] ?? '');
  out.push((lines[r.end.line] ?? '').slice(0, r.end.character));
  return out.join('\n');
}

/**
 * The body of an instruction as the builder sees it: the text after the
 * keyword and flags, continuation lines joined, comment lines inside the
 * continuation dropped, heredoc bodies appended as further lines.
 */
export function instructionBody(lines: readonly string[], inst: InstructionSyntax, escape: string): string {
  const lastFlag = inst.flags[inst.flags.length - 1];
  const start = lastFlag ? lastFlag.range.end : inst.keywordRange.end;
  const { line, heredocLines } = joinInstruction(lines, start, inst.range.end, escape, inst.heredocs);
  const out = line.trim();
  // A heredoc is a script for the shell only when it is the whole command (`RUN <<EOF`);
  // otherwise (`python3 <<EOF`, `cat <<EOF > f`) its body is data.
  const scriptHeredoc = /^<<-?["']?\w+["']?$/.test(out);
  return scriptHeredoc && heredocLines.length ? heredocLines.join('\n') : out;
}

/** Is the body written in exec (JSON array) form? Returns the array, or undefined. */
export function execForm(body: string): string[] | undefined {
  const t = body.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) return v;
  } catch {
    return undefined;
  }
  return undefined;
}

interface Word {
  text: string;
  /** The word used shell syntax (a substitution, a glob) that this reader does not expand. */
  opaque: boolean;
}

/** Tokenises shell text into words and operators. */
function lex(text: string): (Word | { op: string })[] {
  const out: (Word | { op: string })[] = [];
  let i = 0;
  let cur: Word | undefined;
  const push = () => {
    if (cur) out.push(cur);
    cur = undefined;
  };
  const word = (): Word => (cur ??= { text: '', opaque: false });
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '\n') {
      push();
      out.push({ op: ';' });
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      push();
      i++;
    } else if (c === '#' && !cur) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '&' || c === '|' || c === ';') {
      push();
      const two = text.slice(i, i + 2);
      if (two === '&&' || two === '||' || two === ';;') {
        out.push({ op: two });
        i += 2;
      } else {
        out.push({ op: c });
        i++;
      }
    } else if (c === '(' || c === ')') {
      push();
      out.push({ op: c });
      i++;
    } else if (c === '<' || c === '>') {
      push();
      let op = c;
      i++;
      while (i < text.length && /[<>&\-|]/.test(text[i] ?? '')) op += text[i++] ?? '';
      out.push({ op });
    } else if (c === '\\') {
      word().text += text[i + 1] ?? '';
      i += 2;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      const stop = end < 0 ? text.length : end;
      word().text += text.slice(i + 1, stop);
      i = stop + 1;
    } else if (c === '"') {
      const w = word();
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length && /[$`"\\\n]/.test(text[i + 1] ?? '')) {
          w.text += text[i + 1] ?? '';
          i += 2;
        } else {
          if (text[i] === '$' || text[i] === '`') w.opaque = true;
          w.text += text[i++] ?? '';
        }
      }
      i++;
    } else if ((c === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) || c === '`') {
      // A substitution stays inside its word, whatever it contains: `$(cat list)`, `${A:-x}`, `…`.
      const w = word();
      w.opaque = true;
      const close = c === '`' ? '`' : text[i + 1] === '(' ? ')' : '}';
      const open = c === '`' ? '' : (text[i + 1] ?? '');
      let depth = 0;
      let j = c === '`' ? i + 1 : i + 2;
      while (j < text.length) {
        const d = text[j] ?? '';
        if (d === '\\') j++;
        else if (open && d === open) depth++;
        else if (d === close) {
          if (depth === 0) break;
          depth--;
        }
        j++;
      }
      w.text += text.slice(i, j + 1);
      i = j + 1;
    } else {
      const w = word();
      if (c === '$' || c === '*' || c === '?' || c === '[' || c === '{' || c === '~') w.opaque = true;
      w.text += c;
      i++;
    }
  }
  push();
  return out;
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/**
 * The simple commands of a shell-form body, in order, with the directory each
 * runs in. `cd` is followed; `cd -`, `cd` with a substitution, and subshells
 * end the tracking (cwd undefined). Heredoc openers (`<<EOF`) are skipped.
 */
export function simpleCommands(body: string, cwd: string | undefined): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  let dir = cwd;
  let words: Word[] = [];
  let depth = 0;
  const flush = () => {
    if (words.length === 0) return;
    const env = new Map<string, string>();
    let k = 0;
    while (k < words.length) {
      const m = ASSIGNMENT.exec(words[k]?.text ?? '');
      if (!m) break;
      env.set(m[1] ?? '', m[2] ?? '');
      k++;
    }
    const rest = words.slice(k);
    const texts = rest.map((w) => w.text);
    if (texts[0] === 'cd') {
      const target = rest[1];
      if (depth > 0) {
        /* a cd inside a subshell does not outlive it */
      } else if (!target) dir = '/root';
      else if (target.opaque || target.text === '-') dir = undefined;
      else dir = dir === undefined && !target.text.startsWith('/') ? undefined : joinPath(dir ?? '/', target.text);
    }
    if (texts.length) out.push({ words: texts, env, cwd: dir, text: words.map((w) => w.text).join(' ') });
    words = [];
  };
  const tokens = lex(body);
  for (let i = 0; i < tokens.length; i++) {
    const t = defined(tokens[i], 'shell token');
    if ('op' in t) {
      if (t.op === '(') depth++;
      if (t.op === ')') depth = Math.max(0, depth - 1);
      if (t.op.startsWith('<') || t.op.startsWith('>')) {
        // Redirection: drop its target word (a heredoc opener's delimiter too).
        const next = tokens[i + 1];
        if (next && !('op' in next)) i++;
        continue;
      }
      flush();
      continue;
    }
    words.push(t);
  }
  flush();
  return out;
}

/** The commands of a RUN instruction (shell or exec form). */
export function runCommands(body: string, cwd: string | undefined): SimpleCommand[] {
  const exec = execForm(body);
  if (exec) {
    // ["sh", "-c", "..."] is a shell command in disguise.
    if (exec.length >= 3 && /(^|\/)(ba)?sh$/.test(exec[0] ?? '') && exec[1] === '-c') return simpleCommands(exec[2] ?? '', cwd);
    return [{ words: exec, env: new Map(), cwd, text: exec.join(' ') }];
  }
  return simpleCommands(body, cwd);
}

/**
 * A shell-form command line as exec-form words, when the shell would do
 * nothing but split it on blanks; undefined when it uses any shell syntax.
 */
export function toExecForm(body: string): string[] | undefined {
  const t = body.trim();
  if (t === '' || SHELL_SYNTAX.test(t)) return undefined;
  return t.split(/\s+/);
}

/**
 * The value of an option in `words` from index `from`: `-o v`, `-o=v`, `--out v`,
 * `--out=v`, and with `attached` also `-ov` (gcc style).
 */
export function optionValue(words: readonly string[], names: readonly string[], from = 0, attached = false): string | undefined {
  let found: string | undefined;
  for (let i = from; i < words.length; i++) {
    const w = words[i] ?? '';
    for (const n of names) {
      if (w === n) found = words[i + 1];
      else if (w.startsWith(n + '=')) found = w.slice(n.length + 1);
      else if (attached && n.length === 2 && w.startsWith(n) && w.length > 2) found = w.slice(2);
    }
  }
  return found;
}

/** Words that are not options (nor option values for the given value-taking options). */
export function positionals(words: readonly string[], from: number, valueOptions: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = from; i < words.length; i++) {
    const w = words[i] ?? '';
    if (w === '--') {
      out.push(...words.slice(i + 1));
      break;
    }
    if (w.startsWith('-')) {
      if (!w.includes('=') && valueOptions.has(w)) i++;
      continue;
    }
    out.push(w);
  }
  return out;
}

/** Variable names a text refers to (`$X`, `${X}`, `${X:-…}`), honouring the escape character. */
export function referencedVariables(text: string, escape: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === escape) {
      i++;
      continue;
    }
    if (c !== '$') continue;
    const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/.exec(text.slice(i));
    if (m) out.push((m[1] ?? m[2]) as string);
  }
  return out;
}

/** Quotes a word for a JSON (exec form) array. */
export function jsonArray(words: readonly string[]): string {
  return '[' + words.map((w) => JSON.stringify(w)).join(', ') + ']';
}
