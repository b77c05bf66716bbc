// The stage graph and the layer figures in the real VS Code, with a real engine: build a stage from its
// lens, then find the size each RUN and COPY added at the end of its line; open the stage graph and count
// its nodes. Needs a Docker engine and debian:bookworm (scripts/engine/setup-engine.sh start &&
// scripts/engine/make-base-images.sh); skipped, saying so, without them.
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { extension, poll, setSetting, sleep, workspaceUri } from './helpers';

interface Api {
  layerFigures(uri: string): Map<number, string>;
  graphRender(): { ms: number; stages: number; images: number; declined: boolean } | undefined;
}

function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const TEXT = `FROM debian:bookworm AS base
RUN head -c 2000000 /dev/urandom > /big.bin

FROM base AS sized
COPY base.txt /copied.txt
RUN head -c 1000000 /dev/urandom > /medium.bin
`;

describe('stage graph and layer sizes (real engine)', function () {
  this.timeout(180_000);
  const file = workspaceUri('stages-e2e', 'layers.Dockerfile');
  let docker = '';
  let api: Api;

  before(async function () {
    for (const d of ['docker', path.join(process.env.DSE_DIR ?? '/tmp/dse', 'bin', 'docker')]) {
      if ((await run(d, ['image', 'inspect', 'debian:bookworm'])).code === 0) {
        docker = d;
        break;
      }
    }
    if (!docker) {
      console.log('      SKIPPED: no engine with debian:bookworm (scripts/engine/setup-engine.sh start && scripts/engine/make-base-images.sh).');
      this.skip();
    }
    if (docker !== 'docker') await setSetting('dockerStages', 'build.builder', docker);
    fs.writeFileSync(file.fsPath, TEXT);
  });

  after(async () => {
    await setSetting('dockerStages', 'build.builder', undefined);
    if (docker) await run(docker, ['image', 'rm', '-f', 'stages-e2e:sized']);
    if (fs.existsSync(file.fsPath)) fs.rmSync(file.fsPath);
  });

  it('builds a stage from its lens, then shows a size on its RUN and COPY lines and those of its base stage', async () => {
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    api =
      (await poll(
        'the extension to activate',
        () => extension().isActive,
        (a) => a,
      ),
      extension().exports as Api);
    const lenses = await poll(
      'the Build target sized lens',
      async () => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [],
      (ls) => ls.some((l) => /^Build target sized/.test(l.command?.title ?? '')),
    );
    const c = lenses.find((l) => /^Build target sized/.test(l.command?.title ?? ''))?.command as vscode.Command;
    const cmdArgs: unknown[] = c.arguments ?? [];
    const r = await vscode.commands.executeCommand<{ exitCode: number | undefined } | undefined>(c.command, ...cmdArgs);
    assert.strictEqual(r?.exitCode, 0, JSON.stringify(r));
    const figures = await poll(
      'layer figures on the RUN and COPY lines',
      () => api.layerFigures(doc.uri.toString()),
      (m) => m.size >= 3,
    );
    // 0-based lines: 1 RUN (base, 2 MB), 4 COPY, 5 RUN (1 MB).
    assert.match(figures.get(1) ?? '', /^\+2(\.0)? MB/, JSON.stringify([...figures]));
    assert.match(figures.get(4) ?? '', /^\+\d+(\.\d)? B\b/);
    assert.match(figures.get(5) ?? '', /^\+1(\.0)? MB/);
    assert.strictEqual(figures.get(3), undefined, 'nothing on FROM');
    // Hover on the stage's FROM: the biggest layers, biggest first.
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(3, 1));
    const text = hovers.flatMap((h) => h.contents.map((c) => (c instanceof vscode.MarkdownString ? c.value : typeof c === 'string' ? c : ''))).join('\n');
    assert.match(text, /Biggest layers of `stages-e2e:sized`/, text);
    assert.match(text, /- 2(\.0)? MB · line 2: `RUN head -c 2000000[^\n]*\n- 1(\.0)? MB · line 6:/, text);
    // An edit that moves lines keeps the figures on their instructions, marked stale.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(3, 0), '# moved\n');
    await vscode.workspace.applyEdit(edit);
    const moved = await poll(
      'figures to follow the edit',
      () => api.layerFigures(doc.uri.toString()),
      (m) => (m.get(6) ?? '').includes('before your edits'),
    );
    assert.match(moved.get(6) ?? '', /^\+1(\.0)? MB/);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('opens the stage graph beside the editor and draws every stage and image', async () => {
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('dockerStages.showStageGraph');
    const r = await poll(
      'the graph to render',
      () => api.graphRender(),
      (x) => x !== undefined && x.stages === 2,
    );
    assert.deepStrictEqual([r?.stages, r?.images, r?.declined], [2, 1, false]);
    await sleep(100);
  });
});
