/**
 * The stage graph as Graphviz DOT and as Mermaid (for READMEs and pull requests).
 * Every stage is named by its name or `#<index>`; arrows go from the stage that
 * holds a reference to what it uses, drawn bottom-up (base images on top).
 * Edge styles: FROM solid, COPY --from dashed, mount from= dotted.
 */
import type { StageGraph } from '../model/graph';

const imageId = (graph: StageGraph, name: string) => `i${graph.images.findIndex((i) => i.name === name)}`;
const nodeId = (graph: StageGraph, to: number | string) => (typeof to === 'number' ? `s${to}` : imageId(graph, to));

function baseText(graph: StageGraph, index: number): string {
  const s = graph.stages[index];
  if (!s) return '';
  return s.baseStage !== null ? `FROM ${graph.stages[s.baseStage]?.label ?? s.base}` : s.base || 'no base';
}

const dotString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;

export function toDot(graph: StageGraph, title = 'stages'): string {
  const out = [
    `digraph ${dotString(title)} {`,
    '  rankdir=BT;',
    '  node [shape=box, style=rounded, fontname="monospace"];',
    '  edge [fontname="monospace", fontsize=10];',
  ];
  for (const s of graph.stages) {
    const attrs = [`label=${dotString(`${s.label}\n${baseText(graph, s.index)}`)}`];
    const style = ['rounded'];
    if (!s.reachable) {
      style.push('dashed');
      attrs.push('fontcolor=gray50', 'color=gray50');
    }
    if (graph.defaultTarget === s.index) attrs.push('penwidth=3', 'tooltip="default target"');
    attrs.push(`style=${dotString(style.join(','))}`);
    out.push(`  s${s.index} [${attrs.join(', ')}];`);
  }
  graph.images.forEach((im, n) => out.push(`  i${n} [label=${dotString(im.name)}, shape=cylinder, style=solid];`));
  for (const e of graph.edges) {
    const style = e.kind === 'from' ? 'solid' : e.kind === 'copy' ? 'dashed' : 'dotted';
    const label = e.kind === 'from' ? '' : `, label=${dotString(e.kind === 'copy' ? 'COPY' : 'mount')}`;
    out.push(`  s${e.from} -> ${nodeId(graph, e.to)} [style=${style}${label}];`);
  }
  out.push('}');
  return out.join('\n');
}

/** Mermaid label text: quotes and angle brackets as entities (Mermaid's #quot; form). */
const mm = (s: string) => s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');

export function toMermaid(graph: StageGraph): string {
  const out = ['flowchart BT'];
  for (const s of graph.stages) out.push(`  s${s.index}["${mm(s.label)}<br/><small>${mm(baseText(graph, s.index))}</small>"]`);
  graph.images.forEach((im, n) => out.push(`  i${n}[("${mm(im.name)}")]`));
  for (const e of graph.edges) {
    const arrow = e.kind === 'from' ? '-->' : e.kind === 'copy' ? '-. COPY .->' : '-. mount .->';
    out.push(`  s${e.from} ${arrow} ${nodeId(graph, e.to)}`);
  }
  const unreachable = graph.stages.filter((s) => !s.reachable).map((s) => `s${s.index}`);
  out.push('  classDef image fill:#fff8e6,stroke:#9a6700');
  if (graph.images.length) out.push(`  class ${graph.images.map((_, n) => `i${n}`).join(',')} image`);
  if (graph.defaultTarget !== null) out.push('  classDef target stroke-width:3px', `  class s${graph.defaultTarget} target`);
  if (unreachable.length) out.push('  classDef unreachable opacity:0.5,stroke-dasharray:4 3', `  class ${unreachable.join(',')} unreachable`);
  return out.join('\n');
}

export function toJson(graph: StageGraph): string {
  return JSON.stringify(
    {
      stages: graph.stages.map((s) => ({
        index: s.index,
        name: s.name,
        base: s.base,
        line: s.line,
        baseStage: s.baseStage,
        reachable: s.reachable,
        builtByDefault: s.builtByDefault,
      })),
      edges: graph.edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind, line: e.line, ...(e.dynamic ? { dynamic: true } : {}) })),
      images: graph.images.map((i) => ({ name: i.name, usedBy: i.usedBy })),
      defaultTarget: graph.defaultTarget,
    },
    null,
    2,
  );
}
