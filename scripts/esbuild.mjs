// Two bundles (client, server) plus the CLI, from one esbuild run.
// --production: minified, no source maps. --watch: rebuild on change.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors in the form VS Code's $esbuild-watch problem matcher reads. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    if (!watch) return;
    if (!watch) {
      build.onEnd((result) => { for (const { text, location } of result.errors) console.error(`✘ [ERROR] ${text}` + (location ? ` ${location.file}:${location.line}:${location.column}` : '')); });
      return;
    }
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

/**
 * Node built-ins the server's libraries require at load time but use only on paths a
 * language server over stdio or IPC never takes (vscode-jsonrpc's random pipe names,
 * vscode-languageserver's global module lookup). A proxy loads the real module on first
 * use: `crypto` alone costs several ms of every start-up.
 */
const LAZY_BUILTINS = ['crypto', 'child_process'];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`);
    build.onResolve({ filter }, (args) => (args.namespace === 'lazy-builtin' ? undefined : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `let m; const load = () => (m ??= require(${JSON.stringify('node:' + args.path)}));
module.exports = new Proxy({}, { get: (_, k) => load()[k], has: (_, k) => k in load(), ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, k) => { const d = Object.getOwnPropertyDescriptor(load(), k); return d && { ...d, configurable: true }; } });`,
      loader: 'js',
    }));
  },
};

/**
 * Our modules import values from 'vscode-languageserver' (a CommonJS module that re-exports
 * several hundred names). esbuild wraps a CommonJS import in `__toESM`, which copies every
 * export, once per importing module: five copies cost ~4 ms of every start-up. One ES
 * module re-exports it instead, so the copy is made once.
 */
const oneLanguageServerImport = {
  name: 'one-languageserver-import',
  setup(build) {
    build.onResolve({ filter: /^vscode-languageserver(\/node)?$/ }, (args) =>
      args.namespace === 'lsp-shim' ? undefined : { path: 'vscode-languageserver', namespace: 'lsp-shim' });
    build.onLoad({ filter: /.*/, namespace: 'lsp-shim' }, () => ({ contents: "export * from 'vscode-languageserver/node';", loader: 'js', resolveDir: process.cwd() }));
  },
};

/**
 * Libraries the server loads only on first use (dls.ts, compose.ts, sources.ts require them
 * lazily; sources.ts, jsonc-parser) go in bundles of their own next to server-main.js: reading,
 * compiling and running them at every start cost ~6 ms (jsonc-parser alone allocates 0.5 MB of
 * indentation strings when it loads) for code a session may never run.
 */
const SPLIT = { 'dockerfile-language-service': 'server-dls.js', yaml: 'server-yaml.js', 'jsonc-parser': 'server-jsonc.js' };
const splitLibraries = {
  name: 'split-libraries',
  setup(build) {
    const filter = new RegExp(`^(${Object.keys(SPLIT).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: `./${SPLIT[args.path]}`, external: true }));
  },
};

/**
 * The server is two bundles: dist/server-main.js (start-up: vscode-languageserver, the stdio
 * framing and the `initialize` answer) and dist/server-engine.js (everything else, loaded by
 * main.ts once `initialize` is answered, each with its own code cache). A bare
 * vscode-languageserver server starts in 1.27–1.28 × `node -e 0` on the bench machine, ours
 * took 1.31–1.35 × with the whole server in one bundle.
 * - In the start-up bundle, main.ts's `require('./engine')` (the tsc build's path) is the engine bundle.
 * - In the engine bundle, vscode-languageserver (and its types) is the start-up bundle's copy,
 *   which main.ts hands to it: one copy of the library, made once.
 */
const engineOutside = {
  name: 'engine-outside',
  setup(build) {
    build.onResolve({ filter: /^\.\/engine$/ }, (args) => (args.importer.endsWith('main.ts') ? { path: './server-engine.js', external: true } : undefined));
  },
};
const sharedLanguageServer = {
  name: 'shared-languageserver',
  setup(build) {
    build.onResolve({ filter: /^vscode-languageserver(\/node|-types)?$/ }, () => ({ path: 'vscode-languageserver', external: true }));
  },
};

/**
 * The two server bundles that bundle.ts runs from a code cache are written already wrapped as a
 * CommonJS module function: V8 compiles the file's text as it is read. Wrapping it at run time
 * (`Module.wrap`: a concatenation V8 must copy into one flat string before it compiles) copied
 * each bundle once more on every start: the engine's 230 KB, 1.5–2 ms of the first open (fresh
 * memory; `new Script` with its cache 3.8–6.7 → 2.7–3.0 ms, five fresh processes each). The
 * text is exactly `Module.wrap`'s, so a bundle.ts that wraps (an older launcher) would not work
 * with it: the launcher and its bundles ship together in dist/.
 */
const WRAP_OPEN = '(function (exports, require, module, __filename, __dirname) { ';
const WRAP_CLOSE = '\n});';
const wrapped = { banner: { js: WRAP_OPEN }, footer: { js: WRAP_CLOSE } };

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [problemMatcher],
  // jsonc-parser's UMD build requires its modules dynamically, which a bundle cannot follow: use its ES build.
  alias: { 'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js' },
};

const builds = [
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  { ...common, ...wrapped, entryPoints: ['server/src/main.ts'], outfile: 'dist/server-main.js', plugins: [...common.plugins, engineOutside, lazyBuiltins, oneLanguageServerImport, splitLibraries] },
  { ...common, ...wrapped, entryPoints: ['server/src/engine.ts'], outfile: 'dist/server-engine.js', plugins: [...common.plugins, sharedLanguageServer, lazyBuiltins, splitLibraries] },
  ...Object.entries(SPLIT).map(([lib, out]) => ({ ...common, entryPoints: [lib], outfile: `dist/${out}` })),
  // The entry users and editors run: loads server-main.js through a V8 code cache.
  { ...common, entryPoints: ['server/src/launcher.ts'], outfile: 'dist/server.js', banner: { js: '#!/usr/bin/env node' }, external: ['./server-main.js'] },
  // The general (dockerfile-utils) checks run in a worker thread (server/src/server/generalWorker.ts).
  { ...common, entryPoints: ['server/src/generalWorkerMain.ts'], outfile: 'dist/general-worker.js' },
  { ...common, entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The stage graph webview: a browser script (dagre bundled in; no remote resources).
  { ...common, entryPoints: ['client/src/graph/webview.ts'], outfile: 'dist/graph.js', platform: 'browser', target: 'es2020', format: 'iife' },
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
