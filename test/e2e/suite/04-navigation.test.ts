// Go to definition, find references and hover, through VS Code's own commands
// (vscode.executeDefinitionProvider etc.), i.e. through our language client and server.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { hoverText, lineStarting, openDockerfile, poll, positionIn, target } from './helpers';

describe('navigation: definition, references, hover', () => {
  let doc: vscode.TextDocument;
  let declLine: number;
  before(async () => {
    doc = await openDockerfile('Dockerfile');
    declLine = lineStarting(doc, 'FROM --platform=$BUILDPLATFORM golang:1.22 AS Builder');
  });
  const exec = <T>(command: string, pos: vscode.Position): Thenable<T> => vscode.commands.executeCommand<T>(command, doc.uri, pos);
  const show = (ls: (vscode.Location | vscode.LocationLink)[]): string =>
    JSON.stringify(ls.map(target).map((t) => `${t.uri.path}:${t.range.start.line}:${t.range.start.character}`));

  /** Asserts that `defs` points at the stage name `Builder` in `FROM ... AS Builder`. */
  const assertIsBuilderName = (defs: (vscode.Location | vscode.LocationLink)[]): void => {
    assert.strictEqual(defs.length, 1, `one definition expected: ${show(defs)}`);
    const def = defs[0];
    assert.ok(def, 'a definition');
    const { uri, range } = target(def);
    assert.strictEqual(uri.toString(), doc.uri.toString());
    assert.strictEqual(range.start.line, declLine, `definition line: ${show(defs)}`);
    assert.strictEqual(doc.getText(range), 'Builder', `the definition's range should be the name in "AS Builder"`);
  };

  it('definition of COPY --from=builder is the name in FROM … AS Builder', async () => {
    const pos = positionIn(doc, lineStarting(doc, 'COPY --from=builder'), '--from=builder', '--from=b'.length);
    const defs = await poll(
      'a definition for --from=builder',
      () => exec<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', pos),
      (d) => d.length > 0,
    );
    assertIsBuilderName(defs);
  });

  it('definition of FROM builder (a stage used as a base) is the same name', async () => {
    const pos = positionIn(doc, lineStarting(doc, 'FROM builder AS test'), 'builder', 2);
    const defs = await poll(
      'a definition for FROM builder',
      () => exec<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', pos),
      (d) => d.length > 0,
    );
    assertIsBuilderName(defs);
  });

  it('references of the stage name include every by-name use', async () => {
    const pos = positionIn(doc, declLine, 'Builder', 2);
    const refs = await poll(
      'references of Builder',
      () => exec<vscode.Location[]>('vscode.executeReferenceProvider', pos),
      (r) => r.length > 0,
    );
    const lines = new Set(refs.map((r) => r.range.start.line));
    for (const prefix of ['RUN --mount=type=bind,from=builder', 'FROM builder AS test', 'COPY --from=builder']) {
      assert.ok(lines.has(lineStarting(doc, prefix)), `a reference on "${prefix}…" expected: ${show(refs)}`);
    }
    for (const r of refs) {
      assert.strictEqual(r.uri.toString(), doc.uri.toString());
      // By name (any case), or by index: BuildKit resolves --from=0 to the same stage.
      assert.match(
        doc.getText(r.range),
        /^(builder|0)$/i,
        `each reference's range is the stage's name or index, not ${JSON.stringify(doc.getText(r.range))}: ${show([r])}`,
      );
    }
  });

  it('hover on --from=0 mentions the stage index', async () => {
    const pos = positionIn(doc, lineStarting(doc, 'COPY --from=0'), '--from=0', '--from='.length);
    const hovers = await poll(
      'a hover on --from=0',
      () => exec<vscode.Hover[]>('vscode.executeHoverProvider', pos),
      (h) => hoverText(h).trim().length > 0,
    );
    const text = hoverText(hovers);
    assert.match(text, /(#|\bstage\s+|\bindex\b\W*)0\b/i, `hover text:\n${text}`);
  });
});
