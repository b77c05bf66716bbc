/**
 * dockerfile-stages: the stage analysis on the command line.
 *   dockerfile-stages stages <Dockerfile>   the stage table
 *   dockerfile-stages check <Dockerfile>    stage diagnostics; exit 1 on errors
 *   dockerfile-stages convert <Dockerfile>  single-stage → multi-stage (prints, or --write)
 *   dockerfile-stages merge-builder <Dockerfile.build> <Dockerfile> [build.sh]
 *   dockerfile-stages graph <Dockerfile> --format json|dot|mermaid|svg  (cli/graph.ts)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkModel, type Problem } from './model/checks';
import { explainConversion } from './convert/convert';
import { mergeBuilderPattern } from './convert/merge';
import { buildModel, stageNeeds, type StageModel } from './model/model';
import { contextForDirectory } from './features/convert';
import { nodeContextIO } from './server/nodeIO';
import { GRAPH_USAGE, graphCommand } from './cli/graph';

const USAGE = `Usage:
  dockerfile-stages stages <Dockerfile>   print the stage table
  dockerfile-stages check <Dockerfile>... print stage diagnostics; exit code 1 if any is an error
  dockerfile-stages convert <Dockerfile>  print the file converted to a multi-stage build
      --write         rewrite the file instead of printing it
      --dev           also add a 'dev' stage (toolchain and sources, for Compose target: dev)
      --distroless    static binaries on gcr.io/distroless/static-debian12 instead of scratch
      --context <dir> the build context (default: the Dockerfile's directory)
      exit code 0: converted (TODOs, if any, on stderr); 1: not a single-stage toolchain build
  dockerfile-stages merge-builder <Dockerfile.build> <Dockerfile> [build.sh]
      merge the builder pattern (a build Dockerfile, a runtime Dockerfile and the script
      that docker-cp's the artifacts between them) into one multi-stage Dockerfile
      --write         write the result over <Dockerfile> instead of printing it
${GRAPH_USAGE}
Options: --json (machine-readable output)`;


function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join('  ').trimEnd()).join('\n');
}

export function stagesTable(model: StageModel): string {
  const rows = [['#', 'NAME', 'BASE', 'DEPENDS ON', 'DEFAULT BUILD', 'LINE']];
  for (const s of model.stages) {
    const base = s.base.stage !== undefined ? `stage #${s.base.stage}` : s.base.value || s.base.raw || '-';
    const deps = s.dependsOn.map((d) => model.stages[d]?.name ?? `#${d}`).join(', ') || '-';
    const dflt = model.defaultTarget?.index === s.index ? 'yes (target)' : s.builtByDefault ? 'yes' : 'no';
    rows.push([String(s.index), s.name ?? '-', base, deps, dflt, String(s.from.range.start.line + 1)]);
  }
  return table(rows);
}

export function formatProblem(file: string, p: Problem): string {
  return `${file}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity} [${p.code}] ${p.message}`;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function takeOption(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
}

function convertCommand(file: string, opts: { write: boolean; dev: boolean; distroless: boolean; json: boolean; context: string | undefined }, out: (s: string) => void, err: (s: string) => void): number {
  const text = read(file);
  const model = buildModel(text);
  const context = contextForDirectory(path.resolve(opts.context ?? path.dirname(file)), nodeContextIO);
  const { conversion: conv, reason } = explainConversion(model, { context, devStage: opts.dev, staticBase: opts.distroless ? 'distroless' : 'scratch' });
  if (!conv) {
    if (opts.json) out(JSON.stringify({ file, converted: false, reason }, null, 2));
    err(`${file}: not converted: ${reason ?? 'nothing to convert'}.`);
    return 1;
  }
  if (conv.lost.length) {
    err(`${file}: the conversion would lose these lines, so it is not done:\n  ${conv.lost.join('\n  ')}`);
    return 1;
  }
  if (opts.json) {
    out(JSON.stringify({ file, language: conv.language, builder: conv.builderName, runtime: conv.runtimeImage, artifacts: conv.artifacts, todos: conv.todos, notes: conv.notes, text: conv.text }, null, 2));
  } else if (opts.write) {
    writeFileSync(file, conv.text);
    err(`${file}: converted (${conv.language}; runtime ${conv.runtimeImage}).`);
  } else out(conv.text.replace(/\r?\n$/, ''));
  if (!opts.json) {
    for (const n of conv.notes) err(`note: ${n}`);
    for (const t of conv.todos) err(`TODO: ${t}`);
  }
  return 0;
}

function mergeCommand(files: string[], opts: { write: boolean; json: boolean }, out: (s: string) => void, err: (s: string) => void): number {
  const [buildFile, runtimeFile, script] = files as [string, string, string | undefined];
  const r = mergeBuilderPattern(read(buildFile), read(runtimeFile), script ? read(script) : undefined);
  if ('error' in r) {
    err(r.error);
    return 1;
  }
  if (r.lost.length) {
    err(`the merge would lose these lines, so it is not done:\n  ${r.lost.join('\n  ')}`);
    return 1;
  }
  if (opts.json) out(JSON.stringify({ builder: r.builderName, extractions: r.extractions, rewritten: r.rewritten, todos: r.todos, notes: r.notes, text: r.text }, null, 2));
  else if (opts.write) {
    writeFileSync(runtimeFile, r.text);
    err(`${runtimeFile}: written (${r.rewritten.length} COPY line(s) now use --from=${r.builderName}); ${buildFile}${script ? ` and ${script}` : ''} are no longer needed.`);
  } else out(r.text.replace(/\r?\n$/, ''));
  if (!opts.json) {
    for (const n of r.notes) err(`note: ${n}`);
    for (const t of r.todos) err(`TODO: ${t}`);
  }
  return 0;
}

export function main(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  if (argv[0] === 'graph') return graphCommand(argv.slice(1), out, err);
  const args = [...argv];
  const context = takeOption(args, '--context');
  const flag = (name: string) => {
    const i = args.indexOf(name);
    if (i >= 0) args.splice(i, 1);
    return i >= 0;
  };
  const json = flag('--json');
  const write = flag('--write');
  const dev = flag('--dev');
  const distroless = flag('--distroless');
  const [cmd, ...files] = args;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    (cmd ? out : err)(USAGE);
    return cmd ? 0 : 2;
  }
  const known = ['stages', 'check', 'convert', 'merge-builder'];
  if (files.length === 0 || !known.includes(cmd) || (cmd === 'convert' && files.length !== 1) || (cmd === 'merge-builder' && (files.length < 2 || files.length > 3)) || files.some((f) => f.startsWith('--'))) {
    err(USAGE);
    return 2;
  }
  if (cmd === 'convert') {
    try {
      return convertCommand(files[0] as string, { write, dev, distroless, json, context }, out, err);
    } catch (e) {
      err(e instanceof Error ? e.message : String(e));
      return 2;
    }
  }
  if (cmd === 'merge-builder') {
    try {
      return mergeCommand(files, { write, json }, out, err);
    } catch (e) {
      err(e instanceof Error ? e.message : String(e));
      return 2;
    }
  }
  try {
    if (cmd === 'stages') {
      const model = buildModel(read(files[0] as string));
      if (json) {
        out(JSON.stringify(model.stages.map((s) => ({
          index: s.index, name: s.name ?? null, base: s.base.value || s.base.raw, baseStage: s.base.stage ?? null,
          dependsOn: s.dependsOn, needs: stageNeeds(model, s.index), builtByDefault: s.builtByDefault, defaultTarget: model.defaultTarget?.index === s.index,
          line: s.from.range.start.line + 1, description: s.description ?? null,
        })), null, 2));
      } else out(stagesTable(model));
      return 0;
    }
    let errors = 0;
    const all: { file: string; problems: Problem[] }[] = [];
    for (const f of files) {
      const problems = checkModel(buildModel(read(f))).filter((p) => p.severity !== 'hint' || p.code === 'unreachable-stage');
      errors += problems.filter((p) => p.severity === 'error').length;
      all.push({ file: f, problems });
      if (!json) for (const p of problems) out(formatProblem(f, p));
    }
    if (json) out(JSON.stringify(all.map((x) => ({ file: x.file, problems: x.problems.map((p) => ({ code: p.code, severity: p.severity, message: p.message, line: p.range.start.line + 1, column: p.range.start.character + 1 })) })), null, 2));
    else err(`${all.reduce((n, x) => n + x.problems.length, 0)} problem(s), ${errors} error(s)`);
    return errors > 0 ? 1 : 0;
  } catch (e) {
    err(e instanceof Error ? e.message : String(e));
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
}
