/**
 * Lays a stage graph out with dagre (@dagrejs/dagre): a layered (Sugiyama) layout,
 * which is what a stage graph is: every edge goes from a stage to an earlier stage or
 * an image, so the graph is a DAG and ranks read as build order. Dagre is synchronous
 * pure JavaScript (no worker, no WebAssembly, so no CSP exception), small enough to
 * bundle into the webview, and runs unchanged in Node for the CLI's SVG: the webview
 * and `dockerfile-stages graph --format svg` share this module and so one picture.
 *
 * Arrows point from the stage that holds a reference to what it uses (`rankdir BT`):
 * images and base stages on top, the default target at the bottom.
 */
import dagre, { type EdgeLabel } from '@dagrejs/dagre';
import type { ReferenceKind } from '../model/model';
import type { StageGraph } from '../model/graph';

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface LaidOutNode {
  /** `s<index>` for a stage, `i<n>` for the n-th image. */
  readonly id: string;
  readonly kind: 'stage' | 'image';
  /** The stage index (stages only). */
  readonly stage: number | undefined;
  /** Text lines: title first. */
  readonly lines: readonly string[];
  /** Centre. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LaidOutEdge {
  /** Index into `graph.edges`. */
  readonly edge: number;
  readonly kind: ReferenceKind;
  readonly from: string;
  readonly to: string;
  readonly points: readonly Point[];
}

export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly LaidOutNode[];
  readonly edges: readonly LaidOutEdge[];
}

/** Text metrics without a DOM: the font is monospace, so width is characters times this. */
export const CHAR_WIDTH = 7.4;
/**
 * Above this many stages the editor's graph and the CLI's SVG decline: dagre needs
 * about 3 s for 300 stages and 16-19 s for 1000 (Node 20, 2 cores), far past an
 * editor's patience. DOT and Mermaid have no such limit.
 */
export const MAX_GRAPH_STAGES = 300;
export const tooBigMessage = (n: number): string =>
  `This Dockerfile has ${n} stages; the graph is drawn for at most ${MAX_GRAPH_STAGES}. Use \`dockerfile-stages graph --format dot\` (Graphviz) or \`--format mermaid\` for the whole graph.`;
export const LINE_HEIGHT = 17;
const PAD_X = 12;
const PAD_Y = 8;
const MAX_CHARS = 40;

export const clip = (s: string, n = MAX_CHARS): string => (s.length > n ? s.slice(0, n - 1) + '…' : s);

export const stageNodeId = (index: number): string => `s${index}`;

/** The lines a stage node shows: its label, its base, and any extra (size and build time after a build). */
export function stageLines(graph: StageGraph, index: number, extra?: string): string[] {
  const s = graph.stages[index];
  if (!s) return [];
  const base = s.baseStage !== null ? `FROM ${graph.stages[s.baseStage]?.label ?? s.base}` : s.base || 'no base';
  return [s.label, clip(base), ...(extra ? [clip(extra)] : [])];
}

/**
 * Lays out `graph`. `extras` adds a line to stage nodes (by index).
 * Linear-ish in practice; dagre's crossing minimisation dominates on big graphs.
 */
export function layoutGraph(graph: StageGraph, extras?: ReadonlyMap<number, string>): GraphLayout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'BT', nodesep: 24, ranksep: 44, edgesep: 12, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const imageIds = new Map<string, string>();
  graph.images.forEach((im, n) => imageIds.set(im.name, `i${n}`));
  const size = (lines: readonly string[]) => ({
    width: Math.ceil(Math.max(...lines.map((l) => l.length), 4) * CHAR_WIDTH + 2 * PAD_X),
    height: lines.length * LINE_HEIGHT + 2 * PAD_Y,
  });
  const lines = new Map<string, string[]>();
  for (const s of graph.stages) {
    const l = stageLines(graph, s.index, extras?.get(s.index));
    lines.set(stageNodeId(s.index), l);
    g.setNode(stageNodeId(s.index), size(l));
  }
  for (const im of graph.images) {
    const id = imageIds.get(im.name) as string;
    const l = [clip(im.name)];
    lines.set(id, l);
    g.setNode(id, size(l));
  }
  graph.edges.forEach((e, i) => {
    const to = typeof e.to === 'number' ? stageNodeId(e.to) : imageIds.get(e.to);
    if (to !== undefined) g.setEdge(stageNodeId(e.from), to, { weight: e.kind === 'from' ? 2 : 1 }, `e${i}`);
  });
  dagre.layout(g);
  const nodes: LaidOutNode[] = g.nodes().map((id) => {
    const n = g.node(id) as { x: number; y: number; width: number; height: number };
    return {
      id,
      kind: id.startsWith('s') ? 'stage' : 'image',
      stage: id.startsWith('s') ? Number(id.slice(1)) : undefined,
      lines: lines.get(id) ?? [],
      x: n.x,
      y: n.y,
      width: n.width,
      height: n.height,
    };
  });
  const edges: LaidOutEdge[] = [];
  for (const ref of g.edges()) {
    const i = Number((ref.name ?? '').slice(1));
    const e = graph.edges[i];
    if (!e) continue;
    edges.push({ edge: i, kind: e.kind, from: ref.v, to: ref.w, points: ((g.edge(ref) as EdgeLabel).points ?? []).map((p) => ({ x: p.x, y: p.y })) });
  }
  edges.sort((a, b) => a.edge - b.edge);
  const gl = g.graph() as { width?: number; height?: number };
  return { width: Math.ceil(gl.width ?? 0), height: Math.ceil(gl.height ?? 0), nodes, edges };
}
