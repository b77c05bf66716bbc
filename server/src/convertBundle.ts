/**
 * The converter (features/convert.ts and convert/) as a bundle of its own, dist/server-convert.js,
 * loaded with its own V8 code cache (bundle.ts) the first time the server needs it: the toolchain
 * finding of a single-stage Dockerfile, or a code-action request. It is a third of the engine's
 * code, and a multi-stage file's open never runs it: out of the engine bundle, the engine reads,
 * compiles and runs that much less before a file's first diagnostics (`npm run bench`).
 *
 * In the engine bundle, the imports of features/convert.ts (from features/diagnostics.ts and
 * server/routes.ts) resolve to functions that call `loadConvert()` (scripts/esbuild.mjs,
 * `lazyConvert`). The converter reads the stage model and the protocol as the engine's own
 * modules, handed to it here (`SHARED`), so there is one copy of each in the process.
 * The tsc build (out/) imports features/convert.ts directly and never calls this.
 */
import { join } from 'node:path';
import * as lspTypes from 'vscode-languageserver-types';
import { runBundle } from './bundle';
import type * as Convert from './features/convert';
import * as checks from './model/checks';
import * as expand from './model/expand';
import * as model from './model/model';
import * as text from './model/text';
import * as protocol from './protocol';

/**
 * What the converter bundle requires from the engine, by the ids its build gives them
 * (`engine:<path under server/src>`; the build refuses any other engine module).
 */
const SHARED: Readonly<Record<string, unknown>> = {
  'engine:model/checks': checks,
  'engine:model/expand': expand,
  'engine:model/model': model,
  'engine:model/text': text,
  'engine:protocol': protocol,
  'vscode-languageserver-types': lspTypes,
};

let loaded: typeof Convert | undefined;

/** The converter, loaded on first call from dist/server-convert.js beside the engine bundle. */
export function loadConvert(): typeof Convert {
  loaded ??= runBundle(join(__dirname, 'server-convert.js'), { require: (id, own) => (id in SHARED ? SHARED[id] : (own(id) as unknown)) }) as typeof Convert;
  return loaded;
}
