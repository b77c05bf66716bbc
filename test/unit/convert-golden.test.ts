/**
 * Golden tests of "Convert to multi-stage build": every fixture under
 * test/fixtures/convert/*.Dockerfile (with its build context in
 * <name>.context/ when it has one) rendered as the diagnostic, the code
 * actions, the converted file, its TODOs and notes, and the dev stage; every
 * merge case under test/fixtures/convert/merge/<case>/ rendered as the merged
 * file. Compared with the .golden.txt next to them; UPDATE_GOLDEN=1 rewrites them.
 *
 * Every fixture also proves the rule "never lose a line": each original
 * instruction and comment is in the result.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { convertToMultiStage, lostLines, type ConvertContext } from '../../server/src/convert/convert';
import { addDevStage } from '../../server/src/convert/dev';
import { mergeBuilderPattern } from '../../server/src/convert/merge';
import { buildModel } from '../../server/src/model/model';
import { computeConvertActions, contextForDirectory, convertProblems } from '../../server/src/features/convert';
import { toDiagnostic } from '../../server/src/features/diagnostics';
import { applyEdits } from '../helpers/render';

const dir = path.resolve(__dirname, '../../../test/fixtures/convert');
const update = process.env['UPDATE_GOLDEN'] === '1';
const uri = 'file:///fixture/Dockerfile';

export function fsContext(root: string): ConvertContext {
  return contextForDirectory(root, {
    readFile: (p) => (existsSync(p) && statSync(p).isFile() ? readFileSync(p, 'utf8') : undefined),
    readDir: (p) =>
      existsSync(p) && statSync(p).isDirectory() ? readdirSync(p, { withFileTypes: true }).map((e) => (e.isDirectory() ? e.name + '/' : e.name)) : undefined,
  });
}

const pos = (p: { line: number; character: number }) => `${p.line + 1}:${p.character + 1}`;

function numbered(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l, i) => `${String(i + 1).padStart(3)} | ${l.replace(/\t/g, '→')}`);
}

function render(text: string, context: ConvertContext | undefined): { out: string; lost: string[] } {
  const model = buildModel(text);
  const out: string[] = ['## Diagnostic'];
  const problems = convertProblems(model);
  for (const p of problems)
    out.push(
      `${pos(p.range.start)}-${pos(p.range.end)} ${p.severity} [${p.code}] ${p.message}`,
      ...p.related.map((r) => `    related ${pos(r.range.start)}: ${r.message}`),
    );
  if (!problems.length) out.push('(none)');
  out.push('', '## Code actions');
  const whole = { start: { line: 0, character: 0 }, end: { line: model.parsed.lines.length, character: 0 } };
  const actions = computeConvertActions(
    model,
    uri,
    whole,
    problems.map((p) => toDiagnostic(p, uri)),
    { context },
  );
  for (const a of actions) out.push(`${a.kind}: ${a.title}${a.isPreferred ? ' [preferred]' : ''}`);
  if (!actions.length) out.push('(none)');
  const conv = convertToMultiStage(model, { context });
  let lost: string[] = [];
  if (conv) {
    lost = [...conv.lost];
    out.push('', `## Converted (${conv.language}: ${conv.builderName} → ${conv.runtimeImage})`, ...numbered(conv.text));
    out.push('', '## TODOs', ...(conv.todos.length ? conv.todos.map((t) => `- ${t}`) : ['(none)']));
    out.push('', '## Notes', ...(conv.notes.length ? conv.notes.map((t) => `- ${t}`) : ['(none)']));
    const dev = convertToMultiStage(model, { context, devStage: true });
    if (dev) {
      lost.push(...dev.lost);
      const lines = dev.text.split('\n');
      const start = lines.findIndex((l) => / AS dev$/.test(l)) - 2;
      const end = lines.findIndex((l, i) => i > start && l === '');
      out.push('', '## Dev stage', ...lines.slice(start, end));
    }
    // Never silently unfinished: a conversion with TODOs fails the build until they are done.
    if (conv.todos.length) assert.match(conv.text, /^COPY --from=\S+ \/TODO[^\s]* \S+$/m, 'a TODO fails the build loudly');
    // The converted file converts no further and keeps the production stage last.
    const again = buildModel(conv.text);
    assert.equal(again.stages.length, 2, 'converted file has a builder and a runtime stage');
    assert.equal(convertProblems(again).length, 0, 'converted file is not flagged again');
    assert.equal(again.stages[0]?.name, conv.builderName);
    assert.ok(
      again.references.some((r) => r.resolution.kind === 'stage' && r.resolution.stage === 0) || conv.todos.length > 0,
      'runtime copies from the builder',
    );
  }
  // Multi-stage files: "Add a dev stage".
  if (model.stages.length > 1) {
    const dev = addDevStage(model, context);
    out.push('', '## Add a dev stage');
    if (dev) {
      const after = applyEdits(text, dev.edits);
      out.push(dev.title, ...numbered(after));
      lost.push(...lostLines(text, after));
      const m = buildModel(after);
      assert.equal(m.defaultTarget?.name, model.defaultTarget?.name, 'production stays the default target');
    } else out.push('(not offered)');
  }
  return { out: out.join('\n') + '\n', lost };
}

function check(goldenPath: string, actual: string): void {
  if (update || !existsSync(goldenPath)) {
    writeFileSync(goldenPath, actual);
    if (!update) assert.fail(`${goldenPath} did not exist: written; review it and run again`);
    return;
  }
  assert.equal(actual, readFileSync(goldenPath, 'utf8'));
}

for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.Dockerfile'))
  .sort()) {
  test(`convert golden: ${file}`, () => {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const ctxDir = path.join(dir, file.replace(/\.Dockerfile$/, '.context'));
    const context = existsSync(ctxDir) ? fsContext(ctxDir) : undefined;
    const { out, lost } = render(text, context);
    assert.deepEqual(lost, [], 'every original line is in the result');
    check(path.join(dir, file.replace(/\.Dockerfile$/, '.golden.txt')), out);
  });
}

const mergeDir = path.join(dir, 'merge');
for (const name of existsSync(mergeDir) ? readdirSync(mergeDir).sort() : []) {
  test(`merge-builder golden: ${name}`, () => {
    const d = path.join(mergeDir, name);
    const read = (f: string) => (existsSync(path.join(d, f)) ? readFileSync(path.join(d, f), 'utf8') : undefined);
    const r = mergeBuilderPattern(read('Dockerfile.build') ?? '', read('Dockerfile') ?? '', read('build.sh'));
    const out: string[] = [];
    if ('error' in r) out.push(`error: ${r.error}`);
    else {
      assert.deepEqual(r.lost, [], 'every line of both Dockerfiles is in the result');
      const m = buildModel(r.text);
      assert.ok(m.stages.length >= 2);
      out.push(`## Merged (builder: ${r.builderName})`, ...numbered(r.text));
      out.push('', '## Extractions', ...(r.extractions.length ? r.extractions.map((e) => `- ${e.from} → ${e.to}`) : ['(none)']));
      out.push('', '## TODOs', ...(r.todos.length ? r.todos.map((t) => `- ${t}`) : ['(none)']));
      out.push('', '## Notes', ...(r.notes.length ? r.notes.map((t) => `- ${t}`) : ['(none)']));
    }
    check(path.join(d, 'expected.golden.txt'), out.join('\n') + '\n');
  });
}
