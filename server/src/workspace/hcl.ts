/**
 * A parser for the subset of HCL2 native syntax that Bake files use: attributes
 * (`name = expr`), blocks (`type "label" { … }`), comments (`#`, `//`, `/* *\/`),
 * strings with `${…}` templates, heredocs, tuples, objects, and any other
 * expression kept as text. It keeps the source range of every name and value,
 * which is what cross-file references and rename need.
 *
 * Why our own: the HCL parsers on npm either drop source positions (hcl2json and
 * the GopherJS/wasm builds of hashicorp/hcl give JSON only, asynchronously, in
 * megabytes of wasm) or need a tree-sitter runtime beside the bundle. Bake needs
 * attributes and blocks with positions; expressions we do not understand stay text.
 *
 * Errors never throw: the parser records them and skips to the next line.
 * Pure: no I/O.
 */
import type { Range } from 'vscode-languageserver-types';

export type HclValue =
  /** A quoted string or heredoc. `value` has escapes decoded and `${…}` kept as written. */
  | { readonly kind: 'string'; readonly value: string; readonly template: boolean; readonly range: Range; readonly contentRange: Range }
  | { readonly kind: 'tuple'; readonly items: readonly HclValue[]; readonly range: Range }
  | { readonly kind: 'object'; readonly attributes: readonly HclAttribute[]; readonly range: Range }
  /** Anything else (numbers, bools, references, calls, operators), as written. */
  | { readonly kind: 'other'; readonly text: string; readonly range: Range };

export interface HclAttribute {
  readonly name: string;
  readonly nameRange: Range;
  readonly value: HclValue;
  readonly range: Range;
}

export interface HclLabel {
  readonly value: string;
  readonly range: Range;
}

export interface HclBlock {
  readonly type: string;
  readonly typeRange: Range;
  readonly labels: readonly HclLabel[];
  readonly body: HclBody;
  readonly range: Range;
}

export interface HclBody {
  readonly attributes: readonly HclAttribute[];
  readonly blocks: readonly HclBlock[];
}

export interface HclError {
  readonly message: string;
  readonly range: Range;
}

export interface HclFile {
  readonly body: HclBody;
  readonly errors: readonly HclError[];
}

/** Nesting deeper than this is an error (a hostile file cannot exhaust the stack). */
const MAX_DEPTH = 64;
const MAX_ERRORS = 50;

class Parser {
  private pos = 0;
  readonly errors: HclError[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(private readonly src: string) {
    for (let i = 0; i < src.length; i++) {
      const c = src.charCodeAt(i);
      if (c === 10) this.lineStarts.push(i + 1);
      else if (c === 13 && src.charCodeAt(i + 1) !== 10) this.lineStarts.push(i + 1);
    }
  }

  range(a: number, b: number): Range {
    return { start: this.position(a), end: this.position(b) };
  }

  private position(off: number): { line: number; character: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= off) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: off - (this.lineStarts[lo] ?? 0) };
  }

  private error(message: string, a: number, b = a + 1): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push({ message, range: this.range(a, Math.min(Math.max(b, a), this.src.length)) });
  }

  private peek(k = 0): string {
    return this.src[this.pos + k] ?? '';
  }

  /** Skips spaces and comments; newlines too when `newlines`. */
  private skip(newlines: boolean): void {
    const s = this.src;
    while (this.pos < s.length) {
      const c = s[this.pos] ?? '';
      if (c === ' ' || c === '\t' || c === '\ufeff') this.pos++;
      else if (c === '\n' || c === '\r') {
        if (!newlines) return;
        this.pos++;
      } else if (c === '#' || (c === '/' && s[this.pos + 1] === '/')) {
        while (this.pos < s.length && s[this.pos] !== '\n' && s[this.pos] !== '\r') this.pos++;
      } else if (c === '/' && s[this.pos + 1] === '*') {
        const end = s.indexOf('*/', this.pos + 2);
        if (end < 0) {
          this.error('Unterminated comment', this.pos, s.length);
          this.pos = s.length;
        } else this.pos = end + 2;
      } else return;
    }
  }

  private identifier(): string | undefined {
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.src.slice(this.pos, this.pos + 256));
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  /** Skips the rest of the line (error recovery), balancing brackets. */
  private skipLine(): void {
    let depth = 0;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos] ?? '';
      if ((c === '\n' || c === '\r') && depth <= 0) return;
      if (c === '"') {
        this.quoted(0);
        continue;
      }
      if (c === '{' || c === '[' || c === '(') depth++;
      else if (c === '}' || c === ']' || c === ')') {
        if (depth === 0) return;
        depth--;
      }
      this.pos++;
    }
  }

  body(depth: number, closing: boolean): HclBody {
    const attributes: HclAttribute[] = [];
    const blocks: HclBlock[] = [];
    for (;;) {
      this.skip(true);
      if (this.pos >= this.src.length) {
        if (closing) this.error("Missing '}'", this.src.length, this.src.length);
        return { attributes, blocks };
      }
      if (this.peek() === '}') {
        if (closing) return { attributes, blocks };
        this.error("Unexpected '}'", this.pos);
        this.pos++;
        continue;
      }
      const start = this.pos;
      const name = this.identifier();
      if (name === undefined) {
        this.error(`Expected an attribute or a block, found '${this.peek()}'`, this.pos);
        this.skipLine();
        if (this.peek() === '}' && !closing) this.pos++;
        continue;
      }
      const nameRange = this.range(start, this.pos);
      this.skip(false);
      if (this.peek() === '=' && this.peek(1) !== '=') {
        this.pos++;
        this.skip(false);
        const value = this.expression(depth + 1);
        attributes.push({ name, nameRange, value, range: this.range(start, this.pos) });
        this.endOfLine();
        continue;
      }
      // A block: labels (quoted strings or identifiers), then `{`.
      const labels: HclLabel[] = [];
      while (this.peek() === '"' || /[A-Za-z_]/.test(this.peek())) {
        const a = this.pos;
        if (this.peek() === '"') {
          const s = this.quoted(depth + 1);
          labels.push({ value: s.value, range: s.contentRange });
        } else {
          const id = this.identifier() as string;
          labels.push({ value: id, range: this.range(a, this.pos) });
        }
        this.skip(false);
      }
      if (this.peek() !== '{') {
        this.error(`Expected '=' or '{' after '${name}'`, this.pos);
        this.skipLine();
        continue;
      }
      if (depth >= MAX_DEPTH) {
        this.error('Blocks nested too deeply', this.pos);
        this.pos = this.src.length;
        return { attributes, blocks };
      }
      this.pos++;
      const b = this.body(depth + 1, true);
      if (this.peek() === '}') this.pos++;
      blocks.push({ type: name, typeRange: nameRange, labels, body: b, range: this.range(start, this.pos) });
      this.endOfLine();
    }
  }

  private endOfLine(): void {
    this.skip(false);
    const c = this.peek();
    if (c === '' || c === '\n' || c === '\r' || c === '}') return;
    this.error(`Unexpected '${c}': expected a new line`, this.pos);
    this.skipLine();
  }

  /** A quoted string starting at `"`: decodes escapes, keeps `${…}` and `%{…}` as written. */
  private quoted(depth: number): Extract<HclValue, { kind: 'string' }> {
    const s = this.src;
    const start = this.pos;
    this.pos++;
    let value = '';
    let template = false;
    while (this.pos < s.length) {
      const c = s[this.pos] ?? '';
      if (c === '"') {
        const r = { kind: 'string' as const, value, template, range: this.range(start, this.pos + 1), contentRange: this.range(start + 1, this.pos) };
        this.pos++;
        return r;
      }
      if (c === '\n' || c === '\r') break;
      if (c === '\\') {
        const n = s[this.pos + 1] ?? '';
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
        if (n === 'u' || n === 'U') {
          const len = n === 'u' ? 4 : 8;
          const hex = s.slice(this.pos + 2, this.pos + 2 + len);
          const cp = /^[0-9a-fA-F]+$/.test(hex) && hex.length === len ? parseInt(hex, 16) : NaN;
          value += Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
          this.pos += 2 + len;
        } else {
          value += map[n] ?? n;
          this.pos += 2;
        }
        continue;
      }
      if ((c === '$' || c === '%') && s[this.pos + 1] === '{') {
        const a = this.pos;
        this.pos += 2;
        this.template(depth + 1);
        value += s.slice(a, this.pos);
        template = true;
        continue;
      }
      if ((c === '$' || c === '%') && s[this.pos + 1] === c && s[this.pos + 2] === '{') {
        value += c + '{';
        this.pos += 3;
        continue;
      }
      value += c;
      this.pos++;
    }
    this.error('Unterminated string', start, this.pos);
    return { kind: 'string', value, template, range: this.range(start, this.pos), contentRange: this.range(start + 1, this.pos) };
  }

  /** Skips a template interpolation body up to its `}` (strings and braces inside balanced). */
  private template(depth: number): void {
    if (depth > MAX_DEPTH) {
      this.error('Template nested too deeply', this.pos);
      this.pos = this.src.length;
      return;
    }
    let braces = 0;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos] ?? '';
      if (c === '"') {
        this.quoted(depth + 1);
        continue;
      }
      if (c === '{') braces++;
      else if (c === '}') {
        if (braces === 0) {
          this.pos++;
          return;
        }
        braces--;
      } else if (c === '\n' || c === '\r') break;
      this.pos++;
    }
    this.error('Unterminated template', this.pos);
  }

  private heredoc(): Extract<HclValue, { kind: 'string' }> | undefined {
    const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*(\r\n|\r|\n)/.exec(this.src.slice(this.pos, this.pos + 300));
    if (!m) return undefined;
    const start = this.pos;
    const marker = m[2] ?? '';
    let p = this.pos + m[0].length;
    const contentStart = p;
    const lines: string[] = [];
    while (p < this.src.length) {
      const nl = /\r\n|\r|\n/g;
      nl.lastIndex = p;
      const found = nl.exec(this.src);
      const end = found ? found.index : this.src.length;
      const line = this.src.slice(p, end);
      if (line.trim() === marker) {
        const value = m[1] === '-' ? dedent(lines) : lines.map((l) => l + '\n').join('');
        this.pos = end;
        return { kind: 'string', value, template: /[$%]\{/.test(value), range: this.range(start, end), contentRange: this.range(contentStart, p) };
      }
      lines.push(line);
      p = found ? end + found[0].length : end;
    }
    this.error(`Unterminated heredoc (no closing ${marker})`, start, start + m[0].length);
    this.pos = this.src.length;
    return { kind: 'string', value: lines.join('\n'), template: false, range: this.range(start, this.pos), contentRange: this.range(contentStart, this.pos) };
  }

  expression(depth: number): HclValue {
    if (depth > MAX_DEPTH) {
      this.error('Expression nested too deeply', this.pos);
      const a = this.pos;
      this.pos = this.src.length;
      return { kind: 'other', text: '', range: this.range(a, a) };
    }
    const start = this.pos;
    const first = this.primary(depth);
    // Anything after the first operand on the same level (operators, calls, indexing): keep it as text.
    this.skip(false);
    const c = this.peek();
    if (c === '' || c === '\n' || c === '\r' || c === ',' || c === ']' || c === '}' || c === ')' || c === ':' || (c === '=' && this.peek(1) !== '='))
      return first;
    this.rest(depth);
    return { kind: 'other', text: this.src.slice(start, this.pos), range: this.range(start, this.pos) };
  }

  /** The rest of a compound expression, up to a newline, `,` or a closing bracket at this level. */
  private rest(depth: number): void {
    let guard = 0;
    for (;;) {
      this.skip(false);
      const c = this.peek();
      if (c === '' || c === '\n' || c === '\r' || c === ',' || c === ']' || c === '}' || c === ')') return;
      if (c === '(' || c === '[' || c === '{') {
        const open = c;
        const close = open === '(' ? ')' : open === '[' ? ']' : '}';
        this.pos++;
        this.skip(true);
        while (this.pos < this.src.length && this.peek() !== close) {
          const before = this.pos;
          this.expression(depth + 1);
          this.skip(true);
          if (this.peek() === ',' || this.peek() === ':' || this.peek() === '=') this.pos++;
          if (this.pos === before) this.pos++;
          this.skip(true);
        }
        if (this.peek() === close) this.pos++;
        continue;
      }
      const before = this.pos;
      if (c === '"' || /[A-Za-z0-9_.]/.test(c) || c === '<') this.primary(depth + 1);
      if (this.pos === before) this.pos++;
      if (++guard > 100_000) return;
    }
  }

  private primary(depth: number): HclValue {
    const start = this.pos;
    const c = this.peek();
    if (c === '"') return this.quoted(depth);
    if (c === '<' && this.peek(1) === '<') {
      const h = this.heredoc();
      if (h) return h;
    }
    if (c === '[') {
      this.pos++;
      const items: HclValue[] = [];
      for (;;) {
        this.skip(true);
        if (this.peek() === ']') {
          this.pos++;
          break;
        }
        if (this.pos >= this.src.length) {
          this.error("Missing ']'", start, this.pos);
          break;
        }
        const before = this.pos;
        items.push(this.expression(depth + 1));
        this.skip(true);
        if (this.peek() === ',') this.pos++;
        else if (this.peek() !== ']') {
          this.error(`Expected ',' or ']', found '${this.peek()}'`, this.pos);
          if (this.pos === before) this.pos++;
          if (this.peek() === '}' || this.pos >= this.src.length) break;
        }
      }
      return { kind: 'tuple', items, range: this.range(start, this.pos) };
    }
    if (c === '{') {
      this.pos++;
      const attributes: HclAttribute[] = [];
      for (;;) {
        this.skip(true);
        if (this.peek() === '}') {
          this.pos++;
          break;
        }
        if (this.pos >= this.src.length) {
          this.error("Missing '}'", start, this.pos);
          break;
        }
        const a = this.pos;
        let name: string | undefined;
        let nameRange: Range;
        if (this.peek() === '"') {
          const q = this.quoted(depth + 1);
          name = q.value;
          nameRange = q.contentRange;
        } else {
          name = this.identifier();
          nameRange = this.range(a, this.pos);
        }
        this.skip(false);
        if (name === undefined || (this.peek() !== '=' && this.peek() !== ':')) {
          this.error('Expected a key and = or :', this.pos);
          this.skipLine();
          if (this.pos === a) this.pos++;
          continue;
        }
        this.pos++;
        this.skip(false);
        const value = this.expression(depth + 1);
        attributes.push({ name, nameRange, value, range: this.range(a, this.pos) });
        this.skip(false);
        if (this.peek() === ',') this.pos++;
      }
      return { kind: 'object', attributes, range: this.range(start, this.pos) };
    }
    if (c === '(') {
      this.rest(depth);
      return { kind: 'other', text: this.src.slice(start, this.pos), range: this.range(start, this.pos) };
    }
    const m = /^(?:[A-Za-z_][A-Za-z0-9_-]*|[0-9][0-9.eE+-]*)/.exec(this.src.slice(this.pos, this.pos + 256));
    if (m) {
      this.pos += m[0].length;
      return { kind: 'other', text: m[0], range: this.range(start, this.pos) };
    }
    if (c === '' || c === '\n' || c === '\r') this.error('Expected a value', this.pos, this.pos);
    else {
      this.error(`Unexpected '${c}'`, this.pos);
      this.pos++;
    }
    return { kind: 'other', text: this.src.slice(start, this.pos), range: this.range(start, this.pos) };
  }
}

function dedent(lines: readonly string[]): string {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const n = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(n) + '\n').join('');
}

export function parseHcl(text: string): HclFile {
  const p = new Parser(text);
  const body = p.body(0, false);
  return { body, errors: p.errors };
}

export function attribute(body: HclBody | undefined, name: string): HclAttribute | undefined {
  // HCL forbids duplicates; the last one wins for us.
  const all = body?.attributes.filter((a) => a.name === name) ?? [];
  return all[all.length - 1];
}
