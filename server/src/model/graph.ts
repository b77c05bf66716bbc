/**
 * The stage graph of a Dockerfile: its stages and the external images they use as
 * nodes, and one edge per cross-stage reference the stage model resolves:
 *
 * - `FROM <stage>` (kind `from`), `COPY --from=<stage|index>` (kind `copy`) and
 *   `RUN --mount=…,from=<stage>` (kind `mount`) that resolve to an earlier stage
 *   (exactly `Stage.dependsOn`: BuildKit builds these, dockerfile2llb);
 * - the same references when they name an image instead, and each `FROM <image>`
 *   base, as edges to an image node (`scratch` is no image: it stays on the stage).
 *
 * References BuildKit rejects (a later stage, the stage itself, an index out of range)
 * are no edges: they are diagnostics. An edge goes from the stage that holds the
 * reference to what it resolves to. Lines are 1-based. Pure: no LSP, no I/O.
 */
import { referencedStage, type ReferenceKind, type StageModel } from './model';

export interface GraphStage {
  readonly index: number;
  /** Lower-case name, or null for an unnamed stage. */
  readonly name: string | null;
  /** How the graph names it: its name, or `#<index>`. */
  readonly label: string;
  /** The base after build-arg expansion (`golang:1.22`, `builder`, `scratch`). */
  readonly base: string;
  /** The stage the base names, if any. */
  readonly baseStage: number | null;
  /** 1-based line of its FROM. */
  readonly line: number;
  /** Built by a plain build (the default target needs it). */
  readonly builtByDefault: boolean;
  /** Some target builds it (named, the last stage, or needed by one of those). */
  readonly reachable: boolean;
}

export interface GraphImage {
  /** The image reference after build-arg expansion. */
  readonly name: string;
  /** Stages that use it, ascending. */
  readonly usedBy: readonly number[];
}

export interface GraphEdge {
  /** The stage that holds the reference. */
  readonly from: number;
  /** The stage index it resolves to, or the image name. */
  readonly to: number | string;
  readonly kind: ReferenceKind;
  /** 1-based line of the reference. */
  readonly line: number;
  /** The value uses a build arg (expanded with its default). */
  readonly dynamic: boolean;
}

export interface StageGraph {
  readonly stages: readonly GraphStage[];
  readonly edges: readonly GraphEdge[];
  readonly images: readonly GraphImage[];
  /** The stage a plain build produces (the last one); null without stages. */
  readonly defaultTarget: number | null;
}

export function stageGraph(model: StageModel): StageGraph {
  const stages: GraphStage[] = model.stages.map((s) => ({
    index: s.index,
    name: s.name ?? null,
    label: s.name ?? `#${s.index}`,
    base: s.base.value || s.base.raw,
    baseStage: s.base.stage ?? null,
    line: s.from.range.start.line + 1,
    builtByDefault: s.builtByDefault,
    reachable: s.reachable,
  }));
  const edges: GraphEdge[] = [];
  const images = new Map<string, Set<number>>();
  const useImage = (name: string, stage: number) => {
    let set = images.get(name);
    if (!set) images.set(name, (set = new Set()));
    set.add(stage);
  };
  // FROM <image>: the base is not a stage (a FROM that resolves to a stage is a reference below).
  const refsByStage = new Map<number, (typeof model.references)[number][]>();
  for (const r of model.references) {
    let list = refsByStage.get(r.inStage);
    if (!list) refsByStage.set(r.inStage, (list = []));
    list.push(r);
  }
  for (const s of model.stages) {
    if (s.base.stage === undefined && s.base.range && s.base.value !== '' && s.base.value.toLowerCase() !== 'scratch') {
      // A FROM that BuildKit rejects (a later stage, itself) is no image either.
      const bad = (refsByStage.get(s.index) ?? []).some((r) => r.kind === 'from' && referencedStage(r) !== undefined);
      if (!bad) {
        useImage(s.base.value, s.index);
        edges.push({ from: s.index, to: s.base.value, kind: 'from', line: s.base.range.start.line + 1, dynamic: s.base.dynamic });
      }
    }
    for (const r of refsByStage.get(s.index) ?? []) {
      const line = r.range.start.line + 1;
      if (r.resolution.kind === 'stage') edges.push({ from: s.index, to: r.resolution.stage, kind: r.kind, line, dynamic: r.dynamic });
      else if (r.resolution.kind === 'image' && r.kind !== 'from' && r.value !== '' && r.value.toLowerCase() !== 'scratch') {
        useImage(r.value, s.index);
        edges.push({ from: s.index, to: r.value, kind: r.kind, line, dynamic: r.dynamic });
      }
    }
  }
  return {
    stages,
    edges,
    images: [...images].map(([name, used]) => ({ name, usedBy: [...used].sort((a, b) => a - b) })),
    defaultTarget: model.defaultTarget?.index ?? null,
  };
}

/** Every stage a `--target` build of `stage` runs, itself included, ascending (the graph's view of `stageNeeds`). */
export function targetChain(graph: Pick<StageGraph, 'edges'>, stage: number): number[] {
  const deps = new Map<number, number[]>();
  for (const e of graph.edges) {
    if (typeof e.to !== 'number') continue;
    let d = deps.get(e.from);
    if (!d) deps.set(e.from, (d = []));
    d.push(e.to);
  }
  const seen = new Set<number>();
  const stack = [stage];
  while (stack.length) {
    const i = stack.pop() as number;
    if (seen.has(i)) continue;
    seen.add(i);
    for (const d of deps.get(i) ?? []) if (!seen.has(d)) stack.push(d);
  }
  return [...seen].sort((a, b) => a - b);
}

/** The edges a `--target` build of `stage` follows (between stages of its chain, and to their images). */
export function chainEdges(graph: Pick<StageGraph, 'edges'>, chain: readonly number[]): Set<number> {
  const inChain = new Set(chain);
  const out = new Set<number>();
  graph.edges.forEach((e, i) => {
    if (inChain.has(e.from)) out.add(i);
  });
  return out;
}
