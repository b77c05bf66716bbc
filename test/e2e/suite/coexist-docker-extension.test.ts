// Launched beside a stub extension with the id of Docker's extension (docker.docker): with
// dockerStages.languageFeatures = auto the server serves the stage features only, so nothing shows twice.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { extension, labelText, openDockerfile, poll, setSetting } from './helpers';

interface Api {
  languageFeatures(): string;
}

describe("coexistence with Docker's extension", () => {
  it('the stub is installed, and auto resolves to stage features only', async () => {
    assert.ok(vscode.extensions.getExtension('docker.docker'), 'stub docker.docker is loaded');
    await openDockerfile();
    const api = (await extension().activate()) as Api;
    assert.equal(api.languageFeatures(), 'stagesOnly');
  });

  it('stage features still answer: inlay hints', async () => {
    const doc = await openDockerfile();
    const hints = await poll(
      'inlay hints',
      () => vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0)),
      (h) => (h ?? []).length > 0,
    );
    assert.ok(hints.some((h) => /^#0$/.test(labelText(h))));
  });

  it('the general features are not served twice: no formatter, no semantic tokens from us', async () => {
    const doc = await openDockerfile();
    const edits = await vscode.commands.executeCommand<vscode.TextEdit[] | undefined>('vscode.executeFormatDocumentProvider', doc.uri, {
      tabSize: 4,
      insertSpaces: true,
    });
    assert.ok(!edits || edits.length === 0, `no formatting edits: ${JSON.stringify(edits)}`);
    const legend = await vscode.commands.executeCommand<vscode.SemanticTokensLegend | undefined>('vscode.provideDocumentSemanticTokensLegend', doc.uri);
    assert.equal(legend, undefined);
  });

  it('setting languageFeatures to all restarts the server with everything', async () => {
    await setSetting('dockerStages', 'languageFeatures', 'all');
    const api = (await extension().activate()) as Api;
    await poll(
      'the mode to switch',
      () => api.languageFeatures(),
      (m) => m === 'all',
    );
    const doc = await openDockerfile();
    await poll(
      'semantic tokens legend',
      () => vscode.commands.executeCommand<vscode.SemanticTokensLegend | undefined>('vscode.provideDocumentSemanticTokensLegend', doc.uri),
      (l) => l !== undefined,
    );
    await setSetting('dockerStages', 'languageFeatures', undefined);
  });
});
