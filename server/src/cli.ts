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
import { checkModel, Codes, type Problem, type Severity } from './model/checks';
import { explainConversion } from './convert/convert';
import { mergeBuilderPattern } from './convert/merge';
import { buildModel, stageNeeds, type StageModel } from './model/model';
import { contextForDirectory, convertProblems } from './features/convert';
import { defined, editDistance } from './model/text';
import { relativeUri, sarifLog } from './report/sarif';
import { VERSION } from './version';
import { pathToFileURL } from 'node:url';
import { nodeContextIO } from './server/nodeIO';
import { GRAPH_USAGE, graphCommand } from './cli/graph';

const USAGE = `dockerfile-stages: the stages of multi-stage Dockerfiles, on the command line.
Usage:
  dockerfile-stages stages <Dockerfile>   print the stage table (--json)
  dockerfile-stages check <Dockerfile>... report stage problems
      --format text|json|sarif   text (file:line:col), JSON, or SARIF 2.1.0 for code scanning
      --severity <level>         report only problems at this level or above
                                 (error, warning, information, hint); exit code 1 when any is reported.
                                 Without it: every problem is reported, and exit code 1 means errors.
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
Options: --json (same as --format json), --version, --help
Exit codes: 0 fine, 1 problems (check) or nothing to convert, 2 usage errors, unreadable files or files that are not Dockerfiles.
The language server is dockerfile-stages-langserver --stdio.`;

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
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

function convertCommand(
  file: string,
  opts: { write: boolean; dev: boolean; distroless: boolean; json: boolean; context: string | undefined },
  out: (s: string) => void,
  err: (s: string) => void,
): number {
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
    out(
      JSON.stringify(
        {
          file,
          language: conv.language,
          builder: conv.builderName,
          runtime: conv.runtimeImage,
          artifacts: conv.artifacts,
          todos: conv.todos,
          notes: conv.notes,
          text: conv.text,
        },
        null,
        2,
      ),
    );
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
  if (opts.json)
    out(JSON.stringify({ builder: r.builderName, extractions: r.extractions, rewritten: r.rewritten, todos: r.todos, notes: r.notes, text: r.text }, null, 2));
  else if (opts.write) {
    writeFileSync(runtimeFile, r.text);
    err(
      `${runtimeFile}: written (${r.rewritten.length} COPY line(s) now use --from=${r.builderName}); ${buildFile}${script ? ` and ${script}` : ''} are no longer needed.`,
    );
  } else out(r.text.replace(/\r?\n$/, ''));
  if (!opts.json) {
    for (const n of r.notes) err(`note: ${n}`);
    for (const t of r.todos) err(`TODO: ${t}`);
  }
  return 0;
}

const COMMANDS = ['stages', 'check', 'convert', 'merge-builder'] as const;
type Command = (typeof COMMANDS)[number];
const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint'];
const SEVERITY_ALIASES: Readonly<Record<string, Severity>> = {
  error: 'error',
  warning: 'warning',
  information: 'information',
  info: 'information',
  note: 'information',
  hint: 'hint',
};
const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

/**
 * Why a text is not a Dockerfile, or undefined when it is one: binary data, or no
 * FROM at all (BuildKit: "file with no instructions" / "no build stage in current
 * context"). An empty file is reported as empty.
 */
export function notDockerfileReason(text: string): string | undefined {
  if (text.includes('\u0000')) return 'not a Dockerfile (binary data)';
  const model = buildModel(text);
  if (model.stages.length > 0) return undefined;
  const first = text
    .split(/\r\n|\r|\n/)
    .map((l, i) => ({ l: l.trim(), i }))
    .find((x) => x.l !== '' && !x.l.startsWith('#'));
  if (!first) return 'not a Dockerfile (it is empty: no FROM instruction)';
  const word = /^\S+/.exec(first.l)?.[0] ?? first.l;
  const known = /^(ARG|FROM|RUN|CMD|LABEL|MAINTAINER|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL)$/i.test(word);
  return known
    ? 'not a Dockerfile (no FROM instruction: nothing to build)'
    : `not a Dockerfile (no FROM instruction; line ${first.i + 1} starts with '${word.slice(0, 40)}', which is no Dockerfile instruction)`;
}

function closest(word: string, options: readonly string[]): string | undefined {
  return options
    .map((o) => ({ o, d: editDistance(word, o, 3) }))
    .filter((x) => x.d <= 2)
    .sort((a, b) => a.d - b.d)[0]?.o;
}

class UsageError extends Error {}

interface Options {
  format: Format | undefined;
  severity: Severity | undefined;
  write: boolean;
  dev: boolean;
  distroless: boolean;
  context: string | undefined;
}

function parseArgs(argv: readonly string[]): { positional: string[]; opts: Options } {
  const opts: Options = { format: undefined, severity: undefined, write: false, dev: false, distroless: false, context: undefined };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    switch (name) {
      case '--json':
        opts.format = 'json';
        break;
      case '--write':
        opts.write = true;
        break;
      case '--dev':
        opts.dev = true;
        break;
      case '--distroless':
        opts.distroless = true;
        break;
      case '--context':
        opts.context = value();
        break;
      case '--format':
      case '-f': {
        const v = value();
        if (!(FORMATS as readonly string[]).includes(v)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (not '${v}')`);
        opts.format = v as Format;
        break;
      }
      case '--severity':
      case '-s': {
        const v = value().toLowerCase();
        const sev = SEVERITY_ALIASES[v];
        if (!sev) throw new UsageError(`--severity must be one of ${SEVERITIES.join(', ')} (not '${v}')`);
        opts.severity = sev;
        break;
      }
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${name}`);
        positional.push(a);
    }
  }
  return { positional, opts };
}

/** Reads a file that must be a Dockerfile; throws with the reason when it is not. */
function readDockerfile(file: string): string {
  const text = read(file);
  const why = notDockerfileReason(text);
  if (why) throw new Error(`${file}: ${why}.`);
  return text;
}

const rank = (s: Severity): number => SEVERITIES.indexOf(s);

function checkCommand(files: readonly string[], opts: Options, out: (s: string) => void, err: (s: string) => void): number {
  const format = opts.format ?? 'text';
  const threshold = opts.severity;
  let failing = 0;
  let unreadable = 0;
  const reports: { file: string; problems: Problem[]; toolchain: boolean }[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readDockerfile(f);
    } catch (e) {
      err(e instanceof Error ? e.message : String(e));
      unreadable++;
      continue;
    }
    const model = buildModel(text);
    const all = [...checkModel(model).filter((p) => p.severity !== 'hint' || p.code === Codes.unreachable), ...convertProblems(model)];
    const problems = threshold ? all.filter((p) => rank(p.severity) <= rank(threshold)) : all;
    failing += problems.filter((p) => rank(p.severity) <= rank(threshold ?? 'error')).length;
    reports.push({ file: f, problems, toolchain: problems.some((p) => p.code === Codes.singleStageToolchain) });
  }
  if (format === 'sarif') {
    const cwd = process.cwd();
    const files2 = reports.map((r) => {
      const abs = path.resolve(r.file);
      const rel = path.relative(cwd, abs);
      const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
      return { uri: inside ? relativeUri(rel) : pathToFileURL(abs).href, relative: inside, problems: r.problems };
    });
    out(JSON.stringify(sarifLog(files2, VERSION, pathToFileURL(cwd).href), null, 2));
  } else if (format === 'json') {
    out(
      JSON.stringify(
        reports.map((x) => ({
          file: x.file,
          problems: x.problems.map((p) => ({
            code: p.code,
            severity: p.severity,
            message: p.message,
            line: p.range.start.line + 1,
            column: p.range.start.character + 1,
            endLine: p.range.end.line + 1,
            endColumn: p.range.end.character + 1,
          })),
        })),
        null,
        2,
      ),
    );
  } else {
    for (const r of reports) {
      for (const p of r.problems) out(formatProblem(r.file, p));
      if (r.toolchain) out(`${r.file}: hint: this image ships its build toolchain: \`dockerfile-stages convert ${r.file}\` turns it into a multi-stage build`);
    }
    const n = reports.reduce((k, x) => k + x.problems.length, 0);
    const errors = reports.reduce((k, x) => k + x.problems.filter((p) => p.severity === 'error').length, 0);
    if (reports.length) err(`${n} problem(s), ${errors} error(s)${threshold ? ` at or above ${threshold}: ${failing}` : ''}`);
  }
  if (unreadable) return 2;
  return failing > 0 ? 1 : 0;
}

export function main(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  if (argv.includes('--version') || argv.includes('-V') || (argv.length === 1 && argv[0] === '-v')) {
    out(`dockerfile-stages ${VERSION}`);
    return 0;
  }
  if (argv[0] === 'graph') return graphCommand(argv.slice(1), out, err);
  if (argv.length === 0) {
    err(USAGE);
    return 2;
  }
  if (argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
    out(USAGE);
    return 0;
  }
  let positional: string[];
  let opts: Options;
  try {
    ({ positional, opts } = parseArgs(argv));
  } catch (e) {
    err(`dockerfile-stages: ${e instanceof Error ? e.message : String(e)}. See 'dockerfile-stages --help'.`);
    return 2;
  }
  const [cmdWord, ...files] = positional;
  if (!cmdWord) {
    err(USAGE);
    return 2;
  }
  if (!(COMMANDS as readonly string[]).includes(cmdWord)) {
    const near = closest(cmdWord, COMMANDS);
    err(
      `dockerfile-stages: unknown command '${cmdWord}'${near ? ` (did you mean '${near}'?)` : ''}. Commands: ${COMMANDS.join(', ')}. See 'dockerfile-stages --help'.`,
    );
    return 2;
  }
  const cmd = cmdWord as Command;
  const arity: Record<Command, [number, number]> = { stages: [1, 1], check: [1, Infinity], convert: [1, 1], 'merge-builder': [2, 3] };
  const [lo, hi] = arity[cmd];
  if (files.length < lo || files.length > hi) {
    err(
      `dockerfile-stages ${cmd}: ${files.length < lo ? `needs ${lo === 1 ? 'a Dockerfile' : `${lo} files`}` : `takes at most ${hi} file${hi === 1 ? '' : 's'}`}. See 'dockerfile-stages --help'.`,
    );
    return 2;
  }
  if (opts.format === 'sarif' && cmd !== 'check') {
    err(`dockerfile-stages ${cmd}: --format sarif is for check only.`);
    return 2;
  }
  const json = opts.format === 'json';
  try {
    if (cmd === 'convert') {
      const file = defined(files[0], 'the Dockerfile argument');
      readDockerfile(file);
      return convertCommand(file, { write: opts.write, dev: opts.dev, distroless: opts.distroless, json, context: opts.context }, out, err);
    }
    if (cmd === 'merge-builder') return mergeCommand(files, { write: opts.write, json }, out, err);
    if (cmd === 'check') return checkCommand(files, opts, out, err);
    const model = buildModel(readDockerfile(defined(files[0], 'the Dockerfile argument')));
    if (json) {
      out(
        JSON.stringify(
          model.stages.map((s) => ({
            index: s.index,
            name: s.name ?? null,
            base: s.base.value || s.base.raw,
            baseStage: s.base.stage ?? null,
            dependsOn: s.dependsOn,
            needs: stageNeeds(model, s.index),
            builtByDefault: s.builtByDefault,
            defaultTarget: model.defaultTarget?.index === s.index,
            line: s.from.range.start.line + 1,
            description: s.description ?? null,
          })),
          null,
          2,
        ),
      );
    } else out(stagesTable(model));
    return 0;
  } catch (e) {
    err(e instanceof Error ? e.message : String(e));
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = main(
    process.argv.slice(2),
    (s) => process.stdout.write(s + '\n'),
    (s) => process.stderr.write(s + '\n'),
  );
}
