/**
 * Client capabilities are honoured (issue 12): no snippets for a client without
 * snippetSupport (ours and dockerfile-language-service's), plain text for a client
 * without markdown, no resolve where the server cannot resolve, and UTF-16 positions
 * announced (and used) even when the client offers only UTF-8 and UTF-32.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CompletionRequest,
  CompletionResolveRequest,
  DefinitionRequest,
  HoverRequest,
  ReferencesRequest,
  type ClientCapabilities,
  type CompletionItem,
  type Hover,
  type Location,
  type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { clientFeatures, fitCompletion, snippetToText } from '../../server/src/features/clientCapabilities';
import { LspClient } from '../helpers/lspClient';

const uri = 'file:///tmp/caps/Dockerfile';
const text = 'FROM debian:bookworm AS builder\nRUN true\nFROM debian\n\n';

function caps(snippets: boolean, markdown: boolean, extra: ClientCapabilities = {}): ClientCapabilities {
  const formats = markdown ? ['markdown', 'plaintext'] : ['plaintext'];
  return {
    ...extra,
    textDocument: {
      completion: { completionItem: { snippetSupport: snippets, documentationFormat: formats as ('markdown' | 'plaintext')[] } },
      hover: { contentFormat: formats as ('markdown' | 'plaintext')[] },
    },
  };
}

async function completions(c: LspClient, line: number, character: number): Promise<CompletionItem[]> {
  const r = await c.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line, character } });
  return Array.isArray(r) ? r : (r?.items ?? []);
}

const hasSnippet = (items: CompletionItem[]) =>
  items.some((i) => i.insertTextFormat === 2 || /\$\{\d/.test(i.insertText ?? '') || /\$\{\d/.test(i.textEdit?.newText ?? ''));

test('snippets only for clients with snippetSupport; the text is kept, the placeholders are not', async () => {
  const yes = new LspClient({ capabilities: caps(true, true) });
  const no = new LspClient({ capabilities: caps(false, true) });
  try {
    await Promise.all([yes.init, no.init]);
    yes.open(uri, text);
    no.open(uri, text);
    // Instruction keywords on an empty line: dockerfile-language-service answers with snippets.
    const withSnippets = await completions(yes, 3, 0);
    assert.ok(hasSnippet(withSnippets), 'the snippet client gets snippets (else this test proves nothing)');
    const plain = await completions(no, 3, 0);
    assert.ok(plain.length >= withSnippets.length - 1 && plain.length > 0);
    assert.ok(!hasSnippet(plain), JSON.stringify(plain.filter((i) => i.insertTextFormat === 2).slice(0, 3)));
    const copy = plain.find((i) => i.label === 'COPY');
    assert.ok(copy, plain.map((i) => i.label).join(' '));
    const inserted = copy.textEdit?.newText ?? copy.insertText ?? copy.label;
    assert.match(inserted, /^COPY\b/);
    assert.doesNotMatch(inserted, /\$/);
  } finally {
    await Promise.all([yes.stop(), no.stop()]);
  }
});

test('snippetToText keeps what a snippet inserts', () => {
  assert.equal(snippetToText('--platform=${1:linux/arm64}'), '--platform=linux/arm64');
  assert.equal(snippetToText('FROM ${1:image}:${2:tag} AS ${3:name}$0'), 'FROM image:tag AS name');
  assert.equal(snippetToText('${1|tcp,udp|}'), 'tcp');
  assert.equal(snippetToText('\\${VAR\\}'), '${VAR}');
  assert.equal(snippetToText('${1:outer ${2:inner}}'), 'outer inner');
  // Any snippet item (ours or the library's) is made plain for such a client.
  const item = fitCompletion(
    {
      label: 'platform',
      insertTextFormat: 2,
      textEdit: { range: { start: { line: 0, character: 5 }, end: { line: 0, character: 5 } }, newText: '--platform=${1:linux/arm64}' },
    },
    clientFeatures(caps(false, false)),
  );
  assert.equal(item.insertTextFormat, 1);
  assert.equal(item.textEdit?.newText, '--platform=linux/arm64');
});

test('markdown only where the client takes it (hover, completion documentation)', async () => {
  const md = new LspClient({ capabilities: caps(true, true) });
  const pt = new LspClient({ capabilities: caps(true, false) });
  try {
    await Promise.all([md.init, pt.init]);
    const doc = 'FROM debian AS builder\nRUN true\nFROM scratch\nCOPY --from=builder /x /x\n';
    md.open(uri, doc);
    pt.open(uri, doc);
    const at = { textDocument: { uri }, position: { line: 3, character: 14 } };
    const h1 = (await md.conn.sendRequest(HoverRequest.type, at)) as Hover;
    const h2 = (await pt.conn.sendRequest(HoverRequest.type, at)) as Hover;
    assert.equal((h1.contents as MarkupContent).kind, 'markdown');
    assert.match((h1.contents as MarkupContent).value, /\*\*Stage #0/);
    assert.equal((h2.contents as MarkupContent).kind, 'plaintext');
    assert.match((h2.contents as MarkupContent).value, /^Stage #0 builder/);
    assert.doesNotMatch((h2.contents as MarkupContent).value, /\*\*|`/);
    // Keyword hover from dockerfile-language-service.
    const k: Hover | null = await pt.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: 1 } });
    if (k && typeof k.contents === 'object' && 'kind' in k.contents) assert.equal(k.contents.kind, 'plaintext');
    const items = await completions(pt, 3, 12);
    const b = items.find((i) => i.label === 'builder');
    assert.ok(b);
    assert.equal((b.documentation as MarkupContent).kind, 'plaintext');
    const items2 = await completions(md, 3, 12);
    assert.equal((items2.find((i) => i.label === 'builder')?.documentation as MarkupContent).kind, 'markdown');
  } finally {
    await Promise.all([md.stop(), pt.stop()]);
  }
});

test('no resolve is announced for code lenses and inlay hints (the server has none)', async () => {
  const c = new LspClient({ capabilities: caps(true, true) });
  try {
    const s = await c.init;
    assert.deepEqual(s['codeLensProvider'], { resolveProvider: false });
    assert.equal(s['inlayHintProvider'], true);
  } finally {
    await c.stop();
  }
});

test('positions are UTF-16, announced even to a client that offers only UTF-8 and UTF-32 (non-BMP text before a reference)', async () => {
  const c = new LspClient({ capabilities: { ...caps(true, true), general: { positionEncodings: ['utf-8', 'utf-32'] } } });
  try {
    const s = await c.init;
    assert.equal(s['positionEncoding'], 'utf-16');
    const line = 'RUN --mount=type=bind,target=/😀😀,from=builder true';
    const doc = `FROM debian AS builder\nFROM debian\n${line}\n`;
    c.open(uri, doc);
    const col = line.indexOf('from=builder') + 'from='.length; // UTF-16 code units: each emoji counts 2
    const def = (await c.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: { line: 2, character: col + 2 } })) as Location;
    assert.ok(def, 'a definition at the UTF-16 column');
    assert.equal(def.range.start.line, 0);
    const refs = (await c.conn.sendRequest(ReferencesRequest.type, {
      textDocument: { uri },
      position: { line: 0, character: 16 },
      context: { includeDeclaration: false },
    })) as Location[];
    assert.deepEqual(
      refs.map((r) => r.range),
      [{ start: { line: 2, character: col }, end: { line: 2, character: col + 'builder'.length } }],
    );
    // The UTF-8 byte column would be 4 further on; UTF-32 two less: both miss or land elsewhere.
    assert.notEqual(Buffer.byteLength(line.slice(0, col)), col);
  } finally {
    await c.stop();
  }
});

test('past 50 earlier stages, a stage completion is described when the client resolves it, not in the list', async () => {
  const md = new LspClient({ capabilities: caps(true, true) });
  const pt = new LspClient({ capabilities: caps(true, false) });
  try {
    await Promise.all([md.init, pt.init]);
    const stages = Array.from({ length: 60 }, (_, i) => `FROM alpine AS s${i}\nRUN echo ${i}\n`).join('');
    const doc = `${stages}FROM scratch\nCOPY --from= /x /x\n`;
    md.open(uri, doc);
    pt.open(uri, doc);
    const line = 121;
    for (const [c, kind] of [
      [md, 'markdown'],
      [pt, 'plaintext'],
    ] as const) {
      const items = await completions(c, line, 12);
      assert.equal(items.filter((i) => /^s\d+$/.test(i.label)).length, 60);
      const s7 = items.find((i) => i.label === 's7');
      assert.ok(s7);
      assert.equal(s7.documentation, undefined, 'no description in the list');
      const resolved = await c.conn.sendRequest(CompletionResolveRequest.type, s7);
      const d = resolved.documentation as MarkupContent;
      assert.equal(d.kind, kind);
      assert.match(d.value, /Stage #7/);
      assert.match(d.value, /--target s7/);
    }
    // (Up to 50, the list carries them, for clients that never resolve: the test above.)
  } finally {
    await Promise.all([md.stop(), pt.stop()]);
  }
});
