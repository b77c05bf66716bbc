/**
 * A laid-out stage graph as SVG markup. The same markup is the CLI's standalone file
 * (`standalone`: its own <style>, light and dark by prefers-color-scheme) and the
 * webview's picture (no style element or attribute: the webview's stylesheet, which
 * the CSP admits by nonce, colours it with VS Code's theme variables).
 * Classes: `node stage|image`, `default-target`, `unreachable`, `edge from|copy|mount`;
 * `data-stage` / `data-edge` let the webview find what was clicked.
 */
import type { StageGraph } from '../model/graph';
import { CHAR_WIDTH, LINE_HEIGHT, type GraphLayout } from './layout';

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const STANDALONE_STYLE = `
svg { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.bg { fill: #ffffff; }
.node rect { fill: #f3f6fa; stroke: #57606a; stroke-width: 1; }
.node.image rect { fill: #fff8e6; stroke: #9a6700; }
.node text { fill: #1f2328; }
.node text.sub { fill: #57606a; }
.node.default-target rect { stroke: #0969da; stroke-width: 3; }
.node.unreachable { opacity: 0.45; }
.edge path { fill: none; stroke: #57606a; stroke-width: 1.4; }
.edge.copy path { stroke: #0969da; stroke-dasharray: 6 4; }
.edge.mount path { stroke: #8250df; stroke-dasharray: 2 3; }
.arrow { fill: #57606a; }
.arrow.copy { fill: #0969da; }
.arrow.mount { fill: #8250df; }
.legend text { fill: #57606a; }
@media (prefers-color-scheme: dark) {
  .bg { fill: #0d1117; }
  .node rect { fill: #161b22; stroke: #8b949e; }
  .node.image rect { fill: #2b2111; stroke: #d29922; }
  .node text { fill: #e6edf3; }
  .node text.sub, .legend text { fill: #8b949e; }
  .node.default-target rect { stroke: #58a6ff; }
  .edge path { stroke: #8b949e; } .arrow { fill: #8b949e; }
  .edge.copy path { stroke: #58a6ff; } .arrow.copy { fill: #58a6ff; }
  .edge.mount path { stroke: #bc8cff; } .arrow.mount { fill: #bc8cff; }
}`;

const f = (n: number) => (Math.round(n * 10) / 10).toString();

/** The arrow head at the end of `points`, as a small triangle (markers need ids, which two graphs on one page would share). */
function arrowHead(points: readonly { x: number; y: number }[]): string {
  const b = points[points.length - 1];
  const a = points[points.length - 2];
  if (!a || !b) return '';
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const l = 8;
  const w = 4;
  const bx = b.x - ux * l;
  const by = b.y - uy * l;
  return `${f(b.x)},${f(b.y)} ${f(bx - uy * w)},${f(by + ux * w)} ${f(bx + uy * w)},${f(by - ux * w)}`;
}

export interface SvgOptions {
  /** A file of its own: XML declaration-free SVG with its own style and background. */
  readonly standalone: boolean;
  /** Shown in the standalone file's title. */
  readonly title?: string;
}

export function renderSvg(graph: StageGraph, layout: GraphLayout, opts: SvgOptions): string {
  const legendHeight = opts.standalone ? 22 : 0;
  const width = Math.max(layout.width, opts.standalone ? 300 : 0);
  const height = layout.height + legendHeight;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="stage-graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`);
  if (opts.standalone) {
    out.push(
      `<title>${escapeXml(opts.title ?? 'Stage graph')}</title>`,
      `<style>${STANDALONE_STYLE}</style>`,
      `<rect class="bg" x="0" y="0" width="${width}" height="${height}"/>`,
    );
  }
  out.push('<g class="edges">');
  for (const e of layout.edges) {
    if (e.points.length < 2) continue;
    const pts = e.points;
    // Stop the line at the arrow's base so the dash pattern does not run through it.
    const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(p.x)},${f(p.y)}`).join(' ');
    const ge = graph.edges[e.edge];
    out.push(
      `<g class="edge ${e.kind}" data-edge="${e.edge}"><title>${escapeXml(`${e.kind === 'from' ? 'FROM' : e.kind === 'copy' ? 'COPY --from' : 'RUN --mount from='} · line ${ge?.line ?? '?'}`)}</title><path d="${d}"/><polygon class="arrow ${e.kind}" points="${arrowHead(pts)}"/></g>`,
    );
  }
  out.push('</g><g class="nodes">');
  for (const n of layout.nodes) {
    const s = n.stage !== undefined ? graph.stages[n.stage] : undefined;
    const cls = ['node', n.kind];
    if (s && graph.defaultTarget === s.index) cls.push('default-target');
    if (s && !s.reachable) cls.push('unreachable');
    const x = n.x - n.width / 2;
    const y = n.y - n.height / 2;
    const data = s ? ` data-stage="${s.index}" tabindex="0" role="button"` : '';
    const tip = s
      ? `${s.label} · line ${s.line}${graph.defaultTarget === s.index ? ' · default target' : ''}${s.reachable ? '' : ' · unreachable: no target builds it'}`
      : (n.lines[0] ?? '');
    out.push(
      `<g class="${cls.join(' ')}"${data}><title>${escapeXml(tip)}</title><rect x="${f(x)}" y="${f(y)}" width="${f(n.width)}" height="${f(n.height)}" rx="5" ry="5"/>`,
    );
    const top = n.y - (n.lines.length * LINE_HEIGHT) / 2;
    n.lines.forEach((line, i) => {
      const cl = i === 0 ? (n.kind === 'stage' ? 'title' : 'title image-name') : i === 2 ? 'sub extra' : 'sub';
      out.push(
        `<text class="${cl}" x="${f(n.x)}" y="${f(top + i * LINE_HEIGHT + LINE_HEIGHT * 0.72)}" text-anchor="middle"${i === 0 && n.kind === 'stage' ? ' font-weight="bold"' : ''}>${escapeXml(line)}</text>`,
      );
    });
    out.push('</g>');
  }
  out.push('</g>');
  if (opts.standalone) {
    const y = layout.height + 14;
    const items: [string, string][] = [
      ['from', 'FROM'],
      ['copy', 'COPY --from'],
      ['mount', 'RUN --mount from='],
    ];
    let x = 8;
    out.push('<g class="legend">');
    for (const [k, label] of items) {
      out.push(`<g class="edge ${k}"><path d="M${x},${y - 4} L${x + 24},${y - 4}"/></g><text x="${x + 30}" y="${y}">${escapeXml(label)}</text>`);
      x += 30 + label.length * CHAR_WIDTH + 16;
    }
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}
