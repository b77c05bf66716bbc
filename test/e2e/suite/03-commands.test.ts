// The manifest's promises: every command in contributes.commands is registered once the extension
// is active. package.json is read from the extension's own folder at test time, so this test follows
// whatever commands the manifest declares.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { EXTENSION_ID, extension, openDockerfile } from './helpers';

interface Manifest {
  name?: string;
  publisher?: string;
  main?: string;
  activationEvents?: string[];
  contributes?: { commands?: { command: string; title?: string }[] };
}

describe('extension manifest and commands', () => {
  let manifest: Manifest;

  before(async () => {
    await openDockerfile('Dockerfile'); // activates the extension
    manifest = JSON.parse(fs.readFileSync(path.join(extension().extensionPath, 'package.json'), 'utf8')) as Manifest;
  });

  it(`is ${EXTENSION_ID}, activated by onLanguage:dockerfile, main dist/client.js`, () => {
    assert.strictEqual(`${manifest.publisher}.${manifest.name}`, EXTENSION_ID);
    assert.ok(manifest.activationEvents?.includes('onLanguage:dockerfile'), JSON.stringify(manifest.activationEvents));
    assert.strictEqual(path.normalize(manifest.main ?? ''), path.normalize('dist/client.js'));
    assert.ok(extension().isActive, 'active after opening a Dockerfile');
  });

  it('registers every command in package.json contributes.commands', async function () {
    const declared = (manifest.contributes?.commands ?? []).map((c) => c.command);
    if (declared.length === 0) this.skip(); // nothing declared (yet): nothing to check
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.deepStrictEqual(missing, [], `declared in package.json but not registered: ${missing.join(', ')}`);
  });
});
