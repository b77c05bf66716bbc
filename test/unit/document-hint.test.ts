/**
 * The server tells the parser which lines an edit left alone (documents.ts reads it from
 * the ranges of incremental changes), so that a keystroke does not split and compare all
 * 25,000 lines of a large file. The hint may save work, never change the result: seeded
 * edits through the same TextDocument the server uses, including CR, CR LF and a lone CR
 * joined to an LF, must parse exactly as without the hint; a wrong hint falls back.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { parseDocument, relines, type ParsedDocument } from '../../server/src/model/document';
import { unchangedLines } from '../../server/src/server/documents';
import { rng } from './support/fuzz-alphabet';
import { plain } from './support/plain';

const fixtures = path.resolve(__dirname, '../../../test/fixtures');

const PIECES = ['\n', '\r\n', '\r', 'FROM alpine AS b\n', 'RUN echo \\\n', 'RUN <<EOF\n', 'EOF\n', 'x', ' ', '# c\n', 'COPY --from=b / /\n', ''];

function sameParse(a: ParsedDocument, b: ParsedDocument, why: string): void {
  assert.deepEqual(a.lines, b.lines, `${why}: lines`);
  assert.deepEqual(a.lineStarts, b.lineStarts, `${why}: line starts`);
  // Chunk boundaries may differ (a re-parsed region keeps the blank lines before its FROM);
  // what the chunks hold may not.
  const content = (p: ParsedDocument): unknown => ({
    escape: p.escapeChar,
    prelude: p.chunks[0]?.prelude,
    stages: p.chunks.flatMap((c) => c.stages),
    comments: p.chunks.flatMap((c) => c.comments),
  });
  assert.deepEqual(plain(content(a)), plain(content(b)), `${why}: content`);
}

function randomChange(doc: TextDocument, r: () => number): TextDocumentContentChangeEvent {
  const pos = (): { line: number; character: number } => {
    const line = Math.floor(r() * doc.lineCount);
    const len = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).length;
    return { line, character: Math.floor(r() * (len + 1)) };
  };
  const p = pos();
  const q = r() < 0.6 ? p : pos();
  const [start, end] = doc.offsetAt(p) <= doc.offsetAt(q) ? [p, q] : [q, p];
  return { range: { start, end }, text: PIECES[Math.floor(r() * PIECES.length)] ?? '' };
}

const base = [
  readFileSync(path.join(fixtures, 'basic-multistage.Dockerfile'), 'utf8'),
  'FROM a AS one\r\nRUN x\r\nFROM one AS two\r\nCOPY --from=one / /\r\n',
  'FROM a AS one\rRUN x\rFROM one\rRUN <<EOF\rhi\rEOF\r',
];

test('a hinted re-parse equals an unhinted one, over seeded edits in LF, CR LF and CR files', () => {
  let hinted = 0;
  let eligible = 0;
  base.forEach((text, k) => {
    const r = rng(11 + k);
    let doc = TextDocument.create('file:///x/Dockerfile', 'dockerfile', 1, text);
    let prev = parseDocument(doc.getText());
    for (let i = 0; i < 300; i++) {
      const changes = [randomChange(doc, r)];
      const hint = unchangedLines(undefined, doc.lineCount, changes);
      doc = TextDocument.update(doc, changes, doc.version + 1);
      const now = doc.getText();
      assert.ok(hint, 'incremental changes give a hint');
      if (prev.chunks.length >= 2) {
        eligible++;
        if (relines(prev, now, hint)) hinted++;
      }
      const withHint = parseDocument(now, prev, hint);
      sameParse(withHint, parseDocument(now, prev), `fixture ${k}, edit ${i}`);
      sameParse(withHint, parseDocument(now), `fixture ${k}, edit ${i} (full)`);
      prev = withHint;
    }
  });
  // A true hint is refused only at a CR LF seam (rare): the fast path is the usual one.
  assert.ok(eligible > 100 && hinted >= 0.9 * eligible, `the hint was used ${hinted} of ${eligible} times`);
});

test('hints of several changes and versions add up (the server builds the model only when asked)', () => {
  const r = rng(5);
  let doc = TextDocument.create('file:///x/Dockerfile', 'dockerfile', 1, base[0] ?? '');
  let prev = parseDocument(doc.getText());
  for (let round = 0; round < 60; round++) {
    let hint: ReturnType<typeof unchangedLines> | undefined;
    for (let v = 0; v < 1 + Math.floor(r() * 4); v++) {
      const changes = [randomChange(doc, r)];
      changes.push(randomChange(TextDocument.update(TextDocument.create('u', 'd', 0, doc.getText()), changes, 1), r));
      hint = unchangedLines(hint, doc.lineCount, changes);
      doc = TextDocument.update(doc, changes, doc.version + 1);
    }
    assert.ok(hint);
    const next = parseDocument(doc.getText(), prev, hint);
    sameParse(next, parseDocument(doc.getText()), `round ${round}`);
    prev = next;
  }
});

test('a lone CR joined to an inserted LF, and a hint that lies, still parse right', () => {
  const text = 'FROM a AS one\rRUN x\rFROM one AS two\rRUN y\r';
  const prev = parseDocument(text);
  // Insert "\n" at the start of line 2: the CR ending line 1 and it become one line break.
  const now = 'FROM a AS one\rRUN x\r\nFROM one AS two\rRUN y\r';
  sameParse(parseDocument(now, prev, { prefix: 2, suffix: 2 }), parseDocument(now), 'CR joined to LF');
  // Hints that claim too much: the head or the tail differs.
  const edited = text.replace('RUN y', 'RUN z').replace('FROM a', 'FROM b');
  for (const hint of [
    { prefix: 4, suffix: 0 },
    { prefix: 0, suffix: 4 },
    { prefix: 3, suffix: 3 },
  ])
    sameParse(parseDocument(edited, prev, hint), parseDocument(edited), `lying hint ${JSON.stringify(hint)}`);
});

test('a full-text change gives no hint', () => {
  assert.equal(unchangedLines(undefined, 3, [{ text: 'FROM a\n' }]), null);
  assert.equal(unchangedLines({ prefix: 1, suffix: 1 }, 3, [{ text: 'FROM a\n' }]), null);
});
