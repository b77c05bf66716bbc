/**
 * Our scanner (server/src/model/scan.ts) against dockerfile-ast 0.7.1, the library the stage
 * model and its tests were written against (test/unit/support/ast-oracle.ts, the extractor the
 * model used before). Every fixture, generated files of 1, 10 and 100 stages, seeded random
 * text and hand-written corner cases must give the same ChunkSyntax, whole and in the later
 * chunks document.ts parses (from a FROM line on, under either escape character), except for
 * the INTENTIONAL_DIFFERENCES below, where we follow BuildKit: only that aspect is normalised,
 * and our value is asserted on its own. Then golden values for the constructs the model reads.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { scanChunk } from '../../server/src/model/scan';
import { shiftChunk, type ChunkSyntax, type InstructionSyntax } from '../../server/src/model/syntax';
import { lineStarts, neutraliseBom, splitLines } from '../../server/src/model/text';
import { breakEscapedEscapes, oracleParseChunk } from './support/ast-oracle';
import { ALPHABET, rng } from './support/fuzz-alphabet';
import { plain } from './support/plain';

const root = path.resolve(__dirname, '../../..');

interface Difference {
  readonly id: string;
  /** The BuildKit rule we follow (moby/buildkit frontend/dockerfile/parser). */
  readonly buildkit: string;
  readonly oracle: string;
  readonly ours: string;
  /** What the differential comparison normalises, and nothing more. */
  readonly normalised: string;
}

const INTENTIONAL_DIFFERENCES: readonly Difference[] = [
  {
    id: 'escaped-escape-text',
    buildkit:
      'parser.go, setEscapeToken: lineContinuationRegex `([^E])E[ \\t]*$|^E[ \\t]*$` (E the escape character): a line that ends in an escaped escape (`dir c:\\\\`) does not continue; the two characters are one escaped escape character',
    oracle:
      'dockerfile-ast continues such a line, so the old extractor replaced the last escape character by `_` before parsing (breakEscapedEscapes) and put it back only in argument and flag-value texts that end on it: the `_` stays in keywords, flag names, option values, heredoc names, directive values, and comments or words with blanks after it',
    ours: 'the escape character, everywhere',
    normalised: 'for an input with such a line, `_` and the escape character compare equal in every string; positions are compared exactly',
  },
  {
    id: 'escaped-escape-heredoc-name',
    buildkit: 'the same rule, and heredoc words are read by the shell lexer (shell/lex.go), where `\\\\` is one `\\`: `RUN <<EOF\\\\` declares `EOF\\`',
    oracle: 'the stand-in character becomes part of the name (`EOF_`), whose delimiter never comes: the instruction runs to the end of the file',
    ours: 'the heredoc is named `EOF\\` and ends at a line `EOF\\`',
    normalised: 'before comparing, such an escape character at the end of a heredoc word is replaced by `Z` in the input (both sides then read `<<EOFZ`)',
  },
  {
    id: 'directives-only-at-the-top',
    buildkit:
      'directives.go (DirectiveParser) and parser.go Parse: parser directives are read only at the top of the file, before any comment, blank line or instruction',
    oracle:
      'the old extractor parsed each later chunk as a file of its own, so `# name=value` lines at the start of a chunk were directives: dropped from the comments, and `# escape=` even changed the escape character (an incremental parse then differed from a full one)',
    ours: 'in a chunk after the first, such lines are comments',
    normalised: 'nothing: document.ts starts every later chunk at a FROM line, and so does this test; asserted below',
  },
];

// ---- the differential comparison ----

/** Offsets of the escape characters that end a heredoc word on a line ending in an escaped escape (INTENTIONAL_DIFFERENCES[1]). */
function heredocStandIns(text: string, startLine: number, lineCount: number, escapeChar: string, first: boolean): number[] {
  const c = scanChunk(text, startLine, lineCount, escapeChar, first);
  const esc = first ? (c.prelude?.escapeChar ?? '\\') : escapeChar;
  const at = breakEscapedEscapes(text, esc).at;
  if (at.size === 0) return [];
  const starts = lineStarts(text);
  return instructionsOf(c)
    .flatMap((i) => i.args)
    .filter((a) => a.text.startsWith('<<') && at.has(`${a.range.end.line - startLine}:${a.range.end.character - 1}`))
    .map((a) => (starts[a.range.end.line - startLine] ?? 0) + a.range.end.character - 1);
}

function withoutHeredocStandIns(text: string, startLine: number, lineCount: number, escapeChar: string, first: boolean): string {
  for (let round = 0; round < 100; round++) {
    const offsets = heredocStandIns(text, startLine, lineCount, escapeChar, first);
    const o = offsets[0];
    if (o === undefined) return text;
    text = text.slice(0, o) + 'Z' + text.slice(o + 1);
  }
  return text;
}

/** Every string with the oracle's stand-in `_` read as the escape character (INTENTIONAL_DIFFERENCES[0]). */
function standInsAsEscape(c: ChunkSyntax, esc: string): unknown {
  return JSON.parse(JSON.stringify(c), (_k, v: unknown) => (typeof v === 'string' ? v.replaceAll('_', esc) : v)) as unknown;
}

let normalisedStandIns = 0;
let normalisedHeredocNames = 0;

function compare(rawText: string, startLine: number, escapeChar: string, first: boolean, label: string): void {
  const lineCount = splitLines(rawText).length;
  const text = withoutHeredocStandIns(rawText, startLine, lineCount, escapeChar, first);
  if (text !== rawText) normalisedHeredocNames++;
  const ours = scanChunk(text, startLine, lineCount, escapeChar, first);
  const theirs = oracleParseChunk(text, startLine, lineCount, escapeChar, first);
  const esc = first ? (theirs.prelude?.escapeChar ?? '\\') : escapeChar;
  if (breakEscapedEscapes(text, esc).at.size > 0) {
    normalisedStandIns++;
    assert.deepStrictEqual(standInsAsEscape(ours, esc), standInsAsEscape(theirs, esc), `${label} (stand-ins normalised)\n${JSON.stringify(rawText)}`);
  } else assert.deepStrictEqual(plain(ours), plain(theirs), `${label}\n${JSON.stringify(rawText)}`);
}

function instructionsOf(c: ChunkSyntax): InstructionSyntax[] {
  return [...(c.prelude?.instructions ?? []), ...c.stages.flatMap((s) => [s.from, ...s.instructions])];
}

/** The whole document, then its later chunks as document.ts makes them (a FROM line to the next), under both escape characters. */
function compareDocument(raw: string, label: string, maxChunks = Infinity): void {
  const text = neutraliseBom(raw);
  compare(text, 0, '\\', true, `${label} (whole)`);
  const lines = text.split(/(\r\n|\r|\n)/);
  const lineCount = splitLines(text).length;
  for (const esc of ['\\', '`']) {
    const fromLines = scanChunk(text, 0, lineCount, esc, false)
      .stages.map((s) => s.from.range.start.line)
      .filter((l) => l > 0);
    fromLines.slice(0, maxChunks).forEach((a, k) => {
      const b = fromLines[k + 1] ?? lineCount;
      const chunk = lines.slice(a * 2, b * 2).join('');
      compare(chunk, a, esc, false, `${label} (lines ${a}-${b}, escape ${esc})`);
    });
  }
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /dockerfile/i.test(f) ? [p] : [];
  });
}

// The fuzz alphabet (support/fuzz-alphabet.ts), and more of the constructs the scanner reads.
const MORE = [
  '<<-EOF',
  '<<"EOF"',
  "<<'EOF'",
  '\tEOF',
  '\nEOF\n',
  'ONBUILD ',
  'HEALTHCHECK ',
  'CMD ',
  'NONE ',
  '--platform=',
  '--mount=',
  'from=',
  '\\\n',
  '\\ \n',
  ' \\\n',
  '\n#',
  'ENV ',
  'LABEL ',
  'ADD ',
  'x=y ',
  'a',
  '-',
  '--',
  '<<',
  '<',
  '[',
  ']',
  '@',
  '/',
  ':',
  '\\\\\n',
  '``\n',
  '`\n',
  '# a=b\n',
];

function soup(r: () => number, pieces: readonly string[], maxLength: number): string {
  let s = '';
  const n = Math.floor(r() * maxLength);
  for (let j = 0; j < n; j++) s += pieces[Math.floor(r() * pieces.length)] ?? '';
  return s;
}

// ---- differential tests ----

test('every fixture scans as dockerfile-ast parses it, whole and by chunks', { timeout: 300_000 }, () => {
  const all = files(path.join(root, 'test/fixtures'));
  assert.ok(all.length > 100, `found ${all.length} fixtures`);
  for (const f of all) compareDocument(readFileSync(f, 'utf8'), path.relative(root, f));
});

test('generated files of 1, 10 and 100 stages scan as dockerfile-ast parses them', { timeout: 300_000 }, () => {
  for (const n of [1, 10, 100]) {
    const text = execFileSync(process.execPath, [path.join(root, 'scripts/bench/gen.mjs'), '--stages', String(n)], { encoding: 'utf8' });
    assert.ok(text.includes('FROM '), 'the generator wrote a Dockerfile');
    compareDocument(text, `stages-${n}`);
  }
});

test('seeded random text scans as dockerfile-ast parses it', { timeout: 300_000 }, () => {
  for (let i = 0; i < 1500; i++) compareDocument(soup(rng(1000 + i), ALPHABET, 80), `soup ${i}`, 3);
  for (let i = 0; i < 1500; i++) compareDocument(soup(rng(5000 + i), [...ALPHABET, ...MORE], 150), `rich soup ${i}`, 3);
  // The normalisations were exercised, and stay the exception.
  assert.ok(normalisedStandIns > 0 && normalisedStandIns < 1500, `${normalisedStandIns} comparisons read the stand-in as the escape character`);
  assert.ok(normalisedHeredocNames > 0 && normalisedHeredocNames < 300, `${normalisedHeredocNames} inputs needed a heredoc stand-in replaced`);
});

const TRICKY = [
  '',
  '\n\n',
  'FROM',
  'FROM a',
  'FROM a AS',
  'from a as b\n',
  '  FROM\ta  AS  b  \n',
  'RUN\\\necho hi',
  'RUN\\\n#c\necho',
  'RUN \\\n#c\necho',
  'RUN\\ x',
  'RUN\\ ',
  'RUN \\  \n\n   \n  b',
  'RUN a\\\n  b',
  'RUN a \\\n  # comment \\\n  b \\\n\n  c\n',
  'RUN echo \\$HOME \\a "a b" \\ x\n',
  'RUN a\\ b\\\tc\n',
  'RUN \\',
  'RUN a \\',
  'RUN dir c:\\\\\nFROM x\n',
  'RUN dir c:\\\\ \t\nRUN b\n',
  'RUN a \\\\\\\nRUN b\n',
  '# escape=`\nFROM a\nRUN dir c:\\\nRUN b `\n  c\n',
  '# escape=`\nRUN a ``\nRUN b\n',
  '# escape=\\\n# syntax=docker/dockerfile:1\nFROM a\n',
  '#escape=`\nFROM a\n',
  '# escape = ` \n# syntax=x\nFROM a\n',
  '# a b=c\n# d=\n#=x\nFROM a\n',
  '\n# escape=`\nFROM a\n',
  '# comment\n# escape=`\nFROM a\n',
  '# a=b\r# c=d\rFROM a\r',
  '# a=b\r\n# c=d\r\nFROM a\r\n',
  ' \uFEFF# a=b\n',
  'COPY a--b --from=x c d\n',
  'COPY --from=a --from=b --chown=1:1 x y\n',
  'COPY -- --from x\n',
  'COPY --=x --from= --from y\n',
  'COPY --fr\\\nom=a x y\n',
  'RUN --mount=type=cache,target=/x,FROM=a --mount=from=b,,from=c --mount==x --mount=,x --mount=a,b make\n',
  'RUN --mount=type=bind,from=a\\\n,target=/b x\n',
  'HEALTHCHECK --interval=5s --timeout=1s CMD curl -f x || exit 1\n',
  'HEALTHCHECK --retries=3 NONE --x\n',
  'HEALTHCHECK cmd --x\n',
  'CMD --not-a-flag x\n',
  'ENTRYPOINT ["a", "b"]\n',
  'SHELL ["/bin/sh", "-c"]\n',
  'ONBUILD RUN --mount=from=a x\n',
  'ONBUILD RUN <<EOF\nbody\nEOF\nFROM x\n',
  'ONBUILD\n',
  'RUN <<EOF\nbody\nEOF\nFROM a\n',
  'RUN <<EOF\nbody\nEOF',
  'RUN <<EOF\nbody\n  EOF\nEOF \nEOF\n',
  'RUN <<-EOF\n\t\tbody\n\t\tEOF\nFROM a\n',
  'RUN <<"EOF" <<\'END\'\na\nEOF\nb\nEND\nFROM a\n',
  'RUN <<A <<B\nA\nB\n',
  'RUN <<A cat && <<B cat\nx\nA\ny\n',
  'RUN <<EOF\n',
  'RUN <<EOF\nnever closed\n',
  'RUN <<<EOF\nx\n',
  'RUN << x\nFROM a\n',
  'RUN <<\nx\n',
  'RUN <<"EOF\nx\n',
  'RUN <<-\nx\n',
  'COPY <<EOF /a\nhello\nEOF\nCOPY --from=b <<X <<Y /c\nx\nX\ny\nY\n',
  'ADD <<EOF /a\nx \\\nEOF\n',
  'RUN <<EOF \\\n  --flag\nbody\nEOF\n',
  'RUN <<E\\OF\nx\nEOF\n',
  'RUN <<EOF\r\nbody\r\nEOF\r\nFROM a\r\n',
  'CMD <<EOF\n',
  'ENV a=<<EOF b\n',
  'RUN a \\\n<<EOF\nx\nEOF\n',
  'FROM a\r\nRUN b \\\r\n  c\r\n',
  'FROM a\rRUN b \\\r  c\r',
  'FROM a\r\r\nRUN b\n\r',
  'FROM\ta\tAS\tb\t\n\tRUN\tx\t',
  'FROM a\nRUN echo \u{1F433} \u{1F433}x\n',
  'FROM \u0000\nRUN \u0000 \\\u0000\n',
  '<<<<<<< HEAD\nFROM a\n=======\nFROM b\n>>>>>>> x\n',
  '\uFEFFFROM a\n',
  '\\\nFROM a\n',
  '\\',
  '`',
  '#',
  '# \t \n',
  'FROM a # not a comment\n  # a comment\nRUN b\n',
  'ARG A=1 B "C=2" D=\'3\' 4E=x\nFROM $A\nARG X\\\n=1 Y=a\\ b\n',
  'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM --platform=linux/amd64\n',
  'FROM a AS b\nCOPY --from=b . .\nFROM b\nRUN --mount=from=b,target=/x true\n',
];

test('hand-written corner cases scan as dockerfile-ast parses them', () => {
  TRICKY.forEach((t, i) => {
    compareDocument(t, `tricky ${i}`);
  });
});

test('intentional differences are normalised only where listed, and our values hold', () => {
  // 1. An escaped escape at the end of a line: no continuation, and the escape character everywhere.
  const a = 'FROM a\nRUN\\\\\nFROM b\n';
  const ours = scanChunk(a, 0, 4, '\\', true);
  const theirs = oracleParseChunk(a, 0, 4, '\\', true);
  assert.equal(ours.stages[0]?.instructions[0]?.keywordText, 'RUN\\\\');
  assert.equal(theirs.stages[0]?.instructions[0]?.keywordText, 'RUN\\_', 'the oracle keeps its stand-in');
  assert.equal(ours.stages.length, 2);
  const words = scanChunk('FROM a\nRUN dir c:\\\\\nFROM b\n', 0, 4, '\\', true);
  assert.deepEqual(
    words.stages[0]?.instructions[0]?.args.map((x) => x.text),
    ['dir', 'c:\\'],
  );
  // 2. A heredoc word ending in an escaped escape: named as the shell lexer reads it.
  const h = 'FROM a\nRUN <<EOF\\\\\nbody\nEOF\\\nFROM b\n';
  const hOurs = scanChunk(h, 0, 6, '\\', true);
  const run = hOurs.stages[0]?.instructions[0];
  assert.equal(run?.heredocs[0]?.name, 'EOF\\');
  assert.deepEqual(run?.heredocs[0]?.delimiterRange, { start: { line: 3, character: 0 }, end: { line: 3, character: 4 } });
  assert.equal(hOurs.stages.length, 2);
  const hTheirs = oracleParseChunk(h, 0, 6, '\\', true);
  assert.equal(hTheirs.stages[0]?.instructions[0]?.heredocs[0]?.name, 'EOF_');
  assert.equal(hTheirs.stages.length, 1, 'the oracle runs the heredoc to the end of the file');
  // 3. A later chunk that starts with `# name=value` lines: comments, and the escape character stays.
  for (const esc of ['\\', '`']) {
    const d = '# escape=`\nFROM x\nRUN a \\\nRUN b\n';
    const dOurs = scanChunk(d, 10, 5, esc, false);
    assert.deepEqual(
      dOurs.comments.map((c) => c.text),
      ['escape=`'],
    );
    assert.equal(dOurs.prelude, undefined);
    assert.deepEqual(oracleParseChunk(d, 10, 5, esc, false).comments, [], 'the oracle reads them as directives');
  }
  assert.equal(scanChunk('# escape=`\nFROM x\nRUN a \\\nRUN b\n', 10, 5, '\\', false).stages[0]?.instructions.length, 1, 'the backslash still continues');
  assert.equal(INTENTIONAL_DIFFERENCES.length, 3);
});

// ---- golden values ----

const r = (sl: number, sc: number, el: number, ec: number) => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });

test('golden: FROM with a platform and a stage name, positions offset by the chunk', () => {
  const c = scanChunk('FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n', 7, 2, '\\', false);
  const from = c.stages[0]?.from;
  assert.ok(from);
  assert.deepEqual(from.keywordRange, r(7, 0, 7, 4));
  assert.deepEqual(from.range, r(7, 0, 7, 51));
  assert.deepEqual(from.image, { text: 'golang:1.22', range: r(7, 31, 7, 42) });
  assert.deepEqual(from.asKeyword, { text: 'AS', range: r(7, 43, 7, 45) });
  assert.deepEqual(from.stageName, { text: 'build', range: r(7, 46, 7, 51) });
  assert.deepEqual(from.platform, {
    name: 'platform',
    nameRange: r(7, 7, 7, 15),
    value: '$BUILDPLATFORM',
    valueRange: r(7, 16, 7, 30),
    range: r(7, 5, 7, 30),
    options: [],
  });
  assert.equal(c.startsWithFrom, true);
  assert.equal(c.unterminated, false);
});

test('golden: COPY --from and RUN --mount from= are references; flags come before the arguments', () => {
  const c = scanChunk('FROM a AS b\nCOPY --chown=1:1 --from=b /x /y\nRUN --mount=type=cache,target=/r,from=b make\n', 0, 4, '\\', true);
  const s = c.stages[0];
  assert.ok(s);
  assert.deepEqual(s.refs, [
    { kind: 'copy', value: 'b', range: r(1, 24, 1, 25), instruction: 0 },
    { kind: 'mount', value: 'b', range: r(2, 38, 2, 39), instruction: 1 },
  ]);
  const [copy, run] = s.instructions;
  assert.deepEqual(
    copy?.flags.map((f) => [f.name, f.value]),
    [
      ['chown', '1:1'],
      ['from', 'b'],
    ],
  );
  assert.deepEqual(
    copy?.args.map((a) => a.text),
    ['/x', '/y'],
  );
  assert.deepEqual(
    run?.flags[0]?.options.map((o) => [o.name, o.value]),
    [
      ['type', 'cache'],
      ['target', '/r'],
      ['from', 'b'],
    ],
  );
  assert.deepEqual(
    run?.args.map((a) => a.text),
    ['make'],
  );
});

test('golden: a continuation skips comment and blank lines, and its comment is a comment', () => {
  const c = scanChunk('FROM a\nRUN a \\\n  # note\n\n  b\nCMD x\n', 0, 7, '\\', true);
  const run = c.stages[0]?.instructions[0];
  assert.deepEqual(run?.args, [
    { text: 'a', range: r(1, 4, 1, 5) },
    { text: 'b', range: r(4, 2, 4, 3) },
  ]);
  assert.deepEqual(run?.range, r(1, 0, 4, 3));
  assert.deepEqual(c.comments, [{ text: 'note', range: r(2, 2, 2, 8) }]);
  assert.equal(c.stages[0]?.instructions[1]?.keyword, 'CMD');
});

test('golden: heredoc bodies are not instructions; an unclosed heredoc leaves the chunk unterminated', () => {
  const c = scanChunk('FROM a\nCOPY <<EOF /a\nFROM b\nEOF\nRUN <<-"END" sh\n\tx\n\tEND\n', 0, 8, '\\', true);
  const [copy, run] = c.stages[0]?.instructions ?? [];
  assert.equal(c.stages.length, 1);
  assert.deepEqual(copy?.heredocs, [{ name: 'EOF', contentRange: r(2, 0, 2, 6), delimiterRange: r(3, 0, 3, 3) }]);
  assert.deepEqual(copy?.range, r(1, 0, 3, 3));
  assert.deepEqual(run?.heredocs, [{ name: 'END', contentRange: r(5, 0, 5, 2), delimiterRange: r(6, 1, 6, 4) }]);
  assert.equal(c.unterminated, false);
  const open = scanChunk('FROM a\nRUN <<EOF\nFROM b\n', 0, 4, '\\', true);
  assert.equal(open.stages.length, 1);
  assert.equal(open.unterminated, true);
  assert.equal(open.stages[0]?.instructions[0]?.heredocs[0]?.delimiterRange, null);
  assert.equal(scanChunk('FROM a\nRUN b \\\n', 0, 3, '\\', true).unterminated, true);
});

test('golden: the escape directive, CRLF and a keyword joined across a continuation', () => {
  const c = scanChunk('# escape=`\r\nFROM a\r\nRUN dir c:\\ `\r\n  /w\r\n', 0, 5, '\\', true);
  assert.deepEqual(c.prelude?.directives, [{ name: 'escape', value: '`', range: r(0, 0, 0, 10) }]);
  assert.equal(c.prelude?.escapeChar, '`');
  const run = c.stages[0]?.instructions[0];
  assert.deepEqual(
    run?.args.map((a) => a.text),
    ['dir', 'c:\\', '/w'],
  );
  assert.deepEqual(run?.range, r(2, 0, 3, 4));
  // BuildKit joins the lines before it reads the keyword: RUN\<newline>echo is RUNecho.
  const k = scanChunk('RUN\\\necho hi\n', 0, 3, '\\', true).prelude?.instructions[0];
  assert.equal(k?.keyword, 'RUNECHO');
  assert.deepEqual(k?.keywordRange, r(0, 0, 1, 4));
});

test('golden: ARG declares every name; the prelude holds what stands before the first FROM', () => {
  const c = scanChunk('ARG A=1 B "C=2"\nFROM $A\nARG D="x y"\n', 0, 4, '\\', true);
  assert.deepEqual(c.prelude?.args, [
    { name: 'A', nameRange: r(0, 4, 0, 5), value: '1', line: 0 },
    { name: 'B', nameRange: r(0, 8, 0, 9), value: null, line: 0 },
  ]);
  assert.equal(c.startsWithFrom, false);
  assert.deepEqual(
    c.stages[0]?.args.map((a) => [a.name, a.value]),
    [['D', '"x']],
  );
});

test('arguments and flags made on first read equal the scanned ones, also after the chunk moved', () => {
  const text = execFileSync(process.execPath, [path.join(root, 'scripts/bench/gen.mjs'), '--stages', '10'], { encoding: 'utf8' });
  const n = splitLines(text).length;
  const at = (k: number) => scanChunk(text, k, n, '\\', false);
  // Not read before the move, read before the move, moved twice.
  assert.deepStrictEqual(plain(shiftChunk(at(0), 5)), plain(at(5)));
  // Ranges only, then everything, read before the move.
  const ranged = at(0);
  for (const i of instructionsOf(ranged)) assert.ok(i.range.end.line >= i.keywordRange.start.line);
  assert.deepStrictEqual(plain(shiftChunk(ranged, 5)), plain(at(5)));
  const read = at(0);
  for (const i of instructionsOf(read)) assert.ok(i.args.length >= 0 && i.flags.length >= 0);
  assert.deepStrictEqual(plain(shiftChunk(read, 5)), plain(at(5)));
  assert.deepStrictEqual(plain(shiftChunk(shiftChunk(at(0), 3), -1)), plain(at(2)));
  // Its JSON is the plain data InstructionSyntax describes, every field read.
  const run = instructionsOf(at(0)).find((i) => i.keyword === 'RUN' && i.flags.length > 0);
  assert.ok(run);
  assert.deepStrictEqual(Object.keys(plain(run) as object).sort(), ['args', 'flags', 'heredocs', 'keyword', 'keywordRange', 'keywordText', 'range']);
  assert.deepStrictEqual(plain(run), {
    keyword: run.keyword,
    keywordText: run.keywordText,
    keywordRange: run.keywordRange,
    range: run.range,
    args: run.args,
    flags: run.flags,
    heredocs: run.heredocs,
  });
  assert.ok(run.args.length > 0);
});

test('pathological input scans in linear time and never throws', { timeout: 120_000 }, () => {
  const N = 100_000;
  const cases = [
    'RUN <<' + '\\x'.repeat(N) + '\nbody\n',
    'RUN <<a' + '\\x#'.repeat(N / 2) + '\n',
    'RUN ' + '<<a '.repeat(N / 4) + '\nx\n',
    'RUN <<' + 'x'.repeat(N / 2) + '\n' + 'y\n'.repeat(N / 2),
    'RUN a' + '\\\\      '.repeat(N / 8) + '\n',
    'R' + '\\ \n'.repeat(N / 3) + 'UN x',
    'RUN a \\\n' + '  # c\n'.repeat(N / 6) + 'b\n',
    'COPY ' + '--a=b,c=d '.repeat(N / 10) + 'x y\n',
    'RUN --mount=' + 'from=a,'.repeat(N / 7) + ' x\n',
    'FROM a\r'.repeat(N / 7),
    '\u0000'.repeat(N),
    'RUN <<EOF\n' + 'line\n'.repeat(N / 5),
    '# a=b\n'.repeat(N / 6) + 'FROM x\n',
    '#'.repeat(N) + '\nFROM a\n',
  ];
  // (The timeout is a hang guard, not a speed assertion: quadratic work on 100,000 characters
  // would take minutes. Speed is `npm run bench`.)
  for (const t of cases) {
    const c = scanChunk(t, 0, splitLines(t).length, '\\', true);
    for (const i of instructionsOf(c)) assert.ok(i.args.length + i.flags.length + i.heredocs.length >= 0);
  }
});
