/**
 * A general completion is asked on the cursor's stage, the stages it builds on and the
 * lines before the first FROM (features/dls.ts completionSnippet), not on the whole file.
 * The answers must be those of the whole file: every line and several columns of a
 * generated 10-stage file and of a file with variables, inherited ENV and heredocs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { CompletionItemKind, type CompletionItem } from 'vscode-languageserver-types';
import { completionSnippet, GeneralFeatures, shiftCompletion } from '../../server/src/features/dls';
import { stageCompletionContext } from '../../server/src/features/completion';
import { buildModel } from '../../server/src/model/model';

const root = path.resolve(__dirname, '../../..');
const generated = execFileSync(process.execPath, [path.join(root, 'scripts/bench/gen.mjs'), '--stages', '10', '--seed', '3'], { encoding: 'utf8' });
const handmade = [
  '# escape=\\\\',
  'ARG BASE=alpine',
  'ARG VERSION=1',
  'FROM $BASE AS base',
  'ENV APP_HOME=/app',
  'ARG LOCAL=x',
  'FROM base AS build',
  'ENV MODE=${VERSION}',
  'RUN echo $APP_HOME $',
  'RUN <<EOF',
  'echo ${MO',
  'EOF',
  'FROM alpine AS other',
  'ENV OTHER=1',
  'COPY --from=build /app /app',
  'fr',
  'RUN echo $',
].join('\n');

for (const [name, text] of [
  ['generated 10 stages', generated],
  ['variables, inherited ENV, heredocs', handmade],
] as const) {
  test(`snippet completions equal whole-file completions: ${name}`, async () => {
    const general = new GeneralFeatures(() => undefined);
    const model = buildModel(text);
    const lines = text.split('\n');
    let compared = 0;
    let shortened = 0;
    for (let line = 0; line < lines.length; line++) {
      const len = (lines[line] ?? '').length;
      for (const character of new Set([0, 2, Math.floor(len / 2), len])) {
        const p = { line, character };
        // As routes.ts: in --from / mount from= the stage names are ours alone; after FROM ours
        // propose the stage names too, so theirs (kind Reference) are left out there.
        const cc = stageCompletionContext(lines[line] ?? '', character);
        if (cc && cc.kind !== 'from') continue;
        const comparable = (items: CompletionItem[]): CompletionItem[] => (cc ? items.filter((i) => i.kind !== CompletionItemKind.Reference) : items);
        const snippet = completionSnippet(model, p);
        if (snippet.text.length < text.length) shortened++;
        const whole = comparable(await general.completion(text, p));
        const part = comparable((await general.completion(snippet.text, snippet.position)).map((i) => shiftCompletion(i, snippet.lineOffset)));
        assert.deepEqual(part, whole, `completions at ${line}:${character}`);
        compared++;
      }
    }
    assert.ok(shortened > compared / 3, `the snippet is shorter than the file (${shortened} of ${compared})`);
  });
}
