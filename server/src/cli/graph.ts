/**
 * `dockerfile-stages graph <Dockerfile> [--format json|dot|mermaid|svg] [--output FILE]`.
 * cli.ts dispatches here; this module reads the file, builds the model and prints.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stageGraph } from '../model/graph';
import { buildModel } from '../model/model';
import { layoutGraph, MAX_GRAPH_STAGES, tooBigMessage } from '../graph/layout';
import { renderSvg } from '../graph/svg';
import { toDot, toJson, toMermaid } from '../graph/text';

export const GRAPH_FORMATS = ['json', 'dot', 'mermaid', 'svg'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export const GRAPH_USAGE = `  dockerfile-stages graph <Dockerfile>   print the stage graph
      --format json|dot|mermaid|svg  (default: json; svg is a standalone file, laid out like the editor's graph)
      --output <file>                write to a file instead of stdout`;

export function renderGraph(text: string, format: GraphFormat, title: string): string | { readonly error: string } {
  const graph = stageGraph(buildModel(text));
  if (format === 'svg' && graph.stages.length > MAX_GRAPH_STAGES) return { error: tooBigMessage(graph.stages.length) };
  switch (format) {
    case 'json':
      return toJson(graph);
    case 'dot':
      return toDot(graph, title);
    case 'mermaid':
      return toMermaid(graph);
    case 'svg':
      return renderSvg(graph, layoutGraph(graph), { standalone: true, title: `Stages of ${title}` });
  }
}

/** Runs the command; `args` are what follows `graph`. Returns the exit code. */
export function graphCommand(args: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  const rest = [...args];
  let format: string = 'json';
  let output: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] ?? '';
    const eq = /^--(format|output)=(.*)$/.exec(a);
    if (eq) {
      if (eq[1] === 'format') format = eq[2] ?? '';
      else output = eq[2];
      rest.splice(i--, 1);
    } else if (a === '--format' || a === '--output') {
      const v = rest[i + 1];
      if (v === undefined) {
        err(`${a} needs a value`);
        return 2;
      }
      if (a === '--format') format = v;
      else output = v;
      rest.splice(i--, 2);
    }
  }
  if (!(GRAPH_FORMATS as readonly string[]).includes(format)) {
    err(`unknown format '${format}': use one of ${GRAPH_FORMATS.join(', ')}`);
    return 2;
  }
  const file = rest[0];
  if (rest.length !== 1 || file === undefined || file.startsWith('-')) {
    err(`Usage:\n${GRAPH_USAGE}`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    err(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const result = renderGraph(text, format as GraphFormat, path.basename(file));
  if (typeof result !== 'string') {
    err(`${file}: ${result.error}`);
    return 1;
  }
  if (output !== undefined) {
    writeFileSync(output, result + '\n');
    err(`${output}: written (${format}).`);
  } else out(result);
  return 0;
}
