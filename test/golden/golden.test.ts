/**
 * Golden tests: every fixture under test/fixtures × every stage feature,
 * rendered by test/helpers/render.ts and compared with <fixture>.golden.txt.
 * UPDATE_GOLDEN=1 rewrites the goldens; review their diff like code.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { renderGolden } from '../helpers/render';

const dir = path.resolve(__dirname, '../../../test/fixtures');
const update = process.env['UPDATE_GOLDEN'] === '1';

for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.Dockerfile'))
  .sort()) {
  test(`golden: ${file}`, () => {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const actual = renderGolden(text);
    const goldenPath = path.join(dir, file.replace(/\.Dockerfile$/, '.golden.txt'));
    if (update || !existsSync(goldenPath)) {
      writeFileSync(goldenPath, actual);
      if (!update) assert.fail(`${goldenPath} did not exist: written; review it and run again`);
      return;
    }
    assert.equal(actual, readFileSync(goldenPath, 'utf8'));
  });
}
