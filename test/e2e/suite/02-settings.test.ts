// dockerStages.inlayHints.stageIndex / .references: turning one off takes effect without a reload.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { Hint, inlayHints, openDockerfile, poll, setSetting } from './helpers';

const SECTION = 'dockerStages';
const isIndex = (h: Hint): boolean => /^#\d+$/.test(h.label);
const isRef = (h: Hint): boolean => h.label.startsWith('→');

describe('inlay hint settings (no reload)', () => {
  let doc: vscode.TextDocument;
  const hints = (): Promise<Hint[]> => inlayHints(doc);
  const both = (h: Hint[]): boolean => h.some(isIndex) && h.some(isRef);

  before(async () => {
    doc = await openDockerfile('Dockerfile');
    await poll('inlay hints of both kinds', hints, both);
  });
  // Back to the defaults, and wait until the server shows both kinds again, so that tests stay independent.
  afterEach(async () => {
    await setSetting(SECTION, 'inlayHints.stageIndex', undefined);
    await setSetting(SECTION, 'inlayHints.references', undefined);
    await poll('both kinds of inlay hints back after resetting the settings', hints, both);
  });

  for (const key of ['inlayHints.stageIndex', 'inlayHints.references']) {
    it(`contributes ${SECTION}.${key}, a boolean that defaults to true`, () => {
      const info = vscode.workspace.getConfiguration(SECTION).inspect<boolean>(key);
      assert.strictEqual(info?.defaultValue, true, `default of ${SECTION}.${key}: ${JSON.stringify(info)}`);
    });
  }

  it('stageIndex: false hides the #N hints and keeps the references', async () => {
    await setSetting(SECTION, 'inlayHints.stageIndex', false);
    const h = await poll('the #N hints to disappear', hints, (x) => !x.some(isIndex) && x.length > 0);
    assert.ok(h.every(isRef), `only reference hints expected: ${JSON.stringify(h)}`);
  });

  it('references: false hides the → hints and keeps the stage indices', async () => {
    await setSetting(SECTION, 'inlayHints.references', false);
    const h = await poll('the → hints to disappear', hints, (x) => !x.some(isRef) && x.length > 0);
    assert.ok(h.every(isIndex), `only #N hints expected: ${JSON.stringify(h)}`);
  });

  it('both false: no hints at all; turning stageIndex back on brings the #N hints back', async () => {
    await setSetting(SECTION, 'inlayHints.stageIndex', false);
    await setSetting(SECTION, 'inlayHints.references', false);
    await poll('all hints to disappear', hints, (x) => x.length === 0);
    await setSetting(SECTION, 'inlayHints.stageIndex', true);
    const h = await poll('the #N hints to come back', hints, (x) => x.length > 0);
    assert.ok(h.every(isIndex), `only #N hints expected: ${JSON.stringify(h)}`);
  });
});
