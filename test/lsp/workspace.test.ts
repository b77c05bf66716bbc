/**
 * LSP tests of stages across the workspace (test/fixtures/workspace/multi copied to a
 * temporary folder): Compose, Bake (HCL and JSON), dev container and workflow files get
 * definition, hover, completion, "unknown target" diagnostics with a quick fix and lenses;
 * references and rename asked from the Dockerfile reach them all, and nothing that merely
 * shares the stage's name. Malformed files give nothing or a parse diagnostic. Hostile
 * workspaces: a symlink out, an oversized file, a file that vanishes, a context outside.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { LspClient, root } from '../helpers/lspClient';
import {
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  DefinitionRequest,
  DidChangeWatchedFilesNotification,
  HoverRequest,
  ReferencesRequest,
  RenameRequest,
  type CompletionItem,
  type CompletionList,
  type Hover,
  type Location,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { applyEdits } from '../helpers/render';

const fixture = path.join(root, 'test/fixtures/workspace/multi');

describe('workspace: Compose, Bake, dev containers and workflows', () => {
  let dir: string;
  let outside: string;
  let c: LspClient;
  const f = (rel: string) => path.join(dir, rel);
  const u = (rel: string) => pathToFileURL(f(rel)).href;
  const text = (rel: string) => readFileSync(f(rel), 'utf8');
  const open = (rel: string, languageId = 'plaintext') => {
    c.open(u(rel), text(rel), languageId);
  };
  const at = (rel: string, needle: string, nth = 0, delta = 1) => {
    const lines = text(rel).split('\n');
    let seen = 0;
    for (let line = 0; line < lines.length; line++) {
      let i = -1;
      while ((i = (lines[line] as string).indexOf(needle, i + 1)) >= 0) if (seen++ === nth) return { line, character: i + delta };
    }
    throw new Error(`${needle} not in ${rel}`);
  };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dse-ws-'));
    outside = mkdtempSync(path.join(tmpdir(), 'dse-outside-'));
    cpSync(fixture, dir, { recursive: true });
    // Ignored folder, a symlink leaving the workspace, an oversized file, a context outside.
    mkdirSync(f('node_modules/pkg'), { recursive: true });
    writeFileSync(f('node_modules/pkg/docker-bake.hcl'), 'target "nm" {\n  context = "../../app"\n  target = "dev"\n}\n');
    writeFileSync(path.join(outside, 'Dockerfile'), 'FROM alpine AS secretstage\n');
    writeFileSync(path.join(outside, 'docker-bake.hcl'), 'target "outside" {\n  context = "' + path.join(dir, 'app') + '"\n  target = "dev"\n}\n');
    mkdirSync(f('linked'));
    symlinkSync(path.join(outside, 'docker-bake.hcl'), f('linked/docker-bake.hcl'));
    mkdirSync(f('big'));
    writeFileSync(f('big/docker-bake.hcl'), 'target "big" {\n  context = "../app"\n  target = "dev"\n}\n' + '#'.repeat(1_100_000) + '\n');
    mkdirSync(f('escape/.devcontainer'), { recursive: true });
    writeFileSync(f('escape/.devcontainer/devcontainer.json'), JSON.stringify({ build: { dockerfile: path.join(outside, 'Dockerfile'), target: 'nothere' } }));
    c = new LspClient({ workspace: dir });
    await c.init;
  });
  after(async () => {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  test('references of a stage from the Dockerfile list every file that targets it, and nothing that shares its name', async () => {
    open('app/Dockerfile', 'dockerfile');
    const refs = (await c.conn.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: u('app/Dockerfile') },
      position: at('app/Dockerfile', 'AS build', 0, 4),
      context: { includeDeclaration: false },
    })) as Location[];
    const where = refs.map((r) => `${path.relative(dir, new URL(r.uri).pathname)}:${r.range.start.line + 1}`).sort();
    // COPY --from=build twice, the Bake `target = "build"` once (shared by build/dev/release by inherits);
    // not the Bake target named "build", not the group's targets list, not node_modules, not the symlink.
    assert.deepEqual(where, ['app/Dockerfile:12', 'app/Dockerfile:8', 'docker-bake.hcl:12']);
    const dev = (await c.conn.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: u('app/Dockerfile') },
      position: at('app/Dockerfile', 'AS dev', 0, 4),
      context: { includeDeclaration: true },
    })) as Location[];
    const kinds = dev.map((r) => path.relative(dir, new URL(r.uri).pathname)).sort();
    assert.deepEqual(kinds, ['.devcontainer/devcontainer.json', 'app/Dockerfile', 'compose.yaml', 'docker-bake.hcl']);
    const rt = (await c.conn.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: u('app/Dockerfile') },
      position: at('app/Dockerfile', 'AS runtime', 0, 4),
      context: { includeDeclaration: false },
    })) as Location[];
    assert.deepEqual(rt.map((r) => path.relative(dir, new URL(r.uri).pathname)).sort(), ['.github/workflows/ci.yml', 'bakejson/docker-bake.json']);
  });

  test('rename of a stage edits every target value that names it in one WorkspaceEdit, and nothing else', async () => {
    const edit = (await c.conn.sendRequest(RenameRequest.type, {
      textDocument: { uri: u('app/Dockerfile') },
      position: at('app/Dockerfile', 'AS dev', 0, 4),
      newName: 'develop',
    })) as WorkspaceEdit;
    const changes = edit.changes ?? {};
    const files = Object.keys(changes)
      .map((k) => path.relative(dir, new URL(k).pathname))
      .sort();
    assert.deepEqual(files, ['.devcontainer/devcontainer.json', 'app/Dockerfile', 'compose.yaml', 'docker-bake.hcl']);
    const bake = applyEdits(text('docker-bake.hcl'), changes[u('docker-bake.hcl')] ?? []);
    assert.match(bake, /target "dev" \{\n {2}inherits = \["build"\]\n {2}target {3}= "develop"/);
    assert.match(bake, /targets = \["build", "dev"\]/);
    assert.match(applyEdits(text('compose.yaml'), changes[u('compose.yaml')] ?? []), /target: develop\n/);
    assert.match(applyEdits(text('.devcontainer/devcontainer.json'), changes[u('.devcontainer/devcontainer.json')] ?? []), /"target": "develop"/);
    assert.equal((changes[u('app/Dockerfile')] ?? []).length, 1);
  });

  test('Bake HCL: definition, hover, completion, unknown target with a fix, lenses', async () => {
    open('docker-bake.hcl');
    const def = (await c.conn.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: u('docker-bake.hcl') },
      position: at('docker-bake.hcl', '"dev"', 2, 2),
    })) as Location;
    assert.equal(def.uri, u('app/Dockerfile'));
    assert.equal(def.range.start.line, 6);
    // The Bake target's own name is not a stage reference.
    assert.equal(
      await c.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri: u('docker-bake.hcl') }, position: at('docker-bake.hcl', 'target "dev"', 0, 9) }),
      null,
    );
    const hover = (await c.conn.sendRequest(HoverRequest.type, {
      textDocument: { uri: u('docker-bake.hcl') },
      position: at('docker-bake.hcl', '"dev"', 2, 2),
    })) as Hover;
    assert.match(JSON.stringify(hover.contents), /Stage #2 `dev`/);
    const comp = (await c.conn.sendRequest(CompletionRequest.type, {
      textDocument: { uri: u('docker-bake.hcl') },
      position: at('docker-bake.hcl', '"devv"', 0, 2),
    })) as CompletionItem[] | CompletionList;
    const items = Array.isArray(comp) ? comp : comp.items;
    assert.deepEqual(
      items.map((i) => i.label),
      ['base', 'build', 'dev', 'runtime'],
    );
    const diags = await c.diagnosticsOf(u('docker-bake.hcl'), (d) => d.length > 0);
    assert.equal(diags.length, 1);
    assert.match(diags[0]!.message, /Target stage 'devv' is not in app\/Dockerfile\. Did you mean 'dev'\?/);
    const actions = await c.conn.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: u('docker-bake.hcl') },
      range: diags[0]!.range,
      context: { diagnostics: diags },
    });
    const fix = (actions ?? [])[0] as { title: string; edit?: WorkspaceEdit };
    assert.equal(fix.title, "Change to 'dev'");
    assert.match(applyEdits(text('docker-bake.hcl'), fix.edit?.changes?.[u('docker-bake.hcl')] ?? []), /target {5}= "dev"/);
    const lenses = (await c.conn.sendRequest(CodeLensRequest.type, { textDocument: { uri: u('docker-bake.hcl') } })) ?? [];
    const titles = lenses.map((l) => l.command?.title).sort();
    assert.deepEqual(titles, ['Build target build', 'Build target build', 'Build target dev']);
    const arg = lenses[0]?.command?.arguments?.[0] as { uri: string; compose: { context: string } };
    assert.equal(arg.uri, u('app/Dockerfile'));
    assert.equal(arg.compose.context, f('app'));
  });

  test('Bake JSON, dev container and workflow: definition, completion, diagnostics', async () => {
    open('bakejson/docker-bake.json', 'json');
    const d1 = (await c.conn.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: u('bakejson/docker-bake.json') },
      position: at('bakejson/docker-bake.json', '"runtime" }', 0, 2),
    })) as Location;
    assert.equal(d1.range.start.line, 10);
    open('.devcontainer/devcontainer.json', 'jsonc');
    const d2 = (await c.conn.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: u('.devcontainer/devcontainer.json') },
      position: at('.devcontainer/devcontainer.json', '"dev"', 0, 2),
    })) as Location;
    assert.equal(d2.range.start.line, 6);
    const comp = (await c.conn.sendRequest(CompletionRequest.type, {
      textDocument: { uri: u('.devcontainer/devcontainer.json') },
      position: at('.devcontainer/devcontainer.json', '"dev"', 0, 2),
    })) as CompletionItem[];
    assert.ok(comp.some((i) => i.label === 'runtime'));
    const lens = (await c.conn.sendRequest(CodeLensRequest.type, { textDocument: { uri: u('.devcontainer/devcontainer.json') } })) ?? [];
    assert.deepEqual(
      lens.map((l) => l.command?.title),
      ['Build target dev'],
    );
    open('.github/workflows/ci.yml', 'yaml');
    const d3 = (await c.conn.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: u('.github/workflows/ci.yml') },
      position: at('.github/workflows/ci.yml', 'runtime', 0, 1),
    })) as Location;
    assert.equal(d3.range.start.line, 10);
    // An expression target is dynamic: nothing to resolve, no diagnostic.
    assert.deepEqual(await c.diagnosticsOf(u('.github/workflows/ci.yml')), []);
    assert.equal(
      await c.conn.sendRequest(DefinitionRequest.type, {
        textDocument: { uri: u('.github/workflows/ci.yml') },
        position: at('.github/workflows/ci.yml', 'matrix', 0, 1),
      }),
      null,
    );
    // Compose (the existing support) still reports its typo.
    open('compose.yaml', 'dockercompose');
    const cd = await c.diagnosticsOf(u('compose.yaml'), (d) => d.length > 0);
    assert.match(cd[0]!.message, /Did you mean 'runtime'/);
  });

  test('malformed and half-typed files give nothing or a parse diagnostic, never a crash', async () => {
    open('broken/docker-bake.hcl');
    const d = await c.diagnosticsOf(u('broken/docker-bake.hcl'), (x) => x.length > 0);
    assert.ok(d.every((x) => x.code === 'bake-syntax'));
    open('broken/.devcontainer.json', 'jsonc');
    assert.deepEqual(await c.diagnosticsOf(u('broken/.devcontainer.json')), []);
    open('broken/.github/workflows/bad.yml', 'yaml');
    assert.deepEqual(await c.diagnosticsOf(u('broken/.github/workflows/bad.yml')), []);
    for (const [rel, needle] of [
      ['broken/docker-bake.hcl', 'target ='],
      ['broken/.devcontainer.json', '"de'],
      ['broken/.github/workflows/bad.yml', 'with'],
    ] as const) {
      const pos = at(rel, needle, 0, needle.length);
      assert.equal(await c.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri: u(rel) }, position: pos }), null);
      await c.conn.sendRequest(CompletionRequest.type, { textDocument: { uri: u(rel) }, position: pos });
      await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri: u(rel) }, position: pos });
    }
    assert.equal(c.proc.exitCode, null);
  });

  test('hostile: a symlink out, an oversized file and a context outside leak nothing', async () => {
    const refs = (await c.conn.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: u('app/Dockerfile') },
      position: at('app/Dockerfile', 'AS dev', 0, 4),
      context: { includeDeclaration: false },
    })) as Location[];
    assert.ok(!refs.some((r) => /linked|big|node_modules|outside/.test(r.uri)), JSON.stringify(refs));
    open('escape/.devcontainer/devcontainer.json', 'jsonc');
    const d = await c.diagnosticsOf(u('escape/.devcontainer/devcontainer.json'), (x) => x.length > 0);
    assert.match(d[0]!.message, /outside the workspace folders/);
    assert.ok(!JSON.stringify(d).includes('secretstage'));
    const comp = await c.conn.sendRequest(CompletionRequest.type, {
      textDocument: { uri: u('escape/.devcontainer/devcontainer.json') },
      position: at('escape/.devcontainer/devcontainer.json', 'nothere', 0, 2),
    });
    assert.ok(!JSON.stringify(comp).includes('secretstage'));
  });

  test('hostile: a YAML alias bomb in compose.yaml and a Compose context outside the workspace', async () => {
    let bomb = 'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    let prev = 'a';
    for (const n of 'bcdefghij') {
      bomb += `x-${n}: &${n} [${Array(9)
        .fill('*' + prev)
        .join(',')}]\n`;
      prev = n;
    }
    bomb += `services:\n  api:\n    build:\n      context: ./app\n      target: devv\n    x: *${prev}\n  out:\n    build:\n      context: ${outside}\n      target: secretstag\n`;
    mkdirSync(f('bomb'));
    writeFileSync(f('bomb/compose.yaml'), bomb.replace('./app', '../app'));
    open('bomb/compose.yaml', 'dockercompose');
    const d = await c.diagnosticsOf(u('bomb/compose.yaml'), (x) => x.length >= 2);
    assert.ok(
      d.some((x) => /Did you mean 'dev'/.test(x.message)),
      JSON.stringify(d),
    );
    assert.ok(
      d.some((x) => /outside the workspace folders/.test(x.message)),
      JSON.stringify(d),
    );
    assert.ok(!JSON.stringify(d).includes('secretstage'));
    const comp = await c.conn.sendRequest(CompletionRequest.type, {
      textDocument: { uri: u('bomb/compose.yaml') },
      position: at('bomb/compose.yaml', 'secretstag', 0, 3),
    });
    assert.ok(!JSON.stringify(comp ?? null).includes('secretstage'));
  });

  test('a file that vanishes or appears is followed through didChangeWatchedFiles', async () => {
    writeFileSync(f('docker-bake.override.hcl'), 'target "build" {\n  target = "runtime"\n}\n');
    void c.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: u('docker-bake.override.hcl'), type: 1 }] });
    const rt = async () =>
      (
        (await c.conn.sendRequest(ReferencesRequest.type, {
          textDocument: { uri: u('app/Dockerfile') },
          position: at('app/Dockerfile', 'AS runtime', 0, 4),
          context: { includeDeclaration: false },
        })) as Location[]
      )
        .map((r) => path.relative(dir, new URL(r.uri).pathname))
        .sort();
    assert.ok((await rt()).includes('docker-bake.override.hcl'));
    rmSync(f('docker-bake.override.hcl'));
    void c.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: u('docker-bake.override.hcl'), type: 3 }] });
    assert.ok(!(await rt()).includes('docker-bake.override.hcl'));
    // A watched file that vanished before the server read it: no crash, nothing indexed.
    void c.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: u('gone/docker-bake.hcl'), type: 1 }] });
    assert.ok(Array.isArray(await rt()));
  });
});
