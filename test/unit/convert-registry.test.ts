/**
 * The converter's language registry (issue 13: "a new converter language is
 * one new module plus one registry line"): every module under
 * server/src/convert/languages/ is registered, and nothing outside the
 * modules knows a language by its id.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LANGUAGES, languageModule, languageOfImage, preferredLanguage } from '../../server/src/convert/registry';
import { parseImage } from '../../server/src/convert/images';

const root = path.resolve(__dirname, '../../..');
const convertDir = path.join(root, 'server/src/convert');
const langDir = path.join(convertDir, 'languages');

test('every language module is registered once, with a unique id, and one is the fallback', () => {
  const modules = readdirSync(langDir)
    .filter((f) => f.endsWith('.ts') && f !== 'types.ts')
    .map((f) => f.replace(/\.ts$/, ''));
  const ids = LANGUAGES.map((l) => l.id);
  assert.deepEqual([...ids].sort(), [...modules].sort(), 'languages/<id>.ts ↔ registry');
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(LANGUAGES.filter((l) => l.fallback).length, 1);
  assert.equal(LANGUAGES[LANGUAGES.length - 1]?.fallback, true, 'the fallback is last');
  for (const m of modules)
    assert.ok(
      LANGUAGES.some((l) => l.id === m),
      `${m} is registered`,
    );
});

test('only registry.ts imports the language modules; no other converter file names a language id', () => {
  const ids = LANGUAGES.map((l) => l.id);
  for (const f of readdirSync(convertDir).filter((x) => x.endsWith('.ts'))) {
    const src = readFileSync(path.join(convertDir, f), 'utf8');
    if (f !== 'registry.ts') assert.ok(!/from '\.\/languages\/(?!types')/.test(src), `${f} imports a language module`);
    // images.ts names the tag styles of image families, not languages.
    if (f === 'images.ts' || f === 'registry.ts') continue;
    for (const id of ids) assert.ok(!src.includes(`'${id}'`), `${f} names the language '${id}'`);
  }
});

test('registry order decides: a compiled language over make, the fallback last', () => {
  assert.equal(preferredLanguage(['c', 'go'], []), 'go');
  assert.equal(preferredLanguage(['node', 'c'], []), 'node');
  assert.equal(preferredLanguage([], ['build-essential']), 'c');
  assert.equal(preferredLanguage([], []), 'generic');
  assert.equal(languageOfImage(parseImage('mirror.gcr.io/library/golang:1.22')), 'go');
  assert.equal(languageOfImage(parseImage('mcr.microsoft.com/dotnet/sdk:8.0')), 'dotnet');
  assert.equal(languageModule('no-such-language').id, 'generic');
});
