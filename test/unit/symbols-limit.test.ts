/** The outline of a huge file lists stages only (features/symbols.ts INSTRUCTION_SYMBOL_LIMIT). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildModel } from '../../server/src/model/model';
import { computeDocumentSymbols, INSTRUCTION_SYMBOL_LIMIT } from '../../server/src/features/symbols';

function dockerfile(stages: number, runsPerStage: number): string {
  const out: string[] = [];
  for (let i = 0; i < stages; i++) {
    out.push(`FROM debian:bookworm AS s${i}`);
    for (let r = 0; r < runsPerStage; r++) out.push(`RUN echo ${i}-${r}`);
  }
  return out.join('\n') + '\n';
}

test('up to the limit every stage has its instructions as children', () => {
  const symbols = computeDocumentSymbols(buildModel(dockerfile(10, 4)));
  assert.equal(symbols.length, 10);
  assert.equal(symbols[0]?.children?.length, 5);
  assert.equal(symbols[0]?.children?.[1]?.detail, 'echo 0-0');
  assert.equal(symbols[0]?.detail, 'debian:bookworm');
});

test('above the limit the outline lists stages only, with their instruction count', () => {
  const stages = 100;
  const runs = Math.ceil(INSTRUCTION_SYMBOL_LIMIT / stages);
  const symbols = computeDocumentSymbols(buildModel(dockerfile(stages, runs)));
  assert.equal(symbols.length, stages);
  assert.ok(symbols.every((s) => s.children === undefined));
  assert.equal(symbols[7]?.name, '#7 s7');
  assert.equal(symbols[7]?.detail, `debian:bookworm · ${runs + 1} instructions`);
});
