// Scope tests for syntaxes/dockerfile.tmLanguage.json.
// Run: node --test test/grammar/
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { loadGrammar, tokenize, GRAMMAR_FILE, ROOT } from './harness.mjs';
import { parseScopesFile, checkAssertion, scopeMatches } from './scopes-format.mjs';
import { renderGrammar } from '../../syntaxes/build-dockerfile-grammar.mjs';

const require = createRequire(import.meta.url);
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixtureNames = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.Dockerfile'))
  .map((f) => f.slice(0, -'.Dockerfile'.length))
  .sort();

let grammar;
before(async () => {
  grammar = await loadGrammar();
});

const readFixture = (name) => readFileSync(`${FIXTURES}${name}.Dockerfile`, 'utf8');
const readScopes = (name) => parseScopesFile(readFileSync(`${FIXTURES}${name}.scopes`, 'utf8'), `${name}.scopes`);

function runAssertions(tokenized, assertions, opts) {
  return assertions.flatMap((a) => checkAssertion(tokenized, a, opts));
}

// ------------------------------------------------------------------------------------------------
test('the committed grammar JSON is exactly what the generator produces', () => {
  const committed = readFileSync(GRAMMAR_FILE, 'utf8');
  assert.ok(
    committed === renderGrammar(),
    'syntaxes/dockerfile.tmLanguage.json is stale: run `node syntaxes/build-dockerfile-grammar.mjs`',
  );
});

test('grammar metadata, includes and regexes are valid', async () => {
  const g = JSON.parse(readFileSync(GRAMMAR_FILE, 'utf8'));
  assert.equal(g.scopeName, 'source.dockerfile');
  const oniguruma = require('vscode-oniguruma');
  await oniguruma.loadWASM(readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer).catch(() => {});
  const problems = [];
  let embeddedShell = 0;
  const visit = (node, path) => {
    if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${path}[${i}]`));
    if (!node || typeof node !== 'object') return;
    if (typeof node.include === 'string' && node.include.startsWith('#') && !(node.include.slice(1) in g.repository)) {
      problems.push(`${path}: include ${node.include} does not exist`);
    }
    for (const key of ['match', 'begin', 'end', 'while']) {
      if (typeof node[key] !== 'string') continue;
      // end/while may refer to begin captures (\4); substitute them the way vscode-textmate does.
      const source = key === 'end' || key === 'while' ? node[key].replace(/\\(\d+)/g, 'x') : node[key];
      try {
        new oniguruma.OnigScanner([source]).dispose();
      } catch (e) {
        problems.push(`${path}.${key}: ${e.message}`);
      }
    }
    for (const key of ['name', 'contentName']) if (node[key]?.includes('meta.embedded.shell')) embeddedShell++;
    for (const [k, v] of Object.entries(node)) if (typeof v === 'object') visit(v, `${path}.${k}`);
  };
  visit(g, '$');
  assert.deepEqual(problems, []);
  assert.ok(embeddedShell > 0, 'no meta.embedded.shell scope in the grammar');
});

test('every fixture has a .scopes file and vice versa', () => {
  const scopes = readdirSync(FIXTURES).filter((f) => f.endsWith('.scopes')).map((f) => f.slice(0, -'.scopes'.length)).sort();
  assert.deepEqual(scopes, fixtureNames);
  assert.ok(fixtureNames.length >= 15, `expected at least 15 fixtures, found ${fixtureNames.length}`);
});

let totalAssertions = 0;
for (const name of fixtureNames) {
  test(`fixture ${name}`, (t) => {
    const { assertions } = readScopes(name);
    assert.ok(assertions.length > 0, `${name}.scopes has no assertions`);
    const failures = runAssertions(tokenize(grammar, readFixture(name)), assertions);
    totalAssertions += assertions.length;
    t.diagnostic(`${assertions.length} assertions`);
    assert.ok(failures.length === 0, `\n${failures.join('\n')}`);
  });
}

test('assertion count', (t) => {
  t.diagnostic(`${totalAssertions} scope assertions over ${fixtureNames.length} fixtures`);
  assert.ok(totalAssertions >= 300, `only ${totalAssertions} assertions`);
});

// Nothing a fixture does may leak past its end: an instruction appended after the last line must
// tokenize as a fresh instruction (catches unterminated rules, heredocs that never close, ...).
for (const name of fixtureNames) {
  test(`fixture ${name}: state is clean at the end of the file`, (t) => {
    const { pragmas } = readScopes(name);
    if (pragmas.has('no-probe')) return t.skip('@no-probe');
    let text = readFixture(name);
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    if (!text.endsWith(eol)) text += eol;
    text += `FROM probe AS probe-stage${eol}`;
    const tokenized = tokenize(grammar, text);
    const line = tokenized.length - 1; // the last element is the empty line after the final EOL
    const failures = runAssertions(tokenized, [
      { where: 'probe', line, text: 'FROM', occurrence: 1, positive: ['keyword.other.instruction.dockerfile'], negative: [] },
      { where: 'probe', line, text: 'probe-stage', occurrence: 1, positive: ['entity.name.type.stage.dockerfile'], negative: [] },
      { where: 'probe', line, text: 'FROM', occurrence: 1, positive: [], negative: ['meta.heredoc', 'meta.embedded', 'string', 'comment'] },
    ]);
    assert.ok(failures.length === 0, `\n${failures.join('\n')}`);
  });
}

// Consumers that split only on \n hand the grammar lines that still end in \r.
test('CRLF fixture tokenizes the same when lines keep their trailing \\r', () => {
  const text = readFixture('crlf');
  assert.ok(text.includes('\r\n'), 'crlf.Dockerfile lost its CRLF line endings (see fixtures/.gitattributes)');
  // Drop the lone "\r" token at the end of raw lines; everything else must be identical.
  const strip = (lines) =>
    lines.map((l) =>
      l.tokens
        .filter((t) => t.text.replace(/\r$/, '') !== '' || l.text.replace(/\r$/, '') === '')
        .map((t) => [t.text.replace(/\r$/, ''), t.scopes.join(' ')]),
    );
  const vscodeLike = strip(tokenize(grammar, text));
  const rawCR = strip(tokenize(grammar, text, { splitter: (s) => s.split('\n') }));
  assert.deepEqual(rawCR, vscodeLike);
  const { assertions } = readScopes('crlf');
  const failures = runAssertions(tokenize(grammar, text, { splitter: (s) => s.split('\n') }), assertions);
  assert.ok(failures.length === 0, `\n${failures.join('\n')}`);
});

// ------------------------------------------------------------------------------------------------
// With an actual source.shell grammar: shell scopes appear inside the embedded regions, and
// whatever the shell grammar leaves open (unterminated quotes, blocks) never swallows the next
// instruction or a heredoc terminator.
const STUB_SHELL = {
  scopeName: 'source.shell',
  patterns: [
    { begin: '"', end: '"', name: 'string.quoted.double.shell' },
    { begin: "'", end: "'", name: 'string.quoted.single.shell' },
    { begin: '\\bif\\b', end: '\\bfi\\b', name: 'meta.scope.if-block.shell', patterns: [{ include: '$self' }] },
    { match: '\\$\\w+', name: 'variable.other.normal.shell' },
    { match: '(?<=\\s)--?[\\w-]+(?:=\\S*)?', name: 'constant.other.option.shell' },
  ],
};
const BLEED_DOC = [
  'FROM alpine AS base', //                                   1
  'RUN echo "unterminated', //                                2
  'COPY a b', //                                              3
  'RUN <<EOF', //                                             4
  'if true; then', //                                         5
  '  echo "open', //                                          6
  'fi', //                                                    7
  'EOF', //                                                   8
  'RUN npm ci --omit=dev && echo $HOME', //                   9
  "CMD echo 'x", //                                          10
  'HEALTHCHECK CMD echo "y', //                              11
  'RUN echo "a \\', //                                       12
  '    b" --flag', //                                        13
  'FROM final', //                                           14
  '',
].join('\n');
const BLEED_GENERIC = `
3 "COPY" keyword.other.instruction.dockerfile !string
8 "EOF" keyword.control.heredoc-token.dockerfile !string !meta.embedded
9 "RUN" keyword.other.instruction.dockerfile
9 ~"--omit=dev" meta.embedded.shell.dockerfile source.shell !variable.parameter.flag !meta.flag
10 "CMD" keyword.other.instruction.dockerfile !string
11 "HEALTHCHECK" keyword.other.instruction.dockerfile !string
12 "RUN" keyword.other.instruction.dockerfile !string
14 "FROM" keyword.other.instruction.dockerfile !string !meta.embedded
14 "final" entity.name.type.image.dockerfile
`;

test('embedded shell: stub source.shell grammar, no leaking', async () => {
  const withShell = await loadGrammar({ shellGrammar: STUB_SHELL });
  const { assertions } = parseScopesFile(
    BLEED_GENERIC +
      `
2 ~"unterminated" string.quoted.double.shell meta.embedded.shell.dockerfile
6 ~"echo" meta.scope.if-block.shell meta.embedded.shell.dockerfile meta.heredoc.dockerfile
7 "fi" meta.scope.if-block.shell
9 ~"--omit=dev" constant.other.option.shell
9 ~"$HOME" variable.other.normal.shell meta.embedded.shell.dockerfile
12 ~"a " string.quoted.double.shell
13 ~"b" string.quoted.double.shell meta.embedded.shell.dockerfile
13 ~"--flag" constant.other.option.shell !string
`,
    'stub-shell',
  );
  const failures = runAssertions(tokenize(withShell, BLEED_DOC), assertions);
  assert.ok(failures.length === 0, `\n${failures.join('\n')}`);
});

// Optional: SHELL_GRAMMAR=/path/to/shell-unix-bash.tmLanguage.json node --test test/grammar/
test('embedded shell: real shell grammar from $SHELL_GRAMMAR, no leaking', async (t) => {
  const file = process.env.SHELL_GRAMMAR;
  if (!file || !existsSync(file)) return t.skip('set SHELL_GRAMMAR to a shell tmLanguage.json to run');
  const withShell = await loadGrammar({ shellGrammar: JSON.parse(readFileSync(file, 'utf8')) });
  const { assertions } = parseScopesFile(BLEED_GENERIC, 'real-shell');
  const failures = runAssertions(tokenize(withShell, BLEED_DOC), assertions, { ownScopesOnly: true });
  assert.ok(failures.length === 0, `\n${failures.join('\n')}`);
  // The fixtures' expectations about our own scopes must hold with a real shell grammar too.
  for (const name of fixtureNames) {
    const own = readScopes(name).assertions.map((a) => ({ ...a, positive: a.positive.filter((p) => !p.endsWith('.shell')) }));
    const f = runAssertions(tokenize(withShell, readFixture(name)), own, { ownScopesOnly: true });
    assert.ok(f.length === 0, `${name}:\n${f.join('\n')}`);
  }
});

// Smoke test over the project's other Dockerfile fixtures: no exceptions, no early stop, fast.
test('tokenizes the repository fixtures quickly', (t) => {
  const dir = `${ROOT}test/fixtures/`;
  if (!existsSync(dir)) return t.skip('no test/fixtures directory');
  const files = readdirSync(dir).filter((f) => /dockerfile/i.test(f));
  const startedAt = performance.now();
  for (const f of files) tokenize(grammar, readFileSync(dir + f, 'utf8'));
  const ms = performance.now() - startedAt;
  t.diagnostic(`${files.length} files in ${ms.toFixed(0)} ms`);
  assert.ok(ms < 4000, `took ${ms} ms`); // generous: only catches runaway regexes
});

test('scope matcher uses TextMate prefix semantics', () => {
  assert.ok(scopeMatches('keyword.other.instruction.dockerfile', 'keyword'));
  assert.ok(scopeMatches('keyword.other.instruction.dockerfile', 'keyword.other.instruction.dockerfile'));
  assert.ok(!scopeMatches('keyword.other.instruction.dockerfile', 'keyword.oth'));
  assert.ok(!scopeMatches('keyword.other.instruction.dockerfile', 'other'));
});
