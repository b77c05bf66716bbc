// "Convert to Multi-Stage Build" from the command palette and as a quick fix, in the real VS Code:
// a single-stage Go Dockerfile (with its go.mod, so the converter knows the program) becomes a
// builder + runtime pair that keeps every original line.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { poll } from './helpers';

const ORIGINAL = [
  '# A Go service shipped with its SDK',
  'FROM golang:1.19',
  'WORKDIR /src',
  'COPY go.mod ./',
  'COPY . .',
  'RUN go build -o /bin/hello .',
  'EXPOSE 8080',
  'CMD ["/bin/hello"]',
  '',
].join('\n');

async function openTemp(): Promise<vscode.TextDocument> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dse-convert-'));
  fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/hello\n\ngo 1.19\n');
  fs.writeFileSync(path.join(dir, 'main.go'), 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n');
  fs.writeFileSync(path.join(dir, 'Dockerfile'), ORIGINAL);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(dir, 'Dockerfile')));
  await vscode.window.showTextDocument(doc);
  if (doc.languageId !== 'dockerfile') await vscode.languages.setTextDocumentLanguage(doc, 'dockerfile');
  return doc;
}

function assertConverted(text: string): void {
  const froms = text.split('\n').filter((l) => /^FROM /i.test(l));
  assert.equal(froms.length, 2, text);
  assert.match(froms[0] ?? '', /^FROM golang:1\.19 AS \w+/);
  assert.match(text, /COPY --from=\w+ \/bin\/hello/);
  for (const line of ORIGINAL.split('\n').filter((l) => l.trim())) assert.ok(text.includes(line), `lost: ${line}\n${text}`);
}

describe('convert to multi-stage', () => {
  it('the diagnostic carries the quick fix', async () => {
    const doc = await openTemp();
    const diag = await poll(
      'the single-stage-toolchain diagnostic',
      () => vscode.languages.getDiagnostics(doc.uri),
      (ds) => ds.some((d) => d.code === 'single-stage-toolchain'),
    );
    const d = diag.find((x) => x.code === 'single-stage-toolchain') as vscode.Diagnostic;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      d.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.title.startsWith('Convert to multi-stage build'));
    assert.ok(fix?.edit, `quick fix offered: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assertConverted(doc.getText());
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('the palette command rewrites the file', async () => {
    const doc = await openTemp();
    await poll(
      'the conversion to be offered',
      () => vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0)),
      (as) => as.some((a) => a.title.startsWith('Convert to multi-stage build')),
    );
    await vscode.commands.executeCommand('dockerStages.convertToMultiStage');
    assertConverted(doc.getText());
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
