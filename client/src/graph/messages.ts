/** Messages between the graph panel (extension host) and its webview (dist/graph.js). No runtime imports. */
import type { StageGraphResult } from '../../../server/src/protocol';

type StageGraph = StageGraphResult['graph'];

export type ToWebview =
  /** A new graph (the document changed). `extras`: a third line per stage index (size, build time). */
  | {
      readonly type: 'graph';
      readonly file: string;
      readonly graph: StageGraph;
      readonly extras: readonly (readonly [number, string])[];
      readonly stale: boolean;
    }
  /** The stage under the cursor (null: none, or another file). */
  | { readonly type: 'cursor'; readonly stage: number | null }
  | { readonly type: 'error'; readonly message: string };

export type FromWebview =
  | { readonly type: 'ready' }
  /** A node was clicked: reveal its FROM line. */
  | { readonly type: 'reveal'; readonly stage: number }
  /** Rendered: how long layout and drawing took, and what is on screen. */
  | { readonly type: 'rendered'; readonly ms: number; readonly stages: number; readonly images: number; readonly declined: boolean };
