/** The layering rules of ARCHITECTURE.md, checked on the sources. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../../..');
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const imports = (f: string) => [...readFileSync(f, 'utf8').matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1] as string);

test('model/, convert/ and workspace/ know nothing of LSP, VS Code, features or the server', () => {
  for (const dir of ['model', 'convert', 'workspace']) {
    for (const f of files(path.join(root, 'server/src', dir))) {
      for (const i of imports(f))
        assert.ok(!/^vscode-languageserver($|\/)|^vscode$|^vscode-languageclient/.test(i) && !/^\.\.\/(features|server)\b/.test(i), `${f} imports ${i}`);
    }
  }
});

test('model/ holds nothing of the converter and imports only itself', () => {
  for (const f of files(path.join(root, 'server/src/model'))) {
    for (const i of imports(f)) assert.ok(!i.startsWith('../'), `${f} imports ${i}`);
  }
});

test('only server/src/server/* and main.ts touch the connection; nothing in server/ imports vscode', () => {
  for (const f of files(path.join(root, 'server/src'))) {
    const src = readFileSync(f, 'utf8');
    for (const i of imports(f)) assert.ok(i !== 'vscode' && !i.startsWith('vscode-languageclient'), `${f} imports ${i}`);
    if (!/server\/src\/(server\/[^/]+|main)\.ts$/.test(f))
      assert.ok(!/\bConnection\b|createConnection/.test(src.replace(/import type[^;]+;/g, '')), `${f} uses the connection`);
  }
});

test('no `any` in the sources', () => {
  for (const f of [...files(path.join(root, 'server/src')), ...files(path.join(root, 'client/src'))]) {
    assert.ok(!/:\s*any\b|<any>|as any\b/.test(readFileSync(f, 'utf8')), `${f} uses any`);
  }
});
