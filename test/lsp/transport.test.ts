/**
 * The `--stdio` transport (server/stdio.ts) as an editor sees it: a large message with
 * characters outside ASCII crosses both ways intact; the server exits when its standard input
 * ends, with 0 after a `shutdown` request and 1 before (what vscode-languageserver's own stdio
 * transport does); `exit` after `shutdown` exits with 0; and nothing but protocol reaches stdout.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DocumentSymbolRequest,
  HoverRequest,
  InitializeRequest,
  ShutdownRequest,
  type DocumentSymbol,
  type InitializeParams,
} from 'vscode-languageserver-protocol/node';
import { LspClient as Client, root } from '../helpers/lspClient';

const exited = (c: Client): Promise<number | null> =>
  c.proc.exitCode !== null
    ? Promise.resolve(c.proc.exitCode)
    : new Promise((resolve) => {
        c.proc.once('exit', (code) => {
          resolve(code);
        });
      });

describe('stdio transport', () => {
  test('a 1 MB document with non-ASCII text crosses intact, both ways', async () => {
    const c = new Client();
    await c.init;
    const uri = 'file:///work/big/Dockerfile';
    try {
      const stages = Array.from({ length: 2000 }, (_, i) => `FROM alpine AS st\u00e4ge-${i}\n# \u{1F433} \u2028 ${'\u00e9'.repeat(250)}\nRUN echo ${i}\n`);
      const text = stages.join('') + 'FROM st\u00e4ge-7\n';
      assert.ok(Buffer.byteLength(text) > 1_000_000);
      c.open(uri, text);
      const symbols = (await c.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
      assert.equal(symbols.length, 2001);
      assert.equal(symbols[1999]?.name, '#1999 st\u00e4ge-1999');
      assert.equal(symbols[1999]?.range.start.line, 1999 * 3);
    } finally {
      await c.stop();
    }
    assert.equal(await exited(c), 0);
    assert.equal(c.stderr, '');
  });

  test('standard input ending exits the server: 1 without a shutdown request', async () => {
    const c = new Client();
    await c.init;
    // one round trip, so that the client's own \`initialized\` is written before its input ends
    await c.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: 'file:///work/none/Dockerfile' } });
    c.proc.stdin.end();
    assert.equal(await exited(c), 1);
  });

  test('standard input ending after a shutdown request exits with 0', async () => {
    const c = new Client();
    await c.init;
    await c.conn.sendRequest(ShutdownRequest.type);
    c.proc.stdin.end();
    assert.equal(await exited(c), 0);
    assert.equal(c.stderr, '');
  });

  test('the warm-up after initialize publishes nothing and changes no answer', async () => {
    const text = readFileSync(path.join(root, 'test/fixtures/basic-multistage.Dockerfile'), 'utf8');
    const uri = 'file:///work/warm/Dockerfile';
    const answers: unknown[] = [];
    for (const env of [{ ...process.env, DOCKERFILE_STAGES_WARMUP: '0' }, process.env]) {
      const c = new Client({ env });
      try {
        await c.init;
        // let the warm-up run its course before the first document
        await new Promise((r) => setTimeout(r, 150));
        c.open(uri, text);
        const diagnostics = await c.diagnosticsFor(uri, 1);
        const symbols = await c.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } });
        answers.push({ diagnostics, symbols });
        assert.deepEqual([...c.diagnostics.keys()], [uri]);
      } finally {
        await c.stop();
      }
      assert.equal(c.stderr, '');
    }
    assert.deepEqual(answers[1], answers[0]);
  });

  test('a maxFileSize below the default still declines a file parsed before the settings came', async () => {
    const c = new Client();
    c.settings = { maxFileSize: 100 };
    const uri = 'file:///work/limit/Dockerfile';
    try {
      await c.init;
      c.open(uri, 'FROM alpine AS build\nRUN echo hello\n'.repeat(20));
      const d = await c.diagnosticsFor(uri, 1);
      assert.deepEqual(
        d.map((x) => x.code),
        ['file-too-large'],
      );
      assert.equal(await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 2 } }), null);
    } finally {
      await c.stop();
    }
  });

  test('start-up runs only the start-up bundle; the engine bundle, loaded after the answer, shares its library; both start from their code caches', async () => {
    const main = readFileSync(path.join(root, 'dist/server-main.js'), 'utf8');
    const engine = readFileSync(path.join(root, 'dist/server-engine.js'), 'utf8');
    // a check code of the stage model is in the engine only; the protocol framing in start-up only
    assert.ok(!main.includes('stage-later-reference') && engine.includes('stage-later-reference'));
    assert.ok(main.includes('Content-Length') && !engine.includes('Content-Length'));
    // a first session writes the caches (at exit); the next start uses both
    const first = new Client();
    await first.init;
    await new Promise((r) => setTimeout(r, 300));
    await first.stop();
    const c = new Client({ env: { ...process.env, DOCKERFILE_STAGES_DEBUG: '1' } });
    try {
      await c.init;
      c.open('file:///work/cache/Dockerfile', 'FROM alpine AS a\nFROM a\n');
      await c.diagnosticsFor('file:///work/cache/Dockerfile', 1);
    } finally {
      await c.stop();
    }
    assert.match(c.stderr, /code cache of server-main\.js: used/);
    assert.match(c.stderr, /code cache of server-engine\.js: used/);
  });

  test('a repeated initialize is answered and starts no second server', async () => {
    // with DOCKERFILE_STAGES_DEBUG the engine bundle says on stderr each time it is loaded
    const c = new Client({ env: { ...process.env, DOCKERFILE_STAGES_DEBUG: '1' } });
    const uri = 'file:///work/again/Dockerfile';
    try {
      await c.init;
      const again = await c.conn.sendRequest(InitializeRequest.type, { processId: null, workspaceFolders: null, capabilities: {} } as InitializeParams);
      assert.ok(again.capabilities.inlayHintProvider);
      c.open(uri, 'FROM alpine AS a\nFROM a AS b\n');
      await c.diagnosticsFor(uri, 1);
      const symbols = (await c.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
      assert.deepEqual(
        symbols.map((x) => x.name),
        ['#0 a', '#1 b'],
      );
    } finally {
      await c.stop();
    }
    assert.equal(c.stderr.match(/code cache of server-engine\.js/g)?.length, 1, c.stderr);
  });
});
