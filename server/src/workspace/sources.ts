/**
 * Workspace files that name a Dockerfile stage as a build target: Compose files,
 * Bake files (HCL and JSON), dev containers and GitHub workflows. Each parser
 * returns the builds it declares, with the (context, dockerfile) resolved by that
 * format's rules and the position of the target value. Pure: path arithmetic only.
 */
import * as path from 'node:path';
import type { Range } from 'vscode-languageserver-types';
import type { Node as JsonNode, ParseError } from 'jsonc-parser';
import {
  isComposeFileName,
  isRemoteContext,
  parseCompose,
  resolveBuildPaths,
  type BuildPaths,
  type ComposeBuild,
  type ComposeFile,
  type ComposeTarget,
  type ComposeValue,
} from './compose';
import { attribute, parseHcl, type HclBlock, type HclValue } from './hcl';
import { lineAtOffset } from '../model/text';

export type SourceKind = 'compose' | 'bake' | 'devcontainer' | 'workflow';

/** A scalar with its position; `value` after the format's interpolation with defaults. */
export type SourceValue = ComposeValue;
/** A `target` key and its value (null while it has none). */
export type TargetSlot = ComposeTarget & { readonly file: string };

/** One build a workspace file declares. */
export interface TargetUse {
  readonly kind: SourceKind;
  /** The file that declares the build. */
  readonly file: string;
  /** Service, Bake target, `dev container` or `<job> step <n>`. */
  readonly name: string;
  readonly nameRange: Range;
  readonly paths: BuildPaths;
  /** The target value (in `target.file`, which for Bake may be a file this one inherits from). */
  readonly target: TargetSlot | undefined;
  readonly args: readonly string[];
  readonly platform: string | undefined;
}

export interface SourceFile {
  readonly kind: SourceKind;
  readonly file: string;
  readonly uses: readonly TargetUse[];
  /** Syntax errors worth showing (HCL only: the other formats have their own language support). */
  readonly errors: readonly { readonly message: string; readonly range: Range }[];
}

const BAKE = /^docker-bake(\.override)?\.(hcl|json)$/i;
export function isBakeFileName(name: string): boolean {
  return BAKE.test(name);
}

/** Which kind of workspace file a path is (by its name and folder), if any. */
export function sourceKindOf(p: string): SourceKind | undefined {
  const parts = p.split(/[\\/]/);
  const name = parts[parts.length - 1] ?? '';
  const dir = parts[parts.length - 2] ?? '';
  if (isComposeFileName(name)) return /^\.github$/.test(parts[parts.length - 3] ?? '') && dir === 'workflows' ? 'workflow' : 'compose';
  if (isBakeFileName(name)) return 'bake';
  if (name === '.devcontainer.json') return 'devcontainer';
  if (name === 'devcontainer.json' && (dir === '.devcontainer' || parts[parts.length - 3] === '.devcontainer')) return 'devcontainer';
  if (/\.ya?ml$/i.test(name) && dir === 'workflows' && parts[parts.length - 3] === '.github') return 'workflow';
  return undefined;
}

// ---- Compose ----------------------------------------------------------------------------

/** A quoted YAML scalar's range without its quotes (so that a rename keeps them). */
function unquoted(v: SourceValue): SourceValue {
  const r = v.range;
  const oneLine = r.start.line === r.end.line;
  if (!oneLine || v.raw.includes('\\') || v.raw.includes("'") || r.end.character - r.start.character !== v.raw.length + 2) return v;
  return { ...v, range: { start: { line: r.start.line, character: r.start.character + 1 }, end: { line: r.end.line, character: r.end.character - 1 } } };
}

export function composeUses(file: string, parsed: ComposeFile, baseOf: (service: string) => ComposeBuild | undefined): TargetUse[] {
  const dir = path.dirname(file);
  return parsed.services.flatMap((svc): TargetUse[] => {
    if (!svc.build) return [];
    const t = svc.build.target;
    return [
      {
        kind: 'compose',
        file,
        name: svc.name,
        nameRange: svc.nameRange,
        paths: resolveBuildPaths(dir, svc.build, baseOf(svc.name)),
        target: t ? { ...t, value: t.value && unquoted(t.value), file } : undefined,
        args: svc.build.args,
        platform: svc.platform && !svc.platform.dynamic ? svc.platform.value : undefined,
      },
    ];
  });
}

export function parseComposeSource(file: string, text: string): SourceFile {
  const parsed = parseCompose(text);
  return { kind: 'compose', file, uses: composeUses(file, parsed, () => undefined), errors: [] };
}

// ---- Bake ---------------------------------------------------------------------------------

/** One attribute of a Bake target as written, with its file. */
interface BakeAttr {
  readonly value: SourceValue | undefined;
  readonly keyRange: Range;
  readonly valueRange: Range;
  readonly file: string;
}

export interface BakeTargetDecl {
  readonly name: string;
  readonly nameRange: Range;
  readonly file: string;
  readonly context: BakeAttr | undefined;
  readonly dockerfile: BakeAttr | undefined;
  readonly target: BakeAttr | undefined;
  readonly inline: boolean;
  readonly inherits: readonly string[];
  readonly args: readonly string[];
  readonly platform: string | undefined;
}

export interface BakeFile {
  readonly file: string;
  readonly targets: readonly BakeTargetDecl[];
  readonly errors: readonly { readonly message: string; readonly range: Range }[];
}

/** Bake variables: `${NAME}` takes the variable's default (and marks the value dynamic). */
function bakeInterpolate(raw: string, vars: ReadonlyMap<string, string>): { value: string; dynamic: boolean } {
  if (!/[$%]\{/.test(raw)) return { value: raw, dynamic: false };
  const value = raw.replace(/\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}|[$%]\{[^}]*\}/g, (_m: string, name: string | undefined) =>
    name !== undefined ? (vars.get(name) ?? '') : '',
  );
  return { value, dynamic: true };
}

function hclString(v: HclValue | undefined, vars: ReadonlyMap<string, string>): SourceValue | undefined {
  if (!v || v.kind !== 'string') return undefined;
  const { value, dynamic } = bakeInterpolate(v.value, vars);
  return { raw: v.value, value, dynamic, range: v.contentRange };
}

export function parseBakeHcl(file: string, text: string): BakeFile {
  const hcl = parseHcl(text);
  const vars = new Map<string, string>();
  for (const b of hcl.body.blocks) {
    const d = b.type === 'variable' ? attribute(b.body, 'default')?.value : undefined;
    if (d?.kind === 'string' && b.labels[0] && !d.template) vars.set(b.labels[0].value, d.value);
  }
  const attr = (b: HclBlock, key: string): BakeAttr | undefined => {
    const a = attribute(b.body, key);
    return a
      ? { value: hclString(a.value, vars), keyRange: a.nameRange, valueRange: a.value.kind === 'string' ? a.value.contentRange : a.value.range, file }
      : undefined;
  };
  const targets: BakeTargetDecl[] = [];
  for (const b of hcl.body.blocks) {
    const label = b.labels[0];
    if (b.type !== 'target' || !label) continue;
    const inh = attribute(b.body, 'inherits')?.value;
    const inherits = inh?.kind === 'tuple' ? inh.items.flatMap((i) => (i.kind === 'string' ? [i.value] : [])) : [];
    const argsV = attribute(b.body, 'args')?.value;
    const args =
      argsV?.kind === 'object'
        ? argsV.attributes.flatMap((a) => {
            const s = hclString(a.value, vars);
            return s && !s.dynamic ? [`${a.name}=${s.value}`] : [];
          })
        : [];
    const pf = attribute(b.body, 'platforms')?.value;
    const platforms = pf?.kind === 'tuple' ? pf.items.flatMap((i) => (i.kind === 'string' && !i.template ? [i.value] : [])) : [];
    targets.push({
      name: label.value,
      nameRange: label.range,
      file,
      context: attr(b, 'context'),
      dockerfile: attr(b, 'dockerfile'),
      target: attr(b, 'target'),
      inline: attribute(b.body, 'dockerfile-inline') !== undefined,
      inherits,
      args,
      platform: platforms.length === 1 ? platforms[0] : undefined,
    });
  }
  return { file, targets, errors: hcl.errors };
}

function jsonRange(lineStarts: readonly number[], off: number, len: number): Range {
  const pos = (o: number) => {
    const line = lineAtOffset(lineStarts, o);
    return { line, character: o - (lineStarts[line] ?? 0) };
  };
  return { start: pos(off), end: pos(off + len) };
}

function starts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) out.push(i + 1);
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) out.push(i + 1);
  }
  return out;
}

function prop(n: JsonNode | undefined, key: string): JsonNode | undefined {
  if (n?.type !== 'object') return undefined;
  const p = n.children?.find((c) => c.type === 'property' && c.children?.[0]?.value === key);
  return p?.children?.[1];
}
function propKey(n: JsonNode | undefined, key: string): JsonNode | undefined {
  if (n?.type !== 'object') return undefined;
  return n.children?.find((c) => c.type === 'property' && c.children?.[0]?.value === key)?.children?.[0];
}

/** A JSON string node's content range (inside the quotes). */
function jsonString(
  ls: readonly number[],
  n: JsonNode | undefined,
  interp: (s: string) => { value: string; dynamic: boolean },
  errors: readonly ParseError[] = [],
): SourceValue | undefined {
  if (n?.type !== 'string' || typeof n.value !== 'string') return undefined;
  // A half-typed value (an unterminated string) is not a value yet.
  if (errors.some((e) => e.offset >= n.offset && e.offset <= n.offset + n.length)) return undefined;
  const { value, dynamic } = interp(n.value);
  return { raw: n.value, value, dynamic, range: jsonRange(ls, n.offset + 1, Math.max(0, n.length - 2)) };
}

function parseJson(text: string): { root: JsonNode | undefined; errors: ParseError[] } {
  const errors: ParseError[] = [];
  const root = jsonc().parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  return { root, errors };
}

export function parseBakeJson(file: string, text: string): BakeFile {
  const ls = starts(text);
  const { root, errors } = parseJson(text);
  const vars = new Map<string, string>();
  const vnode = prop(root, 'variable');
  for (const p of vnode?.children ?? []) {
    const name: unknown = p.children?.[0]?.value;
    const d = prop(p.children?.[1], 'default');
    if (typeof name === 'string' && d?.type === 'string' && typeof d.value === 'string') vars.set(name, d.value);
  }
  const interp = (s: string) => bakeInterpolate(s, vars);
  const targets: BakeTargetDecl[] = [];
  for (const p of prop(root, 'target')?.children ?? []) {
    const key = p.children?.[0];
    const body = p.children?.[1];
    if (!key || typeof key.value !== 'string' || body?.type !== 'object') continue;
    const attr = (k: string): BakeAttr | undefined => {
      const v = prop(body, k);
      const kn = propKey(body, k);
      if (!v || !kn) return undefined;
      const s = jsonString(ls, v, interp, errors);
      return { value: s, keyRange: jsonRange(ls, kn.offset, kn.length), valueRange: s?.range ?? jsonRange(ls, v.offset, v.length), file };
    };
    const inh = prop(body, 'inherits');
    const argsN = prop(body, 'args');
    const args = (argsN?.children ?? []).flatMap((a) => {
      const k: unknown = a.children?.[0]?.value;
      const v = a.children?.[1];
      return typeof k === 'string' && v?.type === 'string' && typeof v.value === 'string' && !interp(v.value).dynamic ? [`${k}=${v.value}`] : [];
    });
    targets.push({
      name: key.value,
      nameRange: jsonRange(ls, key.offset + 1, Math.max(0, key.length - 2)),
      file,
      context: attr('context'),
      dockerfile: attr('dockerfile'),
      target: attr('target'),
      inline: prop(body, 'dockerfile-inline') !== undefined,
      inherits: (inh?.children ?? []).flatMap((c) => (c.type === 'string' && typeof c.value === 'string' ? [c.value] : [])),
      args,
      platform: undefined,
    });
  }
  return { file, targets, errors: [] };
}

export function parseBake(file: string, text: string): BakeFile {
  return /\.json$/i.test(file) ? parseBakeJson(file, text) : parseBakeHcl(file, text);
}

/**
 * The builds of the Bake files of one folder, merged the way `docker buildx bake` reads them
 * (docker-bake.json, docker-bake.hcl, then the override files; a later block's attributes win),
 * with `inherits` applied (a target's own attributes win over its parents', parents in order,
 * the later parent winning). Context is relative to the Bake file's folder (where bake runs),
 * the Dockerfile relative to the context, `Dockerfile` by default.
 */
export function bakeUses(files: readonly BakeFile[]): TargetUse[] {
  const order = (f: string) => {
    const n = path.basename(f).toLowerCase();
    return (n.includes('override') ? 2 : 0) + (n.endsWith('.hcl') ? 1 : 0);
  };
  const sorted = [...files].sort((a, b) => order(a.file) - order(b.file));
  type Merged = {
    decls: BakeTargetDecl[];
    context?: BakeAttr;
    dockerfile?: BakeAttr;
    target?: BakeAttr;
    inline: boolean;
    inherits: string[];
    args: string[];
    platform?: string;
  };
  const merged = new Map<string, Merged>();
  for (const f of sorted) {
    for (const t of f.targets) {
      const m = merged.get(t.name) ?? { decls: [], inline: false, inherits: [], args: [] };
      m.decls.push(t);
      if (t.context) m.context = t.context;
      if (t.dockerfile) m.dockerfile = t.dockerfile;
      if (t.target) m.target = t.target;
      if (t.inline) m.inline = true;
      if (t.inherits.length) m.inherits = [...t.inherits];
      m.args.push(...t.args);
      if (t.platform) m.platform = t.platform;
      merged.set(t.name, m);
    }
  }
  type Eff = { context?: BakeAttr; dockerfile?: BakeAttr; target?: BakeAttr; inline: boolean; args: string[]; platform?: string };
  const resolve = (name: string, seen: Set<string>): Eff => {
    const m = merged.get(name);
    if (!m || seen.has(name) || seen.size > 32) return { inline: false, args: [] };
    seen.add(name);
    let eff: Eff = { inline: false, args: [] };
    for (const parent of m.inherits) {
      const p = resolve(parent, seen);
      eff = {
        context: p.context ?? eff.context,
        dockerfile: p.dockerfile ?? eff.dockerfile,
        target: p.target ?? eff.target,
        inline: p.inline || eff.inline,
        args: [...eff.args, ...p.args],
        platform: p.platform ?? eff.platform,
      };
    }
    seen.delete(name);
    return {
      context: m.context ?? eff.context,
      dockerfile: m.dockerfile ?? eff.dockerfile,
      target: m.target ?? eff.target,
      inline: m.inline || eff.inline,
      args: [...eff.args, ...m.args],
      platform: m.platform ?? eff.platform,
    };
  };
  const out: TargetUse[] = [];
  for (const [name, m] of merged) {
    const e = resolve(name, new Set());
    for (const d of m.decls) {
      const dir = path.dirname(d.file);
      let paths: BuildPaths;
      const ctx = e.context?.value;
      const df = e.dockerfile?.value;
      if (e.inline && !e.dockerfile) paths = { kind: 'unknown', why: 'the Dockerfile is inline (dockerfile-inline)' };
      else if (ctx?.dynamic) paths = { kind: 'unknown', why: `the context uses a variable (${ctx.raw})` };
      else if (df?.dynamic) paths = { kind: 'unknown', why: `the dockerfile uses a variable (${df.raw})` };
      else if (ctx && isRemoteContext(ctx.value)) paths = { kind: 'unknown', why: `the context is remote (${ctx.value})` };
      else {
        const context = path.resolve(dir, ctx?.value ?? '.');
        paths = { kind: 'local', context, dockerfile: path.resolve(context, df?.value ?? 'Dockerfile') };
      }
      const t = e.target;
      out.push({
        kind: 'bake',
        file: d.file,
        name,
        nameRange: d.nameRange,
        paths,
        target: t ? { keyRange: t.keyRange, valueRange: t.valueRange, value: t.value && t.value.raw !== '' ? t.value : null, file: t.file } : undefined,
        args: e.args,
        platform: e.platform,
      });
    }
  }
  return out;
}

// ---- Dev containers ------------------------------------------------------------------------

/**
 * devcontainer.json: `build.dockerfile` and `build.context` are relative to the
 * devcontainer.json file (context `.` by default); `build.target` names the stage.
 * The legacy top-level `dockerFile` / `context` work the same way.
 */
export function parseDevcontainer(file: string, text: string): SourceFile {
  const ls = starts(text);
  const { root, errors } = parseJson(text);
  const plain = (s: string) => ({ value: s, dynamic: /\$\{/.test(s) });
  const build = prop(root, 'build');
  const df = jsonString(ls, prop(build, 'dockerfile') ?? prop(root, 'dockerFile') ?? prop(root, 'dockerfile'), plain);
  const ctx = jsonString(ls, prop(build, 'context') ?? prop(root, 'context'), plain);
  if (!df) return { kind: 'devcontainer', file, uses: [], errors: [] };
  const dir = path.dirname(file);
  let paths: BuildPaths;
  if (df.dynamic) paths = { kind: 'unknown', why: `the dockerfile uses a variable (${df.raw})` };
  else if (ctx?.dynamic) paths = { kind: 'unknown', why: `the context uses a variable (${ctx.raw})` };
  else paths = { kind: 'local', context: path.resolve(dir, ctx?.value ?? '.'), dockerfile: path.resolve(dir, df.value) };
  const tNode = prop(build, 'target');
  const tKey = propKey(build, 'target');
  const tv = jsonString(ls, tNode, plain, errors);
  const bKey = propKey(root, 'build') ?? propKey(root, 'dockerFile') ?? propKey(root, 'dockerfile');
  const nameRange = bKey ? jsonRange(ls, bKey.offset, bKey.length) : df.range;
  const argsN = prop(build, 'args');
  const args = (argsN?.children ?? []).flatMap((a) => {
    const k: unknown = a.children?.[0]?.value;
    const v = a.children?.[1];
    return typeof k === 'string' && v?.type === 'string' && typeof v.value === 'string' && !/\$\{/.test(v.value) ? [`${k}=${v.value}`] : [];
  });
  return {
    kind: 'devcontainer',
    file,
    uses: [
      {
        kind: 'devcontainer',
        file,
        name: 'dev container',
        nameRange,
        paths,
        target:
          tKey && tNode
            ? {
                keyRange: jsonRange(ls, tKey.offset, tKey.length),
                valueRange: tv?.range ?? jsonRange(ls, tNode.offset, tNode.length),
                value: tv && tv.raw !== '' ? tv : null,
                file,
              }
            : undefined,
        args,
        platform: undefined,
      },
    ],
    errors: [],
  };
}

// ---- GitHub workflows ----------------------------------------------------------------------

/**
 * jsonc-parser, loaded when the first dev container file is read: at load it builds ~1,200
 * indentation strings (0.5 MB), which every start-up paid for before.
 */
let jsoncModule: typeof import('jsonc-parser') | undefined;
function jsonc(): typeof import('jsonc-parser') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  jsoncModule ??= require('jsonc-parser') as typeof import('jsonc-parser');
  return jsoncModule;
}

let yamlModule: typeof import('yaml') | undefined;
function yaml(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  yamlModule ??= require('yaml') as typeof import('yaml');
  return yamlModule;
}

/**
 * `docker/build-push-action` steps: `with.context` and `with.file` are relative to the
 * repository root (the folder that holds .github), `file` defaults to `{context}/Dockerfile`,
 * the context to the repository. `${{ … }}` expressions make a value dynamic.
 */
export function parseWorkflow(file: string, text: string): SourceFile {
  const Y = yaml();
  const lc = new Y.LineCounter();
  const doc = Y.parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  const rng = (a: number, b: number): Range => {
    const x = lc.linePos(a);
    const y = lc.linePos(b);
    return { start: { line: x.line - 1, character: x.col - 1 }, end: { line: y.line - 1, character: y.col - 1 } };
  };
  const get = (m: unknown, key: string): import('yaml').Pair | undefined =>
    Y.isMap(m) ? m.items.find((p) => Y.isScalar(p.key) && p.key.value === key) : undefined;
  const scalar = (n: unknown): SourceValue | undefined => {
    if (!Y.isScalar(n) || !n.range) return undefined;
    const v: unknown = n.value;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') return undefined;
    const raw = String(v);
    const quoted = n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE';
    const r = rng(n.range[0] + (quoted ? 1 : 0), n.range[1] - (quoted ? 1 : 0));
    return { raw, value: raw, dynamic: raw.includes('${{'), range: r };
  };
  const root = path.dirname(path.dirname(path.dirname(file)));
  const uses: TargetUse[] = [];
  const jobs = get(doc.contents, 'jobs')?.value;
  if (Y.isMap(jobs)) {
    for (const j of jobs.items) {
      const jobName = Y.isScalar(j.key) ? String(j.key.value) : '?';
      const steps = get(j.value, 'steps')?.value;
      if (!Y.isSeq(steps)) continue;
      steps.items.forEach((step, n) => {
        const u = scalar(get(step, 'uses')?.value);
        if (!u || !/^docker\/build-push-action@/.test(u.value)) return;
        const w = get(step, 'with')?.value;
        const ctx = scalar(get(w, 'context')?.value);
        const f = scalar(get(w, 'file')?.value);
        let paths: BuildPaths;
        if (ctx?.dynamic || f?.dynamic) paths = { kind: 'unknown', why: 'a value uses an expression (${{ … }})' };
        else if (ctx && isRemoteContext(ctx.value)) paths = { kind: 'unknown', why: `the context is remote (${ctx.value})` };
        else {
          const context = path.resolve(root, ctx?.value ?? '.');
          paths = { kind: 'local', context, dockerfile: f ? path.resolve(root, f.value) : path.join(context, 'Dockerfile') };
        }
        const tp = get(w, 'target');
        let target: TargetSlot | undefined;
        if (tp && Y.isScalar(tp.key) && tp.key.range) {
          const keyRange = rng(tp.key.range[0], tp.key.range[1]);
          const v = scalar(tp.value);
          target = { keyRange, valueRange: v?.range ?? { start: keyRange.end, end: keyRange.end }, value: v && v.raw !== '' ? v : null, file };
        }
        const nameNode = get(step, 'uses')?.key as import('yaml').Scalar | undefined;
        const nameRange = nameNode?.range ? rng(nameNode.range[0], nameNode.range[1]) : u.range;
        uses.push({ kind: 'workflow', file, name: `${jobName} step ${n + 1}`, nameRange, paths, target, args: [], platform: undefined });
      });
    }
  }
  return { kind: 'workflow', file, uses, errors: [] };
}
