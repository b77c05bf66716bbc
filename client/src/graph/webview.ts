/// <reference lib="dom" />
/**
 * The stage graph webview (bundled to dist/graph.js, platform browser). Lays the graph
 * out with the same dagre module and SVG markup as `dockerfile-stages graph --format svg`,
 * then styles it with VS Code's theme variables (the stylesheet is in the page, admitted
 * by the CSP nonce). Highlights: the default target (thick border), the `--target` chain
 * of the stage under the cursor (accent colour, its edges too), unreachable stages faded.
 * A click (or Enter) on a stage asks the extension to reveal its FROM line.
 */
import { chainEdges, targetChain, type StageGraph } from '../../../server/src/model/graph';
import { layoutGraph, MAX_GRAPH_STAGES, tooBigMessage } from '../../../server/src/graph/layout';
import { renderSvg } from '../../../server/src/graph/svg';
import type { FromWebview, ToWebview } from './messages';

interface VsCodeApi {
  postMessage(m: FromWebview): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById('graph') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;
let graph: StageGraph | undefined;
let current: number | null = null;

function highlight(): void {
  const g = graph;
  if (!g) return;
  const chain = current !== null && current < g.stages.length ? targetChain(g, current) : [];
  const inChain = new Set(chain);
  const edges = chainEdges(g, chain);
  root.querySelectorAll<SVGGElement>('g.node.stage').forEach((n) => {
    const i = Number(n.dataset['stage']);
    n.classList.toggle('chain', inChain.has(i));
    n.classList.toggle('current', i === current);
  });
  root.querySelectorAll<SVGGElement>('g.edge').forEach((e) => e.classList.toggle('chain', edges.has(Number(e.dataset['edge']))));
  root.querySelectorAll<SVGGElement>('g.node.image').forEach((n) => {
    n.classList.remove('chain');
  });
  // Images a chain stage uses belong to the chain too.
  const imageNames = new Set(g.edges.filter((e, i) => edges.has(i) && typeof e.to === 'string').map((e) => e.to as string));
  root.querySelectorAll<SVGGElement>('g.node.image').forEach((n) => {
    const name = n.querySelector('title')?.textContent ?? '';
    n.classList.toggle('chain', imageNames.has(name));
  });
  const s = current !== null ? g.stages[current] : undefined;
  status.textContent = s
    ? `--target ${s.name ?? `#${s.index}`} builds ${chain.length} stage${chain.length === 1 ? '' : 's'}: ${chain.map((i) => g.stages[i]?.label).join(', ')}`
    : '';
}

function render(m: Extract<ToWebview, { type: 'graph' }>): void {
  const t0 = performance.now();
  graph = m.graph;
  document.body.classList.toggle('stale', m.stale);
  if (m.graph.stages.length > MAX_GRAPH_STAGES) {
    root.replaceChildren();
    const p = document.createElement('p');
    p.className = 'message';
    p.textContent = tooBigMessage(m.graph.stages.length);
    root.append(p);
    vscode.postMessage({ type: 'rendered', ms: performance.now() - t0, stages: 0, images: 0, declined: true });
    return;
  }
  if (m.graph.stages.length === 0) {
    root.replaceChildren();
    const p = document.createElement('p');
    p.className = 'message';
    p.textContent = `${m.file} has no stages yet.`;
    root.append(p);
    vscode.postMessage({ type: 'rendered', ms: performance.now() - t0, stages: 0, images: 0, declined: false });
    return;
  }
  const layout = layoutGraph(m.graph, new Map(m.extras));
  root.innerHTML = renderSvg(m.graph, layout, { standalone: false });
  highlight();
  const ms = performance.now() - t0;
  document.body.dataset['renderMs'] = ms.toFixed(1);
  vscode.postMessage({
    type: 'rendered',
    ms,
    stages: root.querySelectorAll('g.node.stage').length,
    images: root.querySelectorAll('g.node.image').length,
    declined: false,
  });
}

function stageOf(target: EventTarget | null): number | undefined {
  const el = target instanceof Element ? target.closest<SVGGElement>('g.node.stage') : null;
  return el ? Number(el.dataset['stage']) : undefined;
}

root.addEventListener('click', (ev) => {
  const i = stageOf(ev.target);
  if (i === undefined) return;
  current = i;
  highlight();
  vscode.postMessage({ type: 'reveal', stage: i });
});
root.addEventListener('keydown', (ev) => {
  if (ev.key !== 'Enter' && ev.key !== ' ') return;
  const i = stageOf(ev.target);
  if (i !== undefined) vscode.postMessage({ type: 'reveal', stage: i });
});

window.addEventListener('message', (ev: MessageEvent<ToWebview>) => {
  const m = ev.data;
  if (m.type === 'graph') render(m);
  else if (m.type === 'cursor') {
    current = m.stage;
    highlight();
  } else {
    root.replaceChildren();
    const p = document.createElement('p');
    p.className = 'message';
    p.textContent = m.message;
    root.append(p);
  }
});
vscode.postMessage({ type: 'ready' });
