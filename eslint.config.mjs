// ESLint flat config: typescript-eslint's type-aware strict rules, plus the layer
// invariants of ARCHITECTURE.md as import restrictions per folder.
// `npm run lint` runs this and `prettier --check` (see .prettierignore).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const LSP = ['vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageclient', 'vscode-languageclient/*', 'vscode-jsonrpc', 'vscode-jsonrpc/*'];
const VSCODE = ['vscode'];
const pattern = (group, message) => ({ group, message });

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', '.tmp/**', 'node_modules/**', 'test/fixtures/**', 'bench-results/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Required by issue 13.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Size limits (issue 13): no function over 120 lines, no file over 600.
      'max-lines-per-function': ['error', { max: 120, skipBlankLines: false, skipComments: false }],
      'max-lines': ['error', { max: 600, skipBlankLines: false, skipComments: false }],
      // The code base's own conventions.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // vscode's typings declare Disposable as a class; EventEmitters and collections are disposables by shape.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      // Capped caches delete by computed key.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // noUncheckedIndexedAccess, not cast away (issue 13): an index read is checked (`?? fallback`, a test, or `defined()`).
      'no-restricted-syntax': [
        'error',
        {
          selector: "TSAsExpression[expression.type='MemberExpression'][expression.computed=true]",
          message: 'An index read cast to its element type hides a possible undefined: use `?? fallback`, check it, or `defined()` (model/text.ts).',
        },
        {
          selector: "TSNonNullExpression[expression.type='MemberExpression'][expression.computed=true]",
          message: 'An index read asserted non-null hides a possible undefined: use `?? fallback`, check it, or `defined()` (model/text.ts).',
        },
      ],
    },
  },
  // ---- Layer invariants (ARCHITECTURE.md "Invariants") ----
  {
    files: ['server/src/model/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(
              ['../*', ...LSP, ...VSCODE, 'node:*', 'fs', 'path', 'child_process'],
              'model/ is the pure stage model: it imports only model/ (and LSP types from vscode-languageserver-types).',
            ),
            pattern(
              ['dockerfile-ast', 'dockerfile-language-service', 'dockerfile-utils'],
              'model/ reads Dockerfiles with its own scanner (scan.ts); dockerfile-ast is only the test oracle (test/unit/support/ast-oracle.ts).',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['server/src/convert/**/*.ts', 'server/src/workspace/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(
              [
                ...LSP,
                ...VSCODE,
                '../features',
                '../features/*',
                '../server',
                '../server/*',
                '../protocol',
                'node:fs',
                'fs',
                'child_process',
                'node:child_process',
              ],
              'convert/ and workspace/ are pure: no LSP, VS Code, features, server or file system (file access is injected).',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['server/src/features/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(
              [
                ...VSCODE,
                'vscode-languageclient',
                'vscode-languageserver/node',
                '../server',
                '../server/*',
                'node:fs',
                'fs',
                'child_process',
                'node:child_process',
              ],
              'features/ map the model to LSP types: no connection, no file system, no server.',
            ),
          ],
        },
      ],
    },
  },
  {
    // Build planning, argv, output parsing: shared by the VS Code client and the server's executeCommand builds.
    files: ['server/src/builds/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(
              [
                ...VSCODE,
                'vscode-languageclient',
                'vscode-languageclient/*',
                'vscode-languageserver',
                'vscode-languageserver/*',
                '../server',
                '../server/*',
                '../features',
                '../features/*',
              ],
              'builds/ is shared by the client and the server: no editor, no connection, no features.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['server/src/server/**/*.ts', 'server/src/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [pattern([...VSCODE, 'vscode-languageclient', 'vscode-languageclient/*'], 'Nothing in server/ imports vscode or the language client.')] },
      ],
    },
  },
  {
    files: ['client/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(
              ['**/server/src/*', '!**/server/src/protocol', '!**/server/src/builds'],
              'The client imports from the server only server/src/protocol.ts (the contract) and server/src/builds/ (build planning shared with the server); the server runs in its own process.',
            ),
          ],
        },
      ],
    },
  },
  {
    // The stage graph webview runs in the browser, not beside the server: it bundles the pure
    // graph model and the pure layout/SVG code (dist/graph.js), so the same code draws the CLI's SVG.
    files: ['client/src/graph/webview.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(
              [
                '**/server/src/*',
                '!**/server/src/protocol',
                '!**/server/src/model',
                '!**/server/src/graph',
                '**/server/src/model/*',
                '!**/server/src/model/graph',
                '**/server/src/graph/text',
              ],
              'The webview bundles only the pure graph model and its layout/SVG rendering from the server.',
            ),
          ],
        },
      ],
    },
  },
  {
    // The server's clock is server/clock.ts: the first read of Node's global `performance` loads
    // perf_hooks and ten internal modules (1.3–1.8 ms inside the first didOpen). No localeCompare either.
    files: ['server/src/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'performance', message: 'Use monotonicMs() from server/src/server/clock.ts: the first read of `performance` loads perf_hooks.' },
      ],
      // The first localeCompare of a process sets up ICU's collator (15 ms on the bench machine).
      'no-restricted-properties': ['error', { property: 'localeCompare', message: 'Compare code units (a < b): the first localeCompare sets up ICU (15 ms).' }],
    },
  },
  {
    // Tests assert on shapes the types already promise; defensive `?.` there is fine.
    files: ['test/**/*.ts'],
    // An index read cast in a test is an assertion on its own fixture: a wrong one fails the test.
    rules: { 'max-lines-per-function': 'off', 'max-lines': 'off', '@typescript-eslint/no-unnecessary-condition': 'off', 'no-restricted-syntax': 'off' },
  },
  {
    files: ['server/src/convert/convert.ts'],
    rules: { 'max-lines-per-function': 'off', 'max-lines': 'off' },
  },
);
