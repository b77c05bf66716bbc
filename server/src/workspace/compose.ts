/**
 * Compose files: the services that build a Dockerfile, with the positions of
 * their `build` keys, parsed with the `yaml` package (which keeps positions).
 * Pure: no LSP, no I/O (path arithmetic only).
 */
import * as path from 'node:path';
import type { LineCounter, Node, Pair, YAMLMap } from 'yaml';

/** The YAML parser, loaded when the first Compose file is parsed: most sessions never open one. */
let yamlModule: typeof import('yaml') | undefined;
function yaml(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  yamlModule ??= require('yaml') as typeof import('yaml');
  return yamlModule;
}
const isMap = (n: unknown): n is YAMLMap => yaml().isMap(n);
const isScalar = (n: unknown): n is import('yaml').Scalar => yaml().isScalar(n);
const isSeq = (n: unknown): n is import('yaml').YAMLSeq => yaml().isSeq(n);
import type { Range } from 'vscode-languageserver-types';

/** A scalar value with its position; `value` is after Compose interpolation with defaults. */
export interface ComposeValue {
  readonly raw: string;
  readonly value: string;
  /** It uses a variable (`${VAR}`), so the real value depends on the environment. */
  readonly dynamic: boolean;
  readonly range: Range;
}

export interface ComposeTarget {
  readonly keyRange: Range;
  /** The value node (empty at the end of the key when `target:` has no value). */
  readonly valueRange: Range;
  /** Null while `target:` has no value (or a non-scalar one). */
  readonly value: ComposeValue | null;
}

export interface ComposeBuild {
  readonly keyRange: Range;
  /** `build: ./dir` (the short form: a context only). */
  readonly short: boolean;
  readonly context: ComposeValue | undefined;
  readonly dockerfile: ComposeValue | undefined;
  /** `dockerfile_inline`: no file to read. */
  readonly inline: boolean;
  readonly target: ComposeTarget | undefined;
  /** `build.args` with literal values, as `NAME=value`. */
  readonly args: readonly string[];
}

export interface ComposeService {
  readonly name: string;
  readonly nameRange: Range;
  readonly build: ComposeBuild | undefined;
  readonly platform: ComposeValue | undefined;
}

export interface ComposeFile {
  readonly services: readonly ComposeService[];
  /** YAML syntax errors (the services found so far are still returned). */
  readonly errors: readonly { readonly message: string; readonly range: Range }[];
}

/** The file names VS Code gives the `dockercompose` language (compose.yaml, docker-compose.yml, compose.prod.yaml, …). */
export function isComposeFileName(name: string): boolean {
  return /^compose(\..+)?\.ya?ml$/i.test(name) || /^.*docker.*compose.*\.ya?ml$/i.test(name);
}

/** The file a plain `docker compose` reads first (overrides are merged onto it). */
export function isBaseComposeFileName(name: string): boolean {
  return /^(docker-)?compose\.ya?ml$/i.test(name);
}

/** Compose interpolation with defaults: `$$` is a dollar, `${X:-d}` / `${X-d}` take d, other variables count as empty. */
export function interpolate(raw: string): { value: string; dynamic: boolean } {
  if (!raw.includes('$')) return { value: raw, dynamic: false };
  let dynamic = false;
  const value = raw.replace(/\$\$|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m: string, braced: string | undefined) => {
    if (m === '$$') return '$';
    dynamic = true;
    if (braced === undefined) return '';
    const d = /^[A-Za-z_][A-Za-z0-9_]*(:?-)(.*)$/s.exec(braced);
    return d ? (d[2] ?? '') : '';
  });
  return { value, dynamic };
}

function rangeOf(lc: LineCounter, start: number, end: number): Range {
  const a = lc.linePos(start);
  const b = lc.linePos(end);
  return { start: { line: a.line - 1, character: a.col - 1 }, end: { line: b.line - 1, character: b.col - 1 } };
}

function nodeRange(lc: LineCounter, n: Node | null | undefined, fallback: number): Range {
  const r = n?.range;
  return r ? rangeOf(lc, r[0], r[1]) : rangeOf(lc, fallback, fallback);
}

function scalarValue(lc: LineCounter, n: unknown): ComposeValue | undefined {
  if (!isScalar(n)) return undefined;
  const v: unknown = n.value;
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') return undefined;
  const raw = String(v);
  const { value, dynamic } = interpolate(raw);
  return { raw, value, dynamic, range: nodeRange(lc, n, 0) };
}

function keyName(p: Pair): string | undefined {
  return isScalar(p.key) && typeof p.key.value === 'string' ? p.key.value : undefined;
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => keyName(p) === key);
}

function buildArgs(lc: LineCounter, n: unknown): string[] {
  const out: string[] = [];
  if (isMap(n)) {
    for (const p of n.items) {
      const k = keyName(p);
      const v = p.value === null ? undefined : scalarValue(lc, p.value);
      if (k && v && !v.dynamic) out.push(`${k}=${v.value}`);
    }
  } else if (isSeq(n)) {
    for (const item of n.items) {
      const v = scalarValue(lc, item);
      // `- NAME` (no value) takes the value from the environment: leave it to the builder.
      if (v && !v.dynamic && v.value.includes('=')) out.push(v.value);
    }
  }
  return out;
}

function parseBuild(lc: LineCounter, p: Pair): ComposeBuild {
  const keyRange = nodeRange(lc, p.key as Node, 0);
  const v = p.value;
  if (!isMap(v)) {
    const context = scalarValue(lc, v);
    return { keyRange, short: true, context, dockerfile: undefined, inline: false, target: undefined, args: [] };
  }
  const tp = pairOf(v, 'target');
  let target: ComposeTarget | undefined;
  if (tp) {
    const tk = nodeRange(lc, tp.key as Node, 0);
    const val = scalarValue(lc, tp.value);
    const valueNode = tp.value as Node | null;
    const valueRange = valueNode?.range ? nodeRange(lc, valueNode, 0) : { start: tk.end, end: tk.end };
    target = { keyRange: tk, valueRange, value: val && val.raw !== '' ? val : null };
  }
  return {
    keyRange,
    short: false,
    context: scalarValue(lc, pairOf(v, 'context')?.value),
    dockerfile: scalarValue(lc, pairOf(v, 'dockerfile')?.value),
    inline: pairOf(v, 'dockerfile_inline') !== undefined,
    target,
    args: buildArgs(lc, pairOf(v, 'args')?.value),
  };
}

export function parseCompose(text: string): ComposeFile {
  const lc = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  const errors = doc.errors.map((e) => ({ message: e.message, range: rangeOf(lc, e.pos[0], e.pos[1]) }));
  const services: ComposeService[] = [];
  const root = doc.contents;
  const svcs = isMap(root) ? pairOf(root, 'services')?.value : undefined;
  if (isMap(svcs)) {
    for (const p of svcs.items) {
      const key: unknown = isScalar(p.key) ? p.key.value : undefined;
      const name = typeof key === 'string' || typeof key === 'number' ? String(key) : undefined;
      if (name === undefined) continue;
      const body = p.value;
      const bp = isMap(body) ? pairOf(body, 'build') : undefined;
      services.push({
        name,
        nameRange: nodeRange(lc, p.key as Node, 0),
        build: bp && bp.value !== null ? parseBuild(lc, bp) : undefined,
        platform: isMap(body) ? scalarValue(lc, pairOf(body, 'platform')?.value) : undefined,
      });
    }
  }
  return { services, errors };
}

/** A context that is not a local folder (a Git or HTTP URL). */
export function isRemoteContext(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^git@/.test(s) || /\.git(#.*)?$/.test(s);
}

export type BuildPaths =
  | { readonly kind: 'local'; readonly context: string; readonly dockerfile: string }
  /** Remote context, inline Dockerfile, or a value that depends on variables: nothing to read. */
  | { readonly kind: 'unknown'; readonly why: string };

/**
 * The context folder and the Dockerfile a service builds. `base` is the same
 * service in the file this one overrides (compose.yaml under compose.override.yaml),
 * whose keys apply where this one has none.
 */
export function resolveBuildPaths(composeDir: string, build: ComposeBuild, base?: ComposeBuild): BuildPaths {
  if (build.inline || (!build.dockerfile && base?.inline)) return { kind: 'unknown', why: 'the Dockerfile is inline (dockerfile_inline)' };
  const ctx = build.context ?? base?.context;
  const file = build.dockerfile ?? base?.dockerfile;
  if (ctx?.dynamic) return { kind: 'unknown', why: `the context uses a variable (${ctx.raw})` };
  if (file?.dynamic) return { kind: 'unknown', why: `the dockerfile uses a variable (${file.raw})` };
  if (ctx && isRemoteContext(ctx.value)) return { kind: 'unknown', why: `the context is remote (${ctx.value})` };
  const context = path.resolve(composeDir, ctx?.value ?? '.');
  return { kind: 'local', context, dockerfile: path.resolve(context, file?.value ?? 'Dockerfile') };
}
