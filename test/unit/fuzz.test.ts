/**
 * Bad input never crashes or hangs: seeded random text, mutated fixtures and
 * hostile constructs go through the model and every stage feature.
 * (The timeout is a hang guard, not a speed assertion: speed is `npm run bench`.)
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { checkModel } from '../../server/src/model/checks';
import { buildModel } from '../../server/src/model/model';
import { computeStageCodeActions } from '../../server/src/features/codeActions';
import { computeStageCompletions } from '../../server/src/features/completion';
import { computeHover } from '../../server/src/features/hover';
import { computeInlayHints } from '../../server/src/features/inlayHints';
import { computeDefinition, computeHighlights, computeReferences, computeRename, prepareStageRename } from '../../server/src/features/navigation';
import { computeSemanticTokens } from '../../server/src/features/semanticTokens';
import { computeDocumentSymbols, computeFoldingRanges } from '../../server/src/features/symbols';
import { DEFAULT_SETTINGS } from '../../server/src/protocol';
import { ALPHABET, rng } from './support/fuzz-alphabet';

function exercise(text: string): void {
  const model = buildModel(text);
  const problems = checkModel(model);
  const lines = model.parsed.lines;
  computeInlayHints(model, { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } }, DEFAULT_SETTINGS);
  computeSemanticTokens(model);
  computeDocumentSymbols(model);
  computeFoldingRanges(model);
  const r = rng(text.length);
  for (let k = 0; k < 8 && lines.length; k++) {
    const line = Math.floor(r() * lines.length);
    const p = { line, character: Math.floor(r() * ((lines[line] ?? '').length + 1)) };
    computeHover(model, p);
    computeDefinition(model, 'file:///x', p);
    computeReferences(model, 'file:///x', p, true);
    computeHighlights(model, p);
    prepareStageRename(model, p);
    computeRename(model, p, 'renamed');
    computeStageCompletions(model, lines[line] ?? '', p);
    computeStageCodeActions(model, 'file:///x', { start: p, end: p }, [], problems);
  }
}

test('random token soup', { timeout: 120_000 }, () => {
  const r = rng(42);
  for (let i = 0; i < 300; i++) {
    let s = '';
    const n = Math.floor(r() * 80);
    for (let j = 0; j < n; j++) s += ALPHABET[Math.floor(r() * ALPHABET.length)] ?? '';
    assert.doesNotThrow(
      () => {
        exercise(s);
      },
      `input: ${JSON.stringify(s)}`,
    );
  }
});

test('mutated fixtures', { timeout: 120_000 }, () => {
  const dir = path.resolve(__dirname, '../../../test/fixtures');
  const r = rng(7);
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.Dockerfile'))) {
    const base = readFileSync(path.join(dir, f), 'utf8');
    for (let i = 0; i < 20; i++) {
      const at = Math.floor(r() * (base.length + 1));
      const cut = Math.floor(r() * 10);
      const s = base.slice(0, at) + (ALPHABET[Math.floor(r() * ALPHABET.length)] as string) + base.slice(at + cut);
      assert.doesNotThrow(() => {
        exercise(s);
      }, `${f} mutation ${i}`);
    }
  }
});

test('hostile sizes end: a long ARG default trimmed by a pattern, an opened heredoc above 300 stages', { timeout: 120_000 }, () => {
  exercise(`ARG A=${'x'.repeat(200_000)}\nFROM \${A#*y} AS b\n`);
  let s = '';
  for (let i = 0; i < 300; i++) s += `FROM alpine AS s${i}\nRUN echo ${i}\n`;
  const m0 = buildModel(s);
  const m1 = buildModel(s.replace('RUN echo 1\n', 'RUN <<EOF\n'), m0);
  assert.equal(m1.stages.length, 2);
});
