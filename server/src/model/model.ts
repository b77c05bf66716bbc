/**
 * The stage model: every stage and every cross-stage reference of a Dockerfile,
 * resolved the way BuildKit's dockerfile2llb resolves them:
 *
 * - a stage's name is lower-cased where it is declared;
 * - `COPY --from=<x>`: all digits (strconv.Atoi) means an index into the
 *   stages; otherwise the name is looked up lower-cased among all stages, the
 *   last declaration winning; an unknown name is an external image; a stage at
 *   or after the current one is an error;
 * - `RUN --mount=…,from=<x>`: looked up by name only, lower-cased; an index
 *   is an image name;
 * - `FROM <x>`: looked up exactly as written among the stages declared so far,
 *   so `FROM builder` finds `AS Builder` and `FROM Builder` is an image.
 *
 * Values that use build args are expanded with their defaults and marked dynamic.
 * Pure: no LSP, no I/O.
 */
import type { Position, Range } from 'vscode-languageserver-types';
import { parseDocument, type ParsedDocument, type UnchangedLines } from './document';
import { expand, type ArgValues } from './expand';
import type { ArgSyntax, DirectiveSyntax, FlagSyntax, FromSyntax, InstructionSyntax, Token } from './syntax';
import { defined, lineAtOffset, rangeContains } from './text';

export type ReferenceKind = 'copy' | 'mount' | 'from';

export type Resolution =
  /** An earlier stage. */
  | { readonly kind: 'stage'; readonly stage: number }
  /** Not a stage: an image (or a named build context) by that name. */
  | { readonly kind: 'image' }
  /** A stage at or after the one that refers to it: a build error. */
  | { readonly kind: 'later'; readonly stage: number }
  | { readonly kind: 'self'; readonly stage: number }
  /** `--from=<n>` with n not below the number of stages. */
  | { readonly kind: 'out-of-range'; readonly index: number }
  | { readonly kind: 'empty' };

export interface StageReference {
  readonly kind: ReferenceKind;
  /** The value as written. */
  readonly raw: string;
  /** The value after build-arg expansion with defaults. */
  readonly value: string;
  readonly range: Range;
  readonly dynamic: boolean;
  /** `COPY --from=<digits>`. */
  readonly numeric: boolean;
  /** Index of the stage the reference stands in. */
  readonly inStage: number;
  readonly resolution: Resolution;
  /** For `FROM`: an earlier stage whose name differs only in case (BuildKit will not find it). */
  readonly caseVariantOf: number | undefined;
}

export interface StageBase {
  readonly raw: string;
  readonly value: string;
  readonly range: Range | undefined;
  readonly dynamic: boolean;
  /** The earlier stage this stage is built on, when the base names one. */
  readonly stage: number | undefined;
}

export interface Stage {
  readonly index: number;
  /** Lower-cased, as BuildKit stores it; undefined for an unnamed stage. */
  readonly name: string | undefined;
  readonly nameToken: Token | undefined;
  readonly from: FromSyntax;
  readonly base: StageBase;
  readonly platform: { readonly raw: string; readonly value: string; readonly dynamic: boolean; readonly range: Range } | undefined;
  readonly instructions: readonly InstructionSyntax[];
  readonly args: readonly ArgSyntax[];
  /** From the FROM keyword to the end of the stage's last instruction. */
  readonly range: Range;
  /** The `# <name> <description>` comment above the FROM that `--call=targets` reads. */
  readonly description: string | undefined;
  /** Stages this one uses directly (its base and its COPY/mount sources), ascending. */
  readonly dependsOn: readonly number[];
  /** Stages that use this one directly, ascending. */
  readonly dependents: readonly number[];
  /** Built by a plain `docker build` (the last stage is the default target). */
  readonly builtByDefault: boolean;
  /** Some target builds it: it is named, the last stage, or needed by such a stage. */
  readonly reachable: boolean;
}

export interface GlobalArg {
  readonly name: string;
  readonly nameRange: Range;
  readonly value: string | null;
}

export interface StageModel {
  readonly parsed: ParsedDocument;
  readonly text: string;
  readonly escapeChar: string;
  readonly directives: readonly DirectiveSyntax[];
  readonly globalArgs: readonly GlobalArg[];
  /** Instructions before the first FROM. */
  readonly preludeInstructions: readonly InstructionSyntax[];
  readonly stages: readonly Stage[];
  /** Every cross-stage reference in document order. */
  readonly references: readonly StageReference[];
  readonly comments: readonly Token[];
  /** The stage a plain build produces (the last one). */
  readonly defaultTarget: Stage | undefined;
  /** Lines that hold git conflict markers. */
  readonly conflictMarkers: readonly Range[];
}

/** BuildKit's rule for a stage name, applied after lower-casing. */
export const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;
export const RESERVED_STAGE_NAMES: ReadonlySet<string> = new Set(['scratch', 'context']);

function globalArgValues(args: readonly ArgSyntax[]): Map<string, string | null> {
  const values = new Map<string, string | null>();
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (a === undefined) continue;
    // A default may use an earlier global ARG.
    values.set(a.name, a.value === null ? (values.get(a.name) ?? null) : expand(a.value, values).value);
  }
  return values;
}

/** ARG values visible at `line` inside a stage: its own ARGs, inheriting global defaults. */
function stageArgValues(globals: ReadonlyMap<string, string | null>, args: readonly ArgSyntax[], line: number): ArgValues {
  const first = args[0];
  if (first === undefined || first.line > line) return globals;
  const values = new Map(globals);
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (a === undefined || a.line > line) break;
    values.set(a.name, a.value === null ? (globals.get(a.name) ?? null) : expand(a.value, values).value);
  }
  return values;
}

function descriptionOf(parsed: ParsedDocument, fromLine: number, name: string | undefined): string | undefined {
  if (!name) return undefined;
  for (let l = fromLine - 1; l >= 0; l--) {
    const t = lineText(parsed, l).trim();
    if (!t.startsWith('#')) break;
    const body = t.replace(/^#\s?/, '');
    if (body.startsWith(name + ' ')) return body.slice(name.length + 1).trim();
  }
  return undefined;
}

/** Line `l` of the text, with its line break (read from the text: `parsed.lines` may not be split yet). */
function lineText(parsed: ParsedDocument, l: number): string {
  const starts = parsed.lineStarts;
  return parsed.text.slice(starts[l] ?? parsed.text.length, starts[l + 1] ?? parsed.text.length);
}

const NUMERIC = /^[+-]?\d+$/;

/**
 * The reference of a FROM image in stage `i`: a stage declared above it (exactly as
 * written), or, for diagnostics, a case variant of one or a later stage's name; else none.
 * `FROM x AS x`: FROM looks among the stages declared before this one, so the base is
 * the image x (dockerfile2llb adds a stage's name only after resolving its base): no reference.
 */
function fromReference(
  img: { readonly text: string; readonly range: Range },
  exp: { readonly value: string; readonly dynamic: boolean },
  i: number,
  exact: number | undefined,
  soFar: ReadonlyMap<string, number>,
  finalByName: ReadonlyMap<string, number>,
): StageReference | undefined {
  const ref = (resolution: Resolution, caseVariantOf: number | undefined): StageReference => ({
    kind: 'from',
    raw: img.text,
    value: exp.value,
    range: img.range,
    dynamic: exp.dynamic,
    numeric: false,
    inStage: i,
    resolution,
    caseVariantOf,
  });
  if (exact !== undefined) return ref({ kind: 'stage', stage: exact }, undefined);
  // Not a stage for BuildKit. Keep it as a reference when it looks like one, for diagnostics.
  const lower = exp.value.toLowerCase();
  const variant = soFar.get(lower);
  if (variant !== undefined) return ref({ kind: 'image' }, variant);
  const later = finalByName.get(lower);
  if (later !== undefined && later > i && exp.value === lower) return ref({ kind: 'later', stage: later }, undefined);
  return undefined;
}

/**
 * A COPY --from / mount from= value in stage `i`, as BuildKit resolves it: a numeric
 * COPY index, else a name looked up (case-insensitively) among all the stages.
 */
function resolveReference(value: string, numeric: boolean, i: number, count: number, finalByName: ReadonlyMap<string, number>): Resolution {
  if (value === '') return { kind: 'empty' };
  const relative = (t: number): Resolution => (t === i ? { kind: 'self', stage: t } : t > i ? { kind: 'later', stage: t } : { kind: 'stage', stage: t });
  if (numeric) {
    const n = Number(value);
    return n < 0 || n >= count ? { kind: 'out-of-range', index: n } : relative(n);
  }
  const t = finalByName.get(value.toLowerCase());
  return t === undefined ? { kind: 'image' } : relative(t);
}

/** Builds the model of one document version (re-using an earlier version's parse where the text is unchanged). */
export function buildModel(text: string, previous?: StageModel, unchanged?: UnchangedLines): StageModel {
  return modelFromParsed(parseDocument(text, previous?.parsed, unchanged));
}

export function modelFromParsed(parsed: ParsedDocument): StageModel {
  const chunks = parsed.chunks;
  const prelude = defined(chunks[0], 'prelude chunk').prelude;
  const globalArgs: GlobalArg[] = (prelude?.args ?? []).map((a) => ({ name: a.name, nameRange: a.nameRange, value: a.value }));
  const globals = globalArgValues(prelude?.args ?? []);
  const escape = parsed.escapeChar;
  const syntaxes = chunks.flatMap((c) => c.stages);
  const count = syntaxes.length;

  // Names as BuildKit registers them: FROM bases are looked up in the map as it
  // stands when the stage is added; COPY/mount sources in the final map.
  const names: (string | undefined)[] = syntaxes.map((s) => s.from.stageName?.text.toLowerCase());
  const finalByName = new Map<string, number>();
  names.forEach((n, i) => n !== undefined && finalByName.set(n, i));

  const references: StageReference[] = [];
  const bases: StageBase[] = [];
  const platforms: Stage['platform'][] = [];
  const soFar = new Map<string, number>();
  const direct: Set<number>[] = syntaxes.map(() => new Set<number>());

  syntaxes.forEach((s, i) => {
    const from = s.from;
    const img = from.image;
    const exp = img ? expand(img.text, globals, escape) : { value: '', dynamic: false };
    const exact = soFar.get(exp.value);
    const fromRef = img ? fromReference(img, exp, i, exact, soFar, finalByName) : undefined;
    if (fromRef) references.push(fromRef);
    const baseStage = fromRef?.resolution.kind === 'stage' ? fromRef.resolution.stage : undefined;
    if (baseStage !== undefined) direct[i]?.add(baseStage);
    bases.push({ raw: img?.text ?? '', value: exp.value, range: img?.range, dynamic: exp.dynamic, stage: baseStage });
    const pf: FlagSyntax | undefined = from.platform;
    if (pf && pf.value !== null && pf.valueRange) {
      const pe = expand(pf.value, globals, escape);
      platforms.push({ raw: pf.value, value: pe.value, dynamic: pe.dynamic, range: pf.valueRange });
    } else platforms.push(undefined);
    const own = names[i];
    if (own !== undefined) soFar.set(own, i);

    const refs = s.refs;
    for (let k = 0; k < refs.length; k++) {
      const r = refs[k];
      if (r === undefined) continue;
      // Most references name a stage literally: only one with a `$` needs the ARGs in scope.
      const e = r.value.includes('$') ? expand(r.value, stageArgValues(globals, s.args, r.range.start.line), escape) : { value: r.value, dynamic: false };
      const value = e.value;
      const numeric = r.kind === 'copy' && NUMERIC.test(value);
      const resolution = resolveReference(value, numeric, i, count, finalByName);
      if (resolution.kind === 'stage') direct[i]?.add(resolution.stage);
      references.push({ kind: r.kind, raw: r.value, value, range: r.range, dynamic: e.dynamic, numeric, inStage: i, resolution, caseVariantOf: undefined });
    }
  });

  const dependents: number[][] = syntaxes.map(() => []);
  direct.forEach((ds, i) => {
    ds.forEach((d) => dependents[d]?.push(i));
  });
  const dependsOn: number[][] = direct.map((ds) => (ds.size < 2 ? Array.from(ds) : Array.from(ds).sort((x, y) => x - y)));
  const defaultNeeds = closure(dependsOn, count > 0 ? [count - 1] : []);
  const roots: number[] = [];
  for (let i = 0; i < count; i++) if (names[i] !== undefined || i === count - 1) roots.push(i);
  const reachable = closure(dependsOn, roots);

  const stages: Stage[] = syntaxes.map((s, i) => {
    const last = s.instructions[s.instructions.length - 1] ?? s.from;
    return {
      index: i,
      name: names[i],
      nameToken: s.from.stageName,
      from: s.from,
      base: defined(bases[i], 'stage base'),
      platform: platforms[i],
      instructions: s.instructions,
      args: s.args,
      range: { start: s.from.range.start, end: last.range.end },
      description: descriptionOf(parsed, s.from.range.start.line, names[i]),
      dependsOn: defined(dependsOn[i], 'stage dependencies'),
      dependents: defined(dependents[i], 'stage dependents'),
      builtByDefault: defaultNeeds.has(i),
      reachable: reachable.has(i),
    };
  });

  return {
    parsed,
    text: parsed.text,
    escapeChar: escape,
    directives: prelude?.directives ?? [],
    globalArgs,
    preludeInstructions: prelude?.instructions ?? [],
    stages,
    references,
    comments: chunks.flatMap((c) => c.comments),
    defaultTarget: stages[count - 1],
    conflictMarkers: conflictMarkersOf(parsed),
  };
}

/** Lines that start with a merge conflict marker (`<<<<<<<`, `=======`, `>>>>>>>`, `|||||||`). */
const CONFLICT_MARKER = /^(<{7}|={7}|>{7}|\|{7})(\s|$)/;
/** Where one may stand in the text (the engine's search, not a call per line: this runs on every open). */
const CONFLICT_CANDIDATE = /^(?:<{7}|={7}|>{7}|\|{7})(?:\s|$)/gm;

function conflictMarkersOf(parsed: ParsedDocument): Range[] {
  const { text, lineStarts: starts } = parsed;
  const out: Range[] = [];
  CONFLICT_CANDIDATE.lastIndex = 0;
  for (let m = CONFLICT_CANDIDATE.exec(text); m !== null; m = CONFLICT_CANDIDATE.exec(text)) {
    // A candidate after a character that is a line break to the pattern but not to us (U+2028) is no line start.
    const n = lineAtOffset(starts, m.index);
    const l = lineText(parsed, n).replace(/\r?\n$|\r$/, '');
    if (starts[n] === m.index && CONFLICT_MARKER.test(l)) out.push({ start: { line: n, character: 0 }, end: { line: n, character: l.length } });
  }
  return out;
}

/** Every stage reachable from `roots` along dependencies (roots included). Linear in the graph. */
function closure(dependsOn: readonly (readonly number[])[], roots: readonly number[]): Set<number> {
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const i = stack.pop() as number;
    if (seen.has(i)) continue;
    seen.add(i);
    const ds = dependsOn[i] ?? [];
    for (let k = 0; k < ds.length; k++) {
      const d = ds[k];
      if (d !== undefined && !seen.has(d)) stack.push(d);
    }
  }
  return seen;
}

// ---- Queries used by the features -------------------------------------------------------

/** Every stage a `--target` build of `stage` runs (BuildKit skips the rest), itself included, ascending. */
export function stageNeeds(model: StageModel, stage: number): number[] {
  return [
    ...closure(
      model.stages.map((s) => s.dependsOn),
      [stage],
    ),
  ].sort((x, y) => x - y);
}

/** A human label for a stage: its name, or `#<index>` and its base. */
export function stageLabel(s: Stage): string {
  return s.name ?? `#${s.index} (${s.base.value || s.base.raw || 'no base'})`;
}

/** The stage a reference points at when it resolves to one (also forward and self references). */
export function referencedStage(r: StageReference): number | undefined {
  const res = r.resolution;
  return res.kind === 'stage' || res.kind === 'later' || res.kind === 'self' ? res.stage : undefined;
}

export function stageAt(model: StageModel, p: Position): Stage | undefined {
  let lo = 0;
  let hi = model.stages.length - 1;
  let found: Stage | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = defined(model.stages[mid], 'stage inside the search range');
    if (s.from.range.start.line <= p.line) {
      found = s;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export function referenceAt(model: StageModel, p: Position): StageReference | undefined {
  return model.references.find((r) => r.range.start.line <= p.line && r.range.end.line >= p.line && rangeContains(r.range, p));
}

/** The stage whose declared name is at `p`. */
export function declarationAt(model: StageModel, p: Position): Stage | undefined {
  const s = stageAt(model, p);
  return s?.nameToken && rangeContains(s.nameToken.range, p) ? s : undefined;
}

/**
 * The stage a reference really uses: an earlier stage. BuildKit never resolves a reference to
 * the stage itself or a later one (dockerfile2llb: "stage ... not found" / circular dependency),
 * so navigation must not go there; the diagnostic points at that stage instead.
 */
export function resolvedStage(r: StageReference): number | undefined {
  return r.resolution.kind === 'stage' ? r.resolution.stage : undefined;
}

/**
 * The stage under the cursor, by its declaration or by a reference that resolves to it.
 * `unresolved`: also a forward or self reference (for hover, which explains them).
 */
export function stageSymbolAt(model: StageModel, p: Position, unresolved = false): { stage: Stage; reference: StageReference | undefined } | undefined {
  const decl = declarationAt(model, p);
  if (decl) return { stage: decl, reference: undefined };
  const ref = referenceAt(model, p);
  const target = ref ? (unresolved ? referencedStage(ref) : resolvedStage(ref)) : undefined;
  if (ref && target !== undefined) return { stage: defined(model.stages[target], 'stage the reference resolved to'), reference: ref };
  return undefined;
}

/**
 * Every reference that names `stage`, forward and self references included: rename keeps
 * them naming it, so that their diagnostic stays the same.
 */
export function referencesNaming(model: StageModel, stage: number): StageReference[] {
  return model.references.filter((r) => referencedStage(r) === stage);
}

/** References that BuildKit resolves to `stage` (not forward or self references that only name it). */
export function referencesTo(model: StageModel, stage: number): StageReference[] {
  return model.references.filter((r) => resolvedStage(r) === stage);
}
