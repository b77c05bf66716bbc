/**
 * dist/server.js: starts the language server's start-up bundle (dist/server-main.js) from a
 * V8 code cache (bundle.ts), with V8's interrupt budget raised. A cache that is missing,
 * unreadable or stale is no error (bundle.ts runs the bundle without it and writes a new one);
 * server-main.js is written wrapped as a module function, so it is run by bundle.ts, never by `require`.
 */
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runBundle } from './bundle';

/**
 * V8 sends a function to its optimizing compiler once it has run a few times its "interrupt
 * budget" of bytecode (66 KB by default). Opening a large Dockerfile runs the scanner's
 * functions that much within milliseconds, so dozens of them are compiled at once, on a
 * background thread that on a small machine (2 cores: the bench's and CI's) competes with the
 * parse it is meant to speed up: the first parse of a 2,400-line file took 40 ms, 25 ms with the
 * optimizer kept out (in a fresh process, median of 11), and of a 25,000-line file 200 → 158 ms.
 * An eight times larger budget keeps the compiler for code that stays hot: a keystroke's
 * re-parse and the other requests reach their optimised speed after a few more calls
 * (`npm run bench`: didChange and documentSymbol medians unchanged). A plain runtime flag,
 * read whenever a function's budget is renewed; DOCKERFILE_STAGES_V8_DEFAULTS=1 leaves V8 as is.
 */
function tuneEngine(): void {
  if (process.env['DOCKERFILE_STAGES_V8_DEFAULTS'] === '1') return;
  setFlagsFromString('--interrupt-budget=524288');
}

const main = join(__dirname, 'server-main.js');

tuneEngine();
runBundle(main);
