// Loads syntaxes/dockerfile.tmLanguage.json with vscode-textmate + vscode-oniguruma and tokenizes
// text the way VS Code does (one call per line, lines split on \r\n, \r or \n).
//
//   node test/grammar/harness.mjs path/to/Dockerfile   # prints every token with its scopes
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const GRAMMAR_FILE = `${ROOT}syntaxes/dockerfile.tmLanguage.json`;

let wasmLoaded;
function onigLib() {
  wasmLoaded ??= oniguruma.loadWASM(readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer);
  return wasmLoaded.then(() => ({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }));
}

/**
 * @param {object} [opts]
 * @param {object|null} [opts.shellGrammar] raw grammar to serve for `source.shell` (default: none)
 * @param {object} [opts.dockerfileGrammar] raw grammar object (default: the committed JSON file)
 */
export async function loadGrammar(opts = {}) {
  const dockerfile = opts.dockerfileGrammar ?? JSON.parse(readFileSync(GRAMMAR_FILE, 'utf8'));
  const registry = new vsctm.Registry({
    onigLib: onigLib(),
    loadGrammar: async (scopeName) => {
      if (scopeName === 'source.dockerfile') return dockerfile;
      if (scopeName === 'source.shell' && opts.shellGrammar) return opts.shellGrammar;
      return null;
    },
  });
  const grammar = await registry.loadGrammarWithConfiguration('source.dockerfile', 1, {
    embeddedLanguages: { 'meta.embedded.shell': 2 },
  });
  if (!grammar) throw new Error('grammar failed to load');
  return grammar;
}

export const splitLines = (text) => text.split(/\r\n|\r|\n/);

/**
 * Tokenizes `text` line by line. Returns [{ line, text, tokens: [{start, end, text, scopes}] }],
 * `line` being 1-based.
 * @param {{ splitter?: (text: string) => string[] }} [opts]
 */
export function tokenize(grammar, text, opts = {}) {
  const lines = (opts.splitter ?? splitLines)(text);
  let state = vsctm.INITIAL;
  const out = [];
  lines.forEach((lineText, i) => {
    const r = grammar.tokenizeLine(lineText, state, 1000);
    if (r.stoppedEarly) throw new Error(`tokenization stopped early on line ${i + 1}`);
    state = r.ruleStack;
    out.push({
      line: i + 1,
      text: lineText,
      tokens: r.tokens.map((t) => ({
        start: t.startIndex,
        end: Math.min(t.endIndex, lineText.length),
        text: lineText.slice(t.startIndex, t.endIndex),
        scopes: t.scopes,
      })),
    });
  });
  return out;
}

export function formatTokens(result) {
  const lines = [];
  for (const l of result) {
    lines.push(`${String(l.line).padStart(3)}| ${l.text}`);
    for (const t of l.tokens) {
      lines.push(`      ${JSON.stringify(t.text).padEnd(28)} ${t.scopes.slice(1).join(' ')}`);
    }
  }
  return lines.join('\n');
}

// CLI mode. Skipped under `node --test` (newer Node versions also run helper modules found in
// test/ directories as test files).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && !process.env.NODE_TEST_CONTEXT) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node test/grammar/harness.mjs path/to/Dockerfile');
    process.exit(2);
  }
  const shell = process.env.SHELL_GRAMMAR ? JSON.parse(readFileSync(process.env.SHELL_GRAMMAR, 'utf8')) : null;
  const grammar = await loadGrammar({ shellGrammar: shell });
  const text = readFileSync(file, 'utf8');
  console.log(formatTokens(tokenize(grammar, text)));
}
