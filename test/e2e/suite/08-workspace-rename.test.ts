// Stages across the workspace in the real VS Code: renaming a stage in its Dockerfile edits the target
// values of the Compose, Bake and dev container files that name it, and they change on disk once saved.
// The files are written at test time into a fresh folder and opened (the server learns of them as open
// documents), and removed afterwards.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { extension, poll, workspaceUri } from './helpers';

describe('Workspace: rename a stage across Compose, Bake and dev container files', () => {
  const dir = workspaceUri('workspace-rename-e2e').fsPath;
  const file = (rel: string) => path.join(dir, rel);
  const read = (rel: string) => fs.readFileSync(file(rel), 'utf8');

  before(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, '.devcontainer'), { recursive: true });
    fs.writeFileSync(file('Dockerfile'), 'FROM alpine AS builder\nRUN echo hi > /x\n\nFROM alpine AS app\nCOPY --from=builder /x /x\n');
    fs.writeFileSync(file('compose.yaml'), 'services:\n  app:\n    build:\n      context: .\n      target: builder\n');
    fs.writeFileSync(
      file('docker-bake.hcl'),
      'group "default" {\n  targets = ["builder"]\n}\n\ntarget "builder" {\n  context = "."\n  target  = "builder"\n}\n',
    );
    fs.writeFileSync(
      file('.devcontainer/devcontainer.json'),
      '{\n  // dev container\n  "build": { "dockerfile": "../Dockerfile", "context": "..", "target": "builder" }\n}\n',
    );
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('renames the stage in the Dockerfile and in every file that targets it, on disk', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file('Dockerfile')));
    await vscode.window.showTextDocument(doc);
    await poll(
      'the extension to activate',
      () => extension().isActive,
      (a) => a,
    );
    const pos = new vscode.Position(0, 17);
    // Files created while the server runs reach it through the file watcher, or, as here, as open
    // documents (the watcher's events are not reliable on this shared test machine).
    for (const rel of ['compose.yaml', 'docker-bake.hcl', '.devcontainer/devcontainer.json'])
      await vscode.workspace.openTextDocument(vscode.Uri.file(file(rel)));
    const refs = await poll(
      'references in the Compose, Bake and dev container files',
      () => vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', doc.uri, pos),
      (ls) => ['compose.yaml', 'docker-bake.hcl', 'devcontainer.json'].every((n) => ls.some((l) => path.basename(l.uri.fsPath) === n)),
    );
    assert.strictEqual(
      refs.filter((l) => path.basename(l.uri.fsPath) === 'docker-bake.hcl').length,
      1,
      'the Bake target name and the group list are not references',
    );
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', doc.uri, pos, 'compile');
    assert.ok(edit, 'a WorkspaceEdit');
    assert.ok(await vscode.workspace.applyEdit(edit), 'the edit applies');
    const changed = edit.entries().map(([u]) => u);
    assert.deepStrictEqual(changed.map((u) => path.relative(dir, u.fsPath)).sort(), [
      '.devcontainer/devcontainer.json',
      'Dockerfile',
      'compose.yaml',
      'docker-bake.hcl',
    ]);
    for (const u of changed) {
      const d = vscode.workspace.textDocuments.find((x) => x.uri.toString() === u.toString()) ?? (await vscode.workspace.openTextDocument(u));
      assert.ok(await d.save(), `${u.fsPath} saves`);
    }
    await poll(
      'the files on disk',
      () => [read('Dockerfile'), read('compose.yaml'), read('docker-bake.hcl'), read('.devcontainer/devcontainer.json')],
      ([d, c, b, j]) =>
        /AS compile\n/.test(d as string) &&
        /--from=compile /.test(d as string) &&
        /target: compile\n/.test(c as string) &&
        /target {2}= "compile"/.test(b as string) &&
        /"target": "compile"/.test(j as string),
    );
    // Only target values changed: the Bake target's name and the group's list keep "builder".
    assert.match(read('docker-bake.hcl'), /targets = \["builder"\]/);
    assert.match(read('docker-bake.hcl'), /target "builder" \{/);
  });
});
