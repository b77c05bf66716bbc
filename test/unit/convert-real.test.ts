/**
 * The real-world pattern set (issue 9): every fixture under
 * test/fixtures/convert-real/<pattern>/ (a Dockerfile, its build context, and
 * expect.json written from the study in docs/convert-patterns.md) is converted
 * with its own directory as the build context, the way the server and the CLI
 * do it. The result is compared with golden.txt next to it (UPDATE_GOLDEN=1
 * rewrites it) and checked against expect.json:
 *   outcome   convert (no TODO) | todo (offered, with TODOs that fail the build) | decline (not offered)
 *   runtime   the runtime base (exact), reason (decline: a part of the reason given)
 *   mustContain / mustNotContain   lines or fragments of the converted file
 * Never a lost line. The closing test prints the counts: converted right,
 * declined right, TODO, wrong (a fixture whose expectation fails is wrong).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { explainConversion } from '../../server/src/convert/convert';
import { buildModel } from '../../server/src/model/model';
import { contextForDirectory } from '../../server/src/convert/context';
import { nodeContextIO } from '../../server/src/server/nodeIO';

const root = path.resolve(__dirname, '../../../test/fixtures/convert-real');
const update = process.env['UPDATE_GOLDEN'] === '1';

interface Expect {
  outcome: 'convert' | 'decline' | 'todo';
  runtime?: string;
  mustContain?: string[];
  mustNotContain?: string[];
  reason?: string;
  buildable?: boolean;
  runOutput?: string;
}

const patterns = existsSync(root) ? readdirSync(root).filter((d) => statSync(path.join(root, d)).isDirectory() && existsSync(path.join(root, d, 'Dockerfile'))).sort() : [];
const counts = { convert: 0, decline: 0, todo: 0, wrong: 0 };
const wrong: string[] = [];

function render(dir: string): { text: string; outcome: Expect['outcome']; runtime?: string; converted?: string; reason?: string; lost: string[]; todos: readonly string[] } {
  const model = buildModel(readFileSync(path.join(dir, 'Dockerfile'), 'utf8'));
  const { conversion: c, reason } = explainConversion(model, { context: contextForDirectory(dir, nodeContextIO) });
  if (!c) return { text: `## Not converted\n${reason ?? '(no reason)'}\n`, outcome: 'decline', reason, lost: [], todos: [] };
  const out = [`## Converted (${c.language}: ${c.builderName} → ${c.runtimeImage})`, c.text.replace(/\r?\n$/, ''), '', '## TODOs', ...(c.todos.length ? c.todos.map((t) => `- ${t}`) : ['(none)']), '', '## Notes', ...(c.notes.length ? c.notes.map((n) => `- ${n}`) : ['(none)'])];
  return { text: out.join('\n') + '\n', outcome: c.todos.length ? 'todo' : 'convert', runtime: c.runtimeImage, converted: c.text, lost: [...c.lost], todos: c.todos };
}

for (const name of patterns) {
  test(`convert-real: ${name}`, () => {
    const dir = path.join(root, name);
    const r = render(dir);
    const golden = path.join(dir, 'golden.txt');
    try {
      assert.deepEqual(r.lost, [], 'no line is lost');
      if (update || !existsSync(golden)) writeFileSync(golden, r.text);
      else assert.equal(r.text, readFileSync(golden, 'utf8'), `golden.txt (UPDATE_GOLDEN=1 rewrites it)`);
      const expectFile = path.join(dir, 'expect.json');
      if (!existsSync(expectFile)) return; // not studied yet: the golden alone
      const e = JSON.parse(readFileSync(expectFile, 'utf8')) as Expect;
      assert.equal(r.outcome, e.outcome, `outcome (${r.reason ?? r.todos.join(' | ')})`);
      if (e.outcome === 'decline') {
        if (e.reason) assert.ok((r.reason ?? '').toLowerCase().includes(e.reason.toLowerCase()), `reason: "${r.reason}" should say "${e.reason}"`);
      } else {
        if (e.runtime) assert.equal(r.runtime, e.runtime, 'runtime');
        for (const s of e.mustContain ?? []) assert.ok(r.converted?.includes(s), `contains ${JSON.stringify(s)}`);
        for (const s of e.mustNotContain ?? []) assert.ok(!r.converted?.includes(s), `does not contain ${JSON.stringify(s)}`);
        if (e.outcome === 'todo') assert.match(r.converted ?? '', /^COPY --from=\S+ \/TODO\S* \S+$/m, 'the TODOs fail the build');
      }
      counts[e.outcome]++;
    } catch (err) {
      counts.wrong++;
      wrong.push(name);
      throw err;
    }
  });
}

after(() => {
  console.log(`# convert-real: ${patterns.length} patterns: converted right ${counts.convert}, declined right ${counts.decline}, TODO ${counts.todo}, wrong ${counts.wrong}${wrong.length ? ` (${wrong.join(', ')})` : ''}`);
});
