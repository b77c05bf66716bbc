// Compose files in the real VS Code: workspace/stages-e2e/compose.yaml builds ./Dockerfile; build.target gets
// completion of its stage names, an error with "did you mean", definition to the stage, and a build lens.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { extension, poll, positionIn, target, workspaceUri } from './helpers';

describe('Compose: build.target', () => {
  let doc: vscode.TextDocument;
  before(async () => {
    doc = await vscode.workspace.openTextDocument(workspaceUri('stages-e2e', 'compose.yaml'));
    await vscode.window.showTextDocument(doc);
    assert.strictEqual(doc.languageId, 'dockercompose', 'VS Code gives compose.yaml the dockercompose language');
    const ext = extension();
    await poll(
      'the extension to activate (onLanguage:dockercompose)',
      () => ext.isActive,
      (a) => a,
    );
  });

  const lineOf = (text: string) =>
    doc
      .getText()
      .split('\n')
      .findIndex((l) => l.includes(text));

  it('an unknown target is an error with "did you mean", and a quick fix', async () => {
    const ds = await poll(
      'a diagnostic on the typo',
      () => vscode.languages.getDiagnostics(doc.uri),
      (d) => d.some((x) => x.code === 'compose-unknown-target'),
    );
    const d = ds.find((x) => x.code === 'compose-unknown-target') as vscode.Diagnostic;
    assert.strictEqual(d.message, "Target stage 'midle' is not in Dockerfile. Did you mean 'middle'?");
    assert.strictEqual(d.range.start.line, lineOf('target: midle'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range);
    assert.ok(
      actions.some((a) => a.title === "Change to 'middle'"),
      JSON.stringify(actions.map((a) => a.title)),
    );
  });

  it("completes the Dockerfile's stage names at build.target", async () => {
    const pos = positionIn(doc, lineOf('target: middle'), 'middle', 3);
    const list = await poll(
      'stage completions',
      () => vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, pos),
      (l) => l.items.some((i) => i.label === 'final'),
    );
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const n of ['base', 'middle', 'final', 'broken']) assert.ok(labels.includes(n), `${n} in ${JSON.stringify(labels)}`);
  });

  it('goes to the stage in the Dockerfile', async () => {
    const pos = positionIn(doc, lineOf('target: middle'), 'middle', 2);
    const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', doc.uri, pos);
    const t = target(defs[0] as vscode.Location);
    assert.strictEqual(t.uri.fsPath, workspaceUri('stages-e2e', 'Dockerfile').fsPath);
    const df = await vscode.workspace.openTextDocument(t.uri);
    assert.strictEqual(df.getText(t.range), 'middle');
  });

  it('has a lens "Build app (target middle)" on the service', async () => {
    const lenses = await poll(
      'the service lens',
      () => vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri),
      (ls) => ls.some((l) => l.command?.title.startsWith('Build app (target middle)') === true),
    );
    const l = lenses.find((x) => x.command?.title.startsWith('Build app')) as vscode.CodeLens;
    assert.strictEqual(l.range.start.line, lineOf('  app:'));
    assert.strictEqual(l.command?.command, 'dockerStages.client.build');
  });
});
