/**
 * Build-argument expansion as BuildKit's shell lexer does it for FROM and
 * stage-reference values: `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`,
 * `${VAR:+word}`, `${VAR+word}`, `${VAR#pattern}`, `${VAR##pattern}`,
 * `${VAR%pattern}`, `${VAR%%pattern}`. Pure; no I/O.
 */

/** Values known at analysis time: `undefined` = not declared, `null` = declared without a default. */
export type ArgValues = ReadonlyMap<string, string | null>;

export interface Expansion {
  /** The value with every variable replaced by its default ('' when it has none). */
  readonly value: string;
  /** True when the text used at least one variable: the real value may differ at build time. */
  readonly dynamic: boolean;
  /** Variables used, in order of appearance. */
  readonly variables: readonly string[];
  /** Variables used that are not declared at all (BuildKit's UndefinedArgInFrom). */
  readonly undeclared: readonly string[];
}

/** The automatic platform ARGs BuildKit defines, with the values of a linux/amd64 build on linux/amd64. */
export const AUTOMATIC_PLATFORM_ARGS: ReadonlyMap<string, string> = new Map([
  ['BUILDPLATFORM', 'linux/amd64'],
  ['BUILDOS', 'linux'],
  ['BUILDARCH', 'amd64'],
  ['BUILDVARIANT', ''],
  ['TARGETPLATFORM', 'linux/amd64'],
  ['TARGETOS', 'linux'],
  ['TARGETARCH', 'amd64'],
  ['TARGETVARIANT', ''],
]);

/** Other ARGs BuildKit predefines (proxies, BuildKit settings); usable without a declaration. */
export const PREDEFINED_ARGS: ReadonlySet<string> = new Set([
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
  'BUILDKIT_CONTEXT_KEEP_GIT_DIR',
  'BUILDKIT_INLINE_CACHE',
  'BUILDKIT_MULTI_PLATFORM',
  'BUILDKIT_SANDBOX_HOSTNAME',
  'BUILDKIT_SYNTAX',
  'SOURCE_DATE_EPOCH',
]);

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/**
 * Expands `text` with `values`. `escape` is the Dockerfile's escape character:
 * an escaped `$` stays literal. Never throws; malformed `${` is kept literally.
 */
export function expand(text: string, values: ArgValues, escape = '\\'): Expansion {
  if (!text.includes('$')) return { value: text, dynamic: false, variables: [], undeclared: [] };
  const variables: string[] = [];
  const undeclared: string[] = [];
  let out = '';
  let i = 0;
  const lookup = (name: string): string | null | undefined => {
    variables.push(name);
    if (values.has(name)) return values.get(name);
    const auto = AUTOMATIC_PLATFORM_ARGS.get(name);
    if (auto !== undefined) return auto;
    if (!PREDEFINED_ARGS.has(name)) undeclared.push(name);
    return undefined;
  };
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === escape && i + 1 < text.length) {
      out += text[i + 1] ?? '';
      i += 2;
      continue;
    }
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next !== undefined && NAME_START.test(next)) {
      let j = i + 1;
      while (j < text.length && NAME_CHAR.test(text[j] ?? '')) j++;
      out += lookup(text.slice(i + 1, j)) ?? '';
      i = j;
      continue;
    }
    if (next === '{') {
      const close = findClose(text, i + 2);
      if (close < 0) {
        out += text.slice(i);
        break;
      }
      out += expandBraced(text.slice(i + 2, close), lookup, values, escape, variables, undeclared);
      i = close + 1;
      continue;
    }
    out += c;
    i++;
  }
  return { value: out, dynamic: variables.length > 0, variables: unique(variables), undeclared: unique(undeclared) };
}

function findClose(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

function expandBraced(
  inner: string,
  lookup: (name: string) => string | null | undefined,
  values: ArgValues,
  escape: string,
  variables: string[],
  undeclared: string[],
): string {
  let j = 0;
  while (j < inner.length && NAME_CHAR.test(inner[j] ?? '')) j++;
  const name = inner.slice(0, j);
  if (!name) return '${' + inner + '}';
  const value = lookup(name);
  const rest = inner.slice(j);
  if (!rest) return value ?? '';
  const word = (w: string): string => {
    const e = expand(w, values, escape);
    variables.push(...e.variables);
    undeclared.push(...e.undeclared);
    return e.value;
  };
  const set = value !== undefined && value !== null;
  const nonEmpty = set && value !== '';
  if (rest.startsWith(':-')) return nonEmpty ? value : word(rest.slice(2));
  if (rest.startsWith('-')) return set ? value : word(rest.slice(1));
  if (rest.startsWith(':+')) return nonEmpty ? word(rest.slice(2)) : '';
  if (rest.startsWith('+')) return set ? word(rest.slice(1)) : '';
  const v = value ?? '';
  if (rest.startsWith('##')) return trimPrefix(v, word(rest.slice(2)), true);
  if (rest.startsWith('#')) return trimPrefix(v, word(rest.slice(1)), false);
  if (rest.startsWith('%%')) return trimSuffix(v, word(rest.slice(2)), true);
  if (rest.startsWith('%')) return trimSuffix(v, word(rest.slice(1)), false);
  return v;
}

/** Shell glob (`*`, `?`) to an anchored regular expression. */
function globSource(pattern: string, greedy: boolean): string {
  let src = '';
  for (const ch of pattern) {
    if (ch === '*') src += greedy ? '.*' : '.*?';
    else if (ch === '?') src += '.';
    else src += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return src;
}

/** Beyond this length, pattern trimming (quadratic in the value) is not attempted. */
const MAX_TRIM = 4096;

function trimPrefix(value: string, pattern: string, longest: boolean): string {
  if (value.length > MAX_TRIM) return value;
  // Try every prefix length, shortest first (or longest first), as the shell does.
  const re = new RegExp('^(?:' + globSource(pattern, true) + ')$', 's');
  if (longest) {
    for (let n = value.length; n >= 0; n--) if (re.test(value.slice(0, n))) return value.slice(n);
  } else {
    for (let n = 0; n <= value.length; n++) if (re.test(value.slice(0, n))) return value.slice(n);
  }
  return value;
}

function trimSuffix(value: string, pattern: string, longest: boolean): string {
  if (value.length > MAX_TRIM) return value;
  const re = new RegExp('^(?:' + globSource(pattern, true) + ')$', 's');
  if (longest) {
    for (let n = 0; n <= value.length; n++) if (re.test(value.slice(n))) return value.slice(0, n);
  } else {
    for (let n = value.length; n >= 0; n--) if (re.test(value.slice(n))) return value.slice(0, n);
  }
  return value;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
