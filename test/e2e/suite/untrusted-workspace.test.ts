// Workspace Trust in the real VS Code (third launch of run.mjs: trust on, the folder untrusted).
// Its .vscode/settings.json sets the restricted dockerStages.build.builder to a probe script that
// leaves a marker file when it runs: stage features work, build lenses are absent, the build
// commands and tasks refuse, the restricted setting is ignored, and no process is ever started.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { inlayHints, openDockerfile, poll, sleep } from './helpers';

const marker = process.env.E2E_PROBE_MARKER ?? '';
const probe = process.env.E2E_PROBE_BUILDER ?? '';

describe('untrusted workspace', () => {
  let doc: vscode.TextDocument;
  before(async () => {
    assert.ok(marker && probe, 'run.mjs passes the probe paths');
    doc = await openDockerfile('Dockerfile');
  });

  it('is untrusted, and the restricted builder setting of the workspace is ignored', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const file = JSON.parse(fs.readFileSync(`${folder}/.vscode/settings.json`, 'utf8')) as Record<string, unknown>;
    assert.strictEqual(file['dockerStages.build.builder'], probe, 'the workspace does set it');
    const c = vscode.workspace.getConfiguration('dockerStages.build', doc.uri);
    assert.strictEqual(c.get<string>('builder'), 'auto', 'but untrusted, VS Code gives the default');
  });

  it('shows stage features (inlay hints, code lenses without Build/Run)', async () => {
    const hints = await poll(
      'inlay hints',
      () => inlayHints(doc),
      (h) => h.length > 0,
    );
    assert.ok(hints.some((h) => h.label === '#0'));
    // The server answers lenses; none of them builds or runs.
    await sleep(500);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.deepStrictEqual(
      titles.filter((t) => /^(Build|Run)\b/.test(t)),
      [],
      titles.join(', '),
    );
  });

  it('the build commands refuse, and no process starts', async () => {
    const uri = doc.uri.toString();
    const args = { uri, target: 'builder', stage: 0, nameFirst: undefined, compose: undefined, fromCompose: false };
    const r1 = await vscode.commands.executeCommand('dockerStages.buildTarget', args);
    const r2 = await vscode.commands.executeCommand('dockerStages.runTarget', args);
    assert.strictEqual(r1, undefined);
    assert.strictEqual(r2, undefined);
    // What a Build lens would run.
    assert.strictEqual(await vscode.commands.executeCommand('dockerStages.client.build', args), undefined);
    // (vscode.tasks.fetchTasks is not asked: in Restricted Mode VS Code answers it with a trust prompt.)
    await sleep(2000);
    assert.strictEqual(fs.existsSync(marker), false, `the probe builder ran: ${fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8') : ''}`);
  });
});
