/**
 * The real-world pattern set (issue 9): every fixture under
 * test/fixtures/convert-real/<pattern>/ (a Dockerfile, its build context, and
 * expect.json written from the study in docs/convert-patterns.md) is converted
 * with its own directory as the build context, the way the server and the CLI
 * do it. The result is compared with test/fixtures/convert-real-golden/<pattern>.txt (UPDATE_GOLDEN=1
 * rewrites it) and checked against expect.json:
 *   outcome   convert (no TODO) | todo (offered, with TODOs that fail the build) | decline (not offered)
 *   runtime   the runtime base (exact), reason (decline: a part of the reason given)
 *   mustContain / mustNotContain   lines or fragments of the converted file
 * Never a lost line. The closing test prints the counts: converted right,
 * declined right, TODO, wrong (a fixture whose expectation fails is wrong).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { explainConversion } from '../../server/src/convert/convert';
import { buildModel } from '../../server/src/model/model';
import { contextForDirectory } from '../../server/src/convert/context';
import { nodeContextIO } from '../../server/src/server/nodeIO';

const root = path.resolve(__dirname, '../../../test/fixtures/convert-real');
/** Goldens live outside the fixtures: a file in a fixture's directory would be part of its build context. */
const goldens = path.resolve(__dirname, '../../../test/fixtures/convert-real-golden');
const update = process.env['UPDATE_GOLDEN'] === '1';

interface Expect {
  outcome: 'convert' | 'decline' | 'todo';
  acceptableOutcomes?: Expect['outcome'][];
  runtime?: string;
  runtimeAnyOf?: string[];
  mustContain?: string[];
  mustNotContain?: string[];
  mustContainAnyOf?: string[][];
  runtimeMustContain?: string[];
  runtimeMustNotContain?: string[];
  reason?: string;
  buildable?: boolean;
  runOutput?: string;
}

const patterns = existsSync(root)
  ? readdirSync(root)
      .filter((d) => statSync(path.join(root, d)).isDirectory() && existsSync(path.join(root, d, 'Dockerfile')))
      .sort()
  : [];
const counts = { convert: 0, decline: 0, todo: 0, wrong: 0 };
const wrong: string[] = [];

function render(dir: string): {
  text: string;
  outcome: Expect['outcome'];
  runtime?: string;
  converted?: string;
  reason?: string;
  lost: string[];
  todos: readonly string[];
} {
  const model = buildModel(readFileSync(path.join(dir, 'Dockerfile'), 'utf8'));
  const { conversion: c, reason } = explainConversion(model, { context: contextForDirectory(dir, nodeContextIO) });
  if (!c) return { text: `## Not converted\n${reason ?? '(no reason)'}\n`, outcome: 'decline', reason, lost: [], todos: [] };
  const out = [
    `## Converted (${c.language}: ${c.builderName} → ${c.runtimeImage})`,
    c.text.replace(/\r?\n$/, ''),
    '',
    '## TODOs',
    ...(c.todos.length ? c.todos.map((t) => `- ${t}`) : ['(none)']),
    '',
    '## Notes',
    ...(c.notes.length ? c.notes.map((n) => `- ${n}`) : ['(none)']),
  ];
  return {
    text: out.join('\n') + '\n',
    outcome: c.todos.length ? 'todo' : 'convert',
    runtime: c.runtimeImage,
    converted: c.text,
    lost: [...c.lost],
    todos: c.todos,
  };
}

for (const name of patterns) {
  test(`convert-real: ${name}`, () => {
    const dir = path.join(root, name);
    const r = render(dir);
    const golden = path.join(goldens, `${name}.txt`);
    try {
      assert.deepEqual(r.lost, [], 'no line is lost');
      if (update || !existsSync(golden)) {
        mkdirSync(goldens, { recursive: true });
        writeFileSync(golden, r.text);
      } else assert.equal(r.text, readFileSync(golden, 'utf8'), `${name}.txt (UPDATE_GOLDEN=1 rewrites it)`);
      const expectFile = path.join(dir, 'expect.json');
      if (!existsSync(expectFile)) return; // not studied yet: the golden alone
      const e = JSON.parse(readFileSync(expectFile, 'utf8')) as Expect;
      const outcomes = [e.outcome, ...(e.acceptableOutcomes ?? [])];
      assert.ok(outcomes.includes(r.outcome), `outcome ${r.outcome}, expected ${outcomes.join(' or ')} (${r.reason ?? r.todos.join(' | ')})`);
      if (r.outcome === 'decline') {
        if (e.reason && e.outcome === 'decline')
          assert.ok((r.reason ?? '').toLowerCase().includes(e.reason.toLowerCase()), `reason: "${r.reason}" should say "${e.reason}"`);
      } else {
        // Substrings of non-comment lines: of the whole file, and of the final stage.
        const code = (text: string) =>
          text
            .split(/\r?\n/)
            .filter((l) => !/^\s*#/.test(l))
            .join('\n');
        const all = code(r.converted ?? '');
        const lines = (r.converted ?? '').split(/\r?\n/);
        const lastFrom = lines.map((l) => /^\s*FROM\s/i.test(l)).lastIndexOf(true);
        const final = code(lines.slice(lastFrom).join('\n'));
        const anyOf = e.runtimeAnyOf ?? (e.runtime ? [e.runtime] : []);
        if (anyOf.length)
          assert.ok(
            anyOf.some((x) => (e.runtimeAnyOf ? r.runtime?.startsWith(x) : r.runtime === x)),
            `runtime ${r.runtime}, expected ${anyOf.join(' | ')}`,
          );
        for (const s of e.mustContain ?? []) assert.ok(all.includes(s), `contains ${JSON.stringify(s)}`);
        for (const s of e.mustNotContain ?? []) assert.ok(!all.includes(s), `does not contain ${JSON.stringify(s)}`);
        for (const g of e.mustContainAnyOf ?? [])
          assert.ok(
            g.some((s) => all.includes(s)),
            `contains one of ${JSON.stringify(g)}`,
          );
        for (const s of e.runtimeMustContain ?? []) assert.ok(final.includes(s), `final stage contains ${JSON.stringify(s)}`);
        for (const s of e.runtimeMustNotContain ?? []) assert.ok(!final.includes(s), `final stage does not contain ${JSON.stringify(s)}`);
        if (r.outcome === 'todo') assert.match(r.converted ?? '', /^COPY --from=\S+ \/TODO\S* \S+$/m, 'the TODOs fail the build');
        if (r.outcome === 'todo' && e.reason) assert.ok(r.todos.join(' ').toLowerCase().includes(e.reason.toLowerCase()), `TODO says "${e.reason}"`);
      }
      counts[r.outcome]++;
    } catch (err) {
      counts.wrong++;
      wrong.push(name);
      throw err;
    }
  });
}

after(() => {
  console.log(
    `# convert-real: ${patterns.length} patterns: converted right ${counts.convert}, declined right ${counts.decline}, TODO ${counts.todo}, wrong ${counts.wrong}${wrong.length ? ` (${wrong.join(', ')})` : ''}`,
  );
});
