/**
 * dockerfile-stages: the stage analysis on the command line.
 *   dockerfile-stages stages <Dockerfile>   the stage table
 *   dockerfile-stages check <Dockerfile>    stage diagnostics; exit 1 on errors
 */
import { readFileSync } from 'node:fs';
import { checkModel, type Problem } from './analysis/checks';
import { buildModel, stageNeeds, type StageModel } from './analysis/model';

const USAGE = `Usage:
  dockerfile-stages stages <Dockerfile>   print the stage table
  dockerfile-stages check <Dockerfile>... print stage diagnostics; exit code 1 if any is an error
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

export function main(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  const json = argv.includes('--json');
  const [cmd, ...files] = argv.filter((a) => a !== '--json');
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    (cmd ? out : err)(USAGE);
    return cmd ? 0 : 2;
  }
  if (files.length === 0 || (cmd !== 'stages' && cmd !== 'check')) {
    err(USAGE);
    return 2;
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
