/**
 * LSP tests of the build features: CodeLenses above FROM, the
 * dockerStages/buildTargets request, and Compose files (build.target
 * completion, checks, definition, hover, quick fix, lenses), against the
 * bundled server over stdio, with real files in a temporary folder.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { LspClient } from '../helpers/lspClient';
import {
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  HoverRequest,
  SemanticTokensRequest,
  type CodeLens,
  type CompletionItem,
  type CompletionList,
  type Diagnostic,
  type Hover,
  type Location,
} from 'vscode-languageserver-protocol/node';
import {
  BuildTargetsRequest,
  StageGraphRequest,
  parseStageBuildArgs,
  type BuildTargetsResult,
  type StageBuildArgs,
  type StageGraphResult,
} from '../../server/src/protocol';

class Client extends LspClient {
  constructor(workspace: string, dynamicFormatting: boolean) {
    // As the VS Code client: it runs the lens commands itself (other clients get dockerStages.server.*, see builds.test.ts).
    super({ workspace, dynamicFormatting, initializationOptions: { clientCommands: true } });
  }

  lenses(uri: string): Promise<CodeLens[]> {
    return this.conn.sendRequest(CodeLensRequest.type, { textDocument: { uri } }).then((l) => l ?? []);
  }
}

const lensSummary = (ls: CodeLens[]) => ls.map((l) => `${l.range.start.line}: ${l.command?.title} [${l.command?.command.replace('dockerStages.client.', '')}]`);
const argsOf = (l: CodeLens): StageBuildArgs => {
  const a = parseStageBuildArgs(l.command?.arguments?.[0]);
  assert.ok(a, `lens arguments validate: ${JSON.stringify(l.command?.arguments)}`);
  return a;
};

const DOCKERFILE = [
  'ARG BASE=debian:bookworm', // 0
  'FROM $BASE AS deps', // 1
  'RUN apt-get update && \\', // 2
  '    # a comment inside a continuation', // 3
  '    apt-get install -y make', // 4
  '', // 5
  'FROM deps AS build', // 6
  'RUN make', // 7
  'CMD ["./app"]', // 8
  '', // 9
  'FROM alpine:3.20', // 10
  'RUN echo unnamed', // 11
  '', // 12
  'FROM build AS runtime', // 13
  'ENTRYPOINT ["/app"]', // 14
  '',
].join('\n');

describe('build lenses and Compose over stdio', () => {
  let dir: string;
  let c: Client;
  let dockerfileUri: string;
  let composeUri: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dse-lsp-'));
    mkdirSync(path.join(dir, 'app'));
    writeFileSync(path.join(dir, 'app', 'Dockerfile'), DOCKERFILE);
    writeFileSync(
      path.join(dir, 'compose.yaml'),
      [
        'services:',
        '  api:',
        '    build:',
        '      context: ./app',
        '      target: biuld',
        '      args:',
        '        MODE: dev',
        '        FROM_ENV: ${FROM_ENV}',
        '    platform: linux/amd64',
        '  worker:',
        '    build: ./app',
        '  db:',
        '    image: postgres',
        '  broken:',
        '    build:',
        '      context: ./nowhere',
        '      target: x',
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, 'compose.override.yaml'), 'services:\n  worker:\n    build:\n      target: runtime\n');
    dockerfileUri = pathToFileURL(path.join(dir, 'app', 'Dockerfile')).href;
    composeUri = pathToFileURL(path.join(dir, 'compose.yaml')).href;
    c = new Client(dir, true);
    await c.init;
  });
  after(async () => {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
    assert.equal(c.stderr, '');
  });

  test('initialize: codeLensProvider; formatting registered dynamically for Dockerfiles only', async () => {
    const caps = await c.init;
    assert.ok(caps['codeLensProvider']);
    assert.equal(caps['documentFormattingProvider'], undefined, 'dynamic, so Compose files keep their own formatter');
    const deadline = Date.now() + 3000;
    while (c.registrations.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const fmt = c.registrations.filter((r) => /[fF]ormatting$/.test(r.method));
    assert.deepEqual(fmt.map((r) => r.method).sort(), ['textDocument/formatting', 'textDocument/onTypeFormatting', 'textDocument/rangeFormatting']);
    for (const r of fmt) assert.deepEqual((r.registerOptions as { documentSelector: unknown }).documentSelector, [{ language: 'dockerfile' }]);
  });

  test('lenses above each FROM: build named targets, name an unnamed stage first, Build on the last, Run with CMD/ENTRYPOINT', async () => {
    c.open(dockerfileUri, DOCKERFILE);
    const ls = await c.lenses(dockerfileUri);
    assert.deepEqual(lensSummary(ls), [
      '1: Build target deps [build]',
      '6: Build target build [build]',
      '6: Run [run]',
      "10: Name 'alpine-stage' and build [build]",
      '13: Build target runtime [build]',
      '13: Build [build]',
      '13: Run [run]',
    ]);
    const named = argsOf(ls[1] as CodeLens);
    assert.equal(named.uri, dockerfileUri);
    assert.equal(named.target, 'build');
    assert.equal(named.stage, 1);
    assert.equal(named.nameFirst, undefined);
    const naming = argsOf(ls[3] as CodeLens);
    assert.equal(naming.target, 'alpine-stage');
    assert.deepEqual(naming.nameFirst, {
      version: 1,
      edits: [{ range: { start: { line: 10, character: 16 }, end: { line: 10, character: 16 } }, newText: ' AS alpine-stage' }],
    });
    assert.equal(argsOf(ls[5] as CodeLens).target, null, 'plain Build: the default target');
    // A Compose service builds this Dockerfile: its context is the lens's default context.
    assert.equal(named.compose?.service, 'api');
    assert.equal(named.compose?.context, path.join(dir, 'app'));
    assert.deepEqual(named.compose?.buildArgs, ['MODE=dev'], 'a value from the environment is left out');
    assert.equal(named.compose?.platform, 'linux/amd64');
    assert.equal(named.fromCompose, false);
  });

  test('no lenses for a Dockerfile that is not a file (a builder reads it from disk)', async () => {
    c.open('untitled:Untitled-1', 'FROM scratch AS a\nCMD ["x"]\n');
    assert.deepEqual(await c.lenses('untitled:Untitled-1'), []);
  });

  test('dockerStages.codeLens.enable=false: no lenses', async () => {
    c.settings = { codeLens: { enable: false } };
    void c.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await c.lenses(dockerfileUri), []);
    c.settings = null;
    void c.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await new Promise((r) => setTimeout(r, 100));
    assert.ok((await c.lenses(dockerfileUri)).length > 0);
  });

  test('dockerStages/buildTargets: stages, one-line instruction texts, build args; also for a file that is not open', async () => {
    const t = await c.conn.sendRequest<BuildTargetsResult>(BuildTargetsRequest.method, { uri: dockerfileUri });
    assert.equal(t.version, 1);
    assert.deepEqual(
      t.prelude.map((i) => i.text),
      ['ARG BASE=debian:bookworm'],
    );
    assert.deepEqual(
      t.stages.map((s) => [s.index, s.name, s.base, s.last, s.runnable, s.build?.target ?? null]),
      [
        [0, 'deps', '$BASE', false, false, 'deps'],
        [1, 'build', 'deps', false, true, 'build'],
        [2, null, 'alpine:3.20', false, false, 'alpine-stage'],
        [3, 'runtime', 'build', true, true, 'runtime'],
      ],
    );
    assert.deepEqual(
      t.stages[0]?.instructions.map((i) => [i.keyword, i.range.start.line, i.range.end.line, i.text]),
      [
        ['FROM', 1, 1, 'FROM $BASE AS deps'],
        ['RUN', 2, 4, 'RUN apt-get update && apt-get install -y make'],
      ],
    );
    const otherPath = path.join(dir, 'other.Dockerfile');
    writeFileSync(otherPath, 'FROM scratch AS only\nCOPY a /\n');
    const other = await c.conn.sendRequest<BuildTargetsResult>(BuildTargetsRequest.method, { uri: pathToFileURL(otherPath).href });
    assert.equal(other.version, null, 'read from disk');
    assert.deepEqual(
      other.stages.map((s) => s.build?.target),
      ['only'],
    );
    await assert.rejects(c.conn.sendRequest(BuildTargetsRequest.method, { uri: pathToFileURL(path.join(dir, 'missing')).href }), /does not exist/);
  });

  test('dockerStages/graph: the stage graph of the open document, following edits', async () => {
    const g = await c.conn.sendRequest<StageGraphResult>(StageGraphRequest.method, { uri: dockerfileUri });
    assert.deepEqual(
      g.graph.stages.map((s) => s.label),
      ['deps', 'build', '#2', 'runtime'],
    );
    assert.deepEqual(
      g.graph.edges.filter((e) => typeof e.to === 'number').map((e) => [e.from, e.to, e.kind]),
      [
        [1, 0, 'from'],
        [3, 1, 'from'],
      ],
    );
    assert.equal(g.graph.defaultTarget, 3);
    await assert.rejects(
      c.conn.sendRequest(StageGraphRequest.method, { uri: pathToFileURL(path.join(dir, 'not-open.Dockerfile')).href }),
      /Not an open Dockerfile/,
    );
    await assert.rejects(c.conn.sendRequest(StageGraphRequest.method, {}), /needs \{ uri: string \}/);
  });

  test('Compose: an unknown build.target is an error with "did you mean" and a quick fix; an unreadable Dockerfile a warning', async () => {
    const text = (await import('node:fs')).readFileSync(path.join(dir, 'compose.yaml'), 'utf8');
    c.open(composeUri, text, 'dockercompose');
    const ds = await c.diagnosticsOf(composeUri, (d) => d.length === 2);
    const unknown = ds.find((d) => d.code === 'compose-unknown-target') as Diagnostic;
    assert.equal(unknown.message, "Target stage 'biuld' is not in app/Dockerfile. Did you mean 'build'?");
    assert.deepEqual(unknown.range, { start: { line: 4, character: 14 }, end: { line: 4, character: 19 } });
    assert.equal(unknown.relatedInformation?.[0]?.location.uri, dockerfileUri);
    const missing = ds.find((d) => d.code === 'compose-dockerfile-not-found') as Diagnostic;
    assert.match(missing.message, /Cannot check target 'x': nowhere\/Dockerfile does not exist/);
    const actions = await c.conn.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: composeUri },
      range: unknown.range,
      context: { diagnostics: [unknown] },
    });
    const fix = actions?.[0] as { title: string; edit: { changes: Record<string, { newText: string }[]> } };
    assert.equal(fix.title, "Change to 'build'");
    assert.deepEqual(
      fix.edit.changes[composeUri]?.map((e) => e.newText),
      ['build'],
    );
  });

  test('Compose: completion of stage names at build.target, definition and hover to the stage', async () => {
    const res = (await c.conn.sendRequest(CompletionRequest.type, { textDocument: { uri: composeUri }, position: { line: 4, character: 16 } })) as
      CompletionItem[] | CompletionList;
    const items = Array.isArray(res) ? res : res.items;
    assert.deepEqual(
      items.map((i) => i.label),
      ['deps', 'build', 'runtime'],
    );
    assert.deepEqual((items[0]?.textEdit as { range: unknown }).range, { start: { line: 4, character: 14 }, end: { line: 4, character: 19 } });
    // Empty `target:`: completion after the colon.
    const u2 = pathToFileURL(path.join(dir, 'docker-compose.dev.yml')).href;
    c.open(u2, 'services:\n  api:\n    build:\n      context: app\n      target: \n', 'dockercompose');
    const res2 = (await c.conn.sendRequest(CompletionRequest.type, { textDocument: { uri: u2 }, position: { line: 4, character: 14 } })) as
      CompletionItem[] | CompletionList;
    assert.deepEqual(
      (Array.isArray(res2) ? res2 : res2.items).map((i) => i.label),
      ['deps', 'build', 'runtime'],
    );
    // Definition of an existing target, after fixing the typo.
    void c.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: composeUri, version: 2 },
      contentChanges: [{ range: { start: { line: 4, character: 14 }, end: { line: 4, character: 19 } }, text: 'runtime' }],
    });
    await c.diagnosticsOf(composeUri, (d) => d.length === 1);
    const def = (await c.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri: composeUri }, position: { line: 4, character: 16 } })) as Location;
    assert.equal(def.uri, dockerfileUri);
    assert.deepEqual(def.range, { start: { line: 13, character: 14 }, end: { line: 13, character: 21 } });
    const hover = (await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri: composeUri }, position: { line: 4, character: 16 } })) as Hover;
    assert.match((hover.contents as { value: string }).value, /Stage #3 `runtime`/);
    assert.equal(await c.conn.sendRequest(SemanticTokensRequest.type, { textDocument: { uri: composeUri } }), null, 'no tokens for Compose files');
  });

  test("Compose lenses: Build <service> (target <name>) with the service's context, args and platform; Build <service> without a target", async () => {
    const ls = await c.lenses(composeUri);
    assert.deepEqual(lensSummary(ls), ['1: Build api (target runtime) [build]', '9: Build worker [build]']);
    const a = argsOf(ls[0] as CodeLens);
    assert.equal(a.uri, dockerfileUri);
    assert.equal(a.target, 'runtime');
    assert.equal(a.fromCompose, true);
    assert.deepEqual(a.compose, { file: composeUri, service: 'api', context: path.join(dir, 'app'), buildArgs: ['MODE=dev'], platform: 'linux/amd64' });
  });

  test('Compose override file: target checked against the Dockerfile its base file names', async () => {
    const u = pathToFileURL(path.join(dir, 'compose.override.yaml')).href;
    c.open(u, 'services:\n  worker:\n    build:\n      target: runtme\n', 'dockercompose');
    const ds = await c.diagnosticsOf(u, (d) => d.length === 1);
    assert.match(ds[0]?.message ?? '', /Target stage 'runtme' is not in app\/Dockerfile\. Did you mean 'runtime'\?/);
  });

  test('Compose reads the open (unsaved) Dockerfile, and re-checks when it changes', async () => {
    void c.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: dockerfileUri, version: 2 },
      contentChanges: [{ range: { start: { line: 13, character: 14 }, end: { line: 13, character: 21 } }, text: 'final' }],
    });
    const ds = await c.diagnosticsOf(composeUri, (d) => d.some((x) => x.code === 'compose-unknown-target'));
    assert.match(ds.find((x) => x.code === 'compose-unknown-target')?.message ?? '', /'runtime' is not in app\/Dockerfile/);
    assert.ok(c.lensRefreshes > 0, 'lenses refreshed');
  });

  test('a Compose file deleted on disk no longer gives the Dockerfile its context (watched-file change)', async () => {
    const before = (await c.lenses(dockerfileUri)).map(argsOf)[0];
    assert.equal(before?.compose?.service, 'api');
    const refreshes = c.lensRefreshes;
    for (const f of ['compose.yaml', 'compose.override.yaml', 'docker-compose.dev.yml']) rmSync(path.join(dir, f), { force: true });
    void c.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: composeUri, type: 3 }] });
    const deadline = Date.now() + 3000;
    while (c.lensRefreshes === refreshes && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(c.lensRefreshes > refreshes, 'the server asks for the lenses again');
    const after = (await c.lenses(dockerfileUri)).map(argsOf);
    assert.deepEqual(
      after.map((a) => a.compose),
      after.map(() => undefined),
    );
    assert.ok(after.every((a) => a.uri === dockerfileUri));
  });
});
