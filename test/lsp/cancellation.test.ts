/**
 * Cancellation and scheduling over stdio on a 1000-stage Dockerfile (scripts/bench/gen.mjs):
 * a burst of requests the client cancels right after sending never runs (RequestCancelled, -32800),
 * and a hover sent behind a burst of uncancelled whole-file requests is answered before them.
 * Ordering and results only; latency is measured by `npm run bench` ("cancel burst").
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CancellationTokenSource,
  DocumentSymbolRequest,
  HoverRequest,
  LSPErrorCodes,
  ReferencesRequest,
  SemanticTokensRequest,
  type Hover,
} from 'vscode-languageserver-protocol/node';
import { LspClient, root } from '../helpers/lspClient';

describe('cancellation on a 1000-stage Dockerfile', () => {
  let c: LspClient;
  let text: string;
  const uri = 'file:///work/big/Dockerfile';
  let pos: { line: number; character: number };
  before(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dse-cancel-'));
    const file = path.join(dir, 'stages-1000.Dockerfile');
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/bench/gen.mjs'), '--stages', '1000', '--seed', '1', '--out', file]);
    assert.equal(r.status, 0, String(r.stderr));
    text = readFileSync(file, 'utf8');
    rmSync(dir, { recursive: true, force: true });
    const lines = text.split('\n');
    const line = lines.findIndex((l, i) => i > lines.length / 2 && / AS /.test(l));
    pos = { line, character: (lines[line] as string).indexOf(' AS ') + 5 };
    c = new LspClient();
    await c.init;
    c.open(uri, text);
    await c.diagnosticsFor(uri, 1, () => true, 60_000);
  });
  after(async () => {
    await c.stop();
    assert.equal(c.stderr, '');
  });

  const burst = () => [
    () => c.conn.sendRequest(ReferencesRequest.type, { textDocument: { uri }, position: pos, context: { includeDeclaration: true } }, cancelledToken()),
    () => c.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } }, cancelledToken()),
    () => c.conn.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } }, cancelledToken()),
  ];
  /** A token cancelled right after the request goes out (vscode-jsonrpc sends $/cancelRequest then). */
  function cancelledToken() {
    const cts = new CancellationTokenSource();
    setImmediate(() => {
      cts.cancel();
    });
    return cts.token;
  }

  test('a burst of cancelled references, documentSymbol and semantic tokens requests is answered RequestCancelled; the next hover is answered', async () => {
    const results: Promise<string>[] = [];
    for (let i = 0; i < 20; i++) {
      for (const send of burst())
        results.push(
          send().then(
            () => 'answered',
            (e: unknown) => {
              const code = (e as { code?: number }).code;
              return code === LSPErrorCodes.RequestCancelled ? 'cancelled' : `error ${String(code)}`;
            },
          ),
        );
    }
    const hover: Hover | null = await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: pos });
    const outcomes = await Promise.all(results);
    const count = (k: string) => outcomes.filter((o) => o === k).length;
    assert.deepEqual(
      outcomes.filter((o) => o !== 'answered' && o !== 'cancelled'),
      [],
      'no other errors',
    );
    // A request the server had already started when its cancel arrived may still be answered (how many depends on
    // the machine's timing: 25 to 60 seen on 2 cores); the rest never ran. A server without cancellation
    // answers all 60 (the anchor: 0 of 300 cancelled in npm run bench, which reports the figure).
    assert.ok(count('cancelled') >= 10, `only ${count('cancelled')} of 60 were cancelled`);
    assert.ok(hover && JSON.stringify(hover.contents).includes('stage'), `hover: ${JSON.stringify(hover)}`);
  });

  test('a hover sent behind a burst of whole-file requests is answered before most of them', async () => {
    const order: string[] = [];
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) all.push(c.conn.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } }).then(() => void order.push(`tokens${i}`)));
    all.push(c.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: pos }).then(() => void order.push('hover')));
    await Promise.all(all);
    // First come first served would answer it last (index 10); the scheduler runs it as soon as it has read it, behind
    // the few requests already started by then (0 to 4 seen on 2 cores).
    assert.ok(order.indexOf('hover') <= 7, order.join(', '));
  });

  test('edits supersede the checks of older versions: only the latest version is published after a burst of edits', async () => {
    const before = (c.diagnostics.get(uri) ?? []).length;
    for (let v = 2; v <= 21; v++) {
      // Alternately insert and remove a space at the start of a FROM line.
      const range = { start: { line: pos.line, character: 0 }, end: { line: pos.line, character: v % 2 ? 1 : 0 } };
      void c.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ range, text: v % 2 ? '' : ' ' }] });
    }
    await c.diagnosticsFor(uri, 21, () => true, 60_000);
    const published = (c.diagnostics.get(uri) ?? []).slice(before).map((p) => p.version);
    assert.ok(published.length < 10, `published versions ${published.join(',')}`);
    assert.equal(published[published.length - 1], 21);
  });
});
