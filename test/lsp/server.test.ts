/**
 * LSP tests: spawn the bundled server (dist/server.js --stdio) and talk to it
 * over a typed protocol connection, as any editor would.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LspClient as Client, root } from '../helpers/lspClient';
import {
  CodeActionRequest,
  CompletionRequest,
  DefinitionRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DocumentFormattingRequest,
  DocumentHighlightRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  InlayHintRequest,
  PrepareRenameRequest,
  ReferencesRequest,
  RenameRequest,
  SemanticTokensRequest,
  type CompletionItem,
  type CompletionList,
  type Diagnostic,
  type DocumentSymbol,
  type Hover,
  type InlayHint,
  type Location,
} from 'vscode-languageserver-protocol/node';

const fixture = (name: string) => readFileSync(path.join(root, 'test/fixtures', name), 'utf8');

const label = (h: InlayHint) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''));
const whole = { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } };

describe('language server over stdio', () => {
  let c: Client;
  const uri = 'file:///work/Dockerfile';
  before(async () => {
    c = new Client();
    await c.init;
    c.open(uri, fixture('basic-multistage.Dockerfile'));
  });
  after(async () => {
    await c.stop();
    assert.equal(c.stderr, '');
  });

  test('initialize advertises the stage features', async () => {
    const caps = await c.init;
    for (const k of [
      'inlayHintProvider',
      'definitionProvider',
      'referencesProvider',
      'documentHighlightProvider',
      'renameProvider',
      'hoverProvider',
      'documentSymbolProvider',
      'foldingRangeProvider',
      'completionProvider',
      'codeActionProvider',
      'semanticTokensProvider',
      'documentFormattingProvider',
    ]) {
      assert.ok(caps[k], k);
    }
  });

  test('inlay hints: stage indices and resolved references, only in the requested range', async () => {
    const all = (await c.conn.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: whole })) ?? [];
    assert.deepEqual(
      all.map((h) => [h.position.line, label(h)]),
      [
        [1, '#0'],
        [6, '→ #0 builder'],
        [6, '#1'],
        [9, '#2'],
        [10, '→ #0 builder'],
        [11, '→ builder'],
      ],
    );
    const some =
      (await c.conn.sendRequest(InlayHintRequest.type, {
        textDocument: { uri },
        range: { start: { line: 9, character: 0 }, end: { line: 10, character: 100 } },
      })) ?? [];
    assert.deepEqual(some.map(label), ['#2', '→ #0 builder']);
  });

  test('definition of --from=0 and of FROM builder go to the stage name', async () => {
    const d1 = (await c.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: { line: 11, character: 12 } })) as Location;
    assert.deepEqual(d1.range, { start: { line: 1, character: 20 }, end: { line: 1, character: 27 } });
    const d2 = (await c.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: { line: 6, character: 7 } })) as Location;
    assert.equal(d2.range.start.line, 1);
  });

  test('references include numeric and FROM references', async () => {
    const refs =
      (await c.conn.sendRequest(ReferencesRequest.type, {
        textDocument: { uri },
        position: { line: 1, character: 22 },
        context: { includeDeclaration: true },
      })) ?? [];
    assert.deepEqual(
      refs.map((r) => r.range.start.line),
      [1, 6, 10, 11],
    );
  });

  test('document highlight marks the declaration as write', async () => {
    const hs = (await c.conn.sendRequest(DocumentHighlightRequest.type, { textDocument: { uri }, position: { line: 10, character: 14 } })) ?? [];
    assert.deepEqual(
      hs.map((h) => [h.range.start.line, h.kind]),
      [
        [1, 3],
        [6, 2],
        [10, 2],
        [11, 2],
      ],
    );
  });

  test('hover on a reference describes the stage', async () => {
    const h = (await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 11, character: 12 } })) as Hover;
    const v = (h.contents as { value: string }).value;
    assert.match(v, /`--from=0` refers to stage #0/);
    assert.match(v, /Used by #1 `test`, #2 `runtime`/);
    const kw = (await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 2, character: 2 } })) as Hover;
    assert.match(JSON.stringify(kw.contents), /WORKDIR/i, 'general hover from dockerfile-language-service');
  });

  test('rename: all references, numeric ones untouched; invalid names rejected', async () => {
    const prep = await c.conn.sendRequest(PrepareRenameRequest.type, { textDocument: { uri }, position: { line: 10, character: 14 } });
    assert.deepEqual(prep, { range: { start: { line: 10, character: 12 }, end: { line: 10, character: 19 } }, placeholder: 'builder' });
    const edit = await c.conn.sendRequest(RenameRequest.type, { textDocument: { uri }, position: { line: 1, character: 22 }, newName: 'build' });
    assert.deepEqual(
      edit?.changes?.[uri]?.map((e) => [e.range.start.line, e.newText]),
      [
        [1, 'build'],
        [6, 'build'],
        [10, 'build'],
      ],
    );
    await assert.rejects(
      c.conn.sendRequest(RenameRequest.type, { textDocument: { uri }, position: { line: 1, character: 22 }, newName: '9lives' }),
      /not a valid stage name/,
    );
    await assert.rejects(
      c.conn.sendRequest(RenameRequest.type, { textDocument: { uri }, position: { line: 1, character: 22 }, newName: 'runtime' }),
      /already exists/,
    );
  });

  test('document symbols are a tree of stages; folding per stage', async () => {
    const syms = ((await c.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) ?? []) as DocumentSymbol[];
    assert.deepEqual(
      syms.map((s) => [s.name, s.children?.length]),
      [
        ['#0 builder', 4],
        ['#1 test', 2],
        ['#2 runtime', 4],
      ],
    );
    const folds = (await c.conn.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } })) ?? [];
    assert.deepEqual(
      folds.filter((f) => f.kind === 'region').map((f) => [f.startLine, f.endLine]),
      [
        [1, 4],
        [6, 7],
        [9, 12],
      ],
    );
  });

  test('semantic tokens for stage names and references', async () => {
    const t = await c.conn.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } });
    assert.equal((t?.data.length ?? 0) / 5, 6);
  });

  test('completion of earlier stage names after --from=', async () => {
    const u = 'file:///work/complete.Dockerfile';
    c.open(u, 'FROM golang AS builder\nFROM alpine AS other\nFROM scratch\nCOPY --from=b\n');
    const res = (await c.conn.sendRequest(CompletionRequest.type, { textDocument: { uri: u }, position: { line: 3, character: 13 } })) as
      CompletionItem[] | CompletionList;
    const items = Array.isArray(res) ? res : res.items;
    assert.deepEqual(
      items.map((i) => i.label),
      ['builder', 'other'],
    );
  });

  test('diagnostics with codes; quick fix and refactor code actions carry edits', async () => {
    const u = 'file:///work/diag.Dockerfile';
    c.open(u, 'FROM golang AS Builder\nFROM alpine\nCOPY --from=buidler /a /a\nCOPY --from=0 /b /b\nRUN apt-get install x\n');
    const diags = await c.diagnosticsFor(u, 1, (d) => d.some((x) => x.source === 'dockerfile-stages'));
    const ours = diags.filter((d) => d.source === 'dockerfile-stages');
    assert.deepEqual(
      ours.map((d) => d.code),
      ['stage-name-casing', 'unknown-stage-name'],
    );
    const casing = ours[0] as Diagnostic;
    const actions =
      (await c.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri: u }, range: casing.range, context: { diagnostics: [casing] } })) ?? [];
    const fix = actions.find((a) => 'edit' in a && a.title.startsWith('Rename stage'));
    assert.ok(fix && 'edit' in fix);
    const refactor =
      (await c.conn.sendRequest(CodeActionRequest.type, {
        textDocument: { uri: u },
        range: { start: { line: 3, character: 12 }, end: { line: 3, character: 12 } },
        context: { diagnostics: [] },
      })) ?? [];
    assert.deepEqual(
      refactor.map((a) => a.title),
      ["Use the stage name 'builder' instead of 0"],
    );
  });

  test('didChange: re-analysed from the new text; diagnostics carry the version', async () => {
    const u = 'file:///work/change.Dockerfile';
    c.open(u, 'FROM alpine AS a\nFROM alpine\nCOPY --from=a / /\n');
    await c.diagnosticsFor(u, 1);
    void c.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: u, version: 2 },
      contentChanges: [{ range: { start: { line: 2, character: 12 }, end: { line: 2, character: 13 } }, text: '5' }],
    });
    const d = await c.diagnosticsFor(u, 2, (x) => x.length > 0);
    assert.deepEqual(
      d.map((x) => x.code),
      ['stage-index-out-of-range'],
    );
    const hints = (await c.conn.sendRequest(InlayHintRequest.type, { textDocument: { uri: u }, range: whole })) ?? [];
    assert.deepEqual(hints.map(label), ['#0', '#1']);
  });

  test('settings: turning off reference hints takes effect after didChangeConfiguration', async () => {
    c.settings = { inlayHints: { references: false } };
    void c.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    const hints = (await c.conn.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: whole })) ?? [];
    assert.deepEqual(hints.map(label), ['#0', '#1', '#2']);
    c.settings = null;
    void c.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  });

  test('general features from dockerfile-language-service: formatting', async () => {
    const u = 'file:///work/format.Dockerfile';
    c.open(u, 'FROM alpine\n   RUN true\n');
    const edits = (await c.conn.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: u }, options: { tabSize: 4, insertSpaces: true } })) ?? [];
    assert.equal(edits.length, 1);
  });
});

describe('language server: coexistence and bad input', () => {
  test('stagesOnly mode does not register the general features', async () => {
    const c = new Client({ initializationOptions: { languageFeatures: 'stagesOnly' } });
    const caps = await c.init;
    assert.ok(caps['inlayHintProvider']);
    assert.equal(caps['documentFormattingProvider'], undefined);
    assert.equal(caps['semanticTokensProvider'], undefined);
    await c.stop();
  });

  test('a 10 MB file is declined quickly and the server stays responsive', async () => {
    const c = new Client();
    await c.init;
    const big = 'FROM alpine AS a\nRUN echo hello\n'.repeat(350000);
    assert.ok(big.length > 10_000_000);
    c.open('file:///work/big.Dockerfile', big);
    const d = await c.diagnosticsFor('file:///work/big.Dockerfile', 1);
    assert.equal(d[0]?.code, 'file-too-large');
    c.open('file:///work/small.Dockerfile', 'FROM a AS b\n');
    const hints = (await c.conn.sendRequest(InlayHintRequest.type, { textDocument: { uri: 'file:///work/small.Dockerfile' }, range: whole })) ?? [];
    assert.deepEqual(hints.map(label), ['#0']);
    await c.stop();
  });

  test('the BOM input that crashes dockerfile-utils does not take the server down', async () => {
    const c = new Client();
    await c.init;
    const u = 'file:///work/bom.Dockerfile';
    c.open(u, fixture('bom.Dockerfile'));
    await c.diagnosticsFor(u, 1);
    const h = await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri: u }, position: { line: 0, character: 8 } });
    assert.ok(h === null || typeof h === 'object');
    const hints = (await c.conn.sendRequest(InlayHintRequest.type, { textDocument: { uri: u }, range: whole })) ?? [];
    assert.ok(hints.length >= 2);
    await c.stop();
  });
});
