#!/usr/bin/env node
// lspbench.mjs — small, reusable benchmark harness for stdio language servers.
//
// One server, one file:
//   node lspbench.mjs --server "node /path/to/server.js --stdio" --file X.Dockerfile \
//     --requests symbols,diagnostics,codeLens,inlayHint,codeAction,hover,definition,completion --iterations 20
//
// Side by side (servers are interleaved A,B,A,B... per file and repeat, so machine noise hits both alike):
//   node lspbench.mjs --server "node anchor/server.js --stdio" --name anchor \
//                     --server "node new/server.js --stdio"    --name new \
//                     --file a.Dockerfile --file b.Dockerfile --repeat 3 --iterations 20 \
//                     --out results.json --md results.md
//
// Cold start only (spawn -> initialize result -> shutdown, K times per server):
//   node lspbench.mjs --server "..." --cold-starts 20
//
// Per (server, file, repeat) run it measures, in a fresh server process:
//   * spawn -> initialize response (process start + module load + initialize handling)
//   * didOpen -> first textDocument/publishDiagnostics for the file
//   * per request type: median / p95 latency over --iterations x positions (after --warmup iterations)
//     positions come from the file text: FROM lines (first/middle/last, on the stage name),
//     COPY --from lines (first/middle/last, on the referenced stage), RUN --mount ...from= (last).
//   * didChange (one-character typing edit in a mid-file RUN line, alternately inserted and removed,
//     incremental or full sync as the server announces) -> next publishDiagnostics
//   * didChange -> documentSymbol response (catches servers that re-parse lazily on request)
//   * peak RSS of the server process (VmHWM from /proc/<pid>/status, also summed over its process tree)
// Requests the server does not advertise (statically or via client/registerCapability) are 'unsupported'.
// With --repeat R each metric is reported as the median across the R runs.
//
// Provenance: copied from the project's shared benchmark harness (/work/shared/bench/lspbench.mjs,
// lspbench 0.1.0, the tool behind the anchor numbers in that folder's BASELINE.md) so that
// `npm run bench` works in any clone. Local changes, all marked "local change":
//   * --floor: with --cold-starts K, also time `node -e 0` spawn -> exit K times, round-robin with the
//     servers, reported as an extra cold-start entry named 'node -e 0 (floor)'.
//   * --max-timeouts N: stop sending a request type in a run after N timeouts of it (default 0 = never),
//     so a server that hangs on one request type costs N x --timeout-ms per run, not iterations x positions.
// Everything else is unchanged; keep it that way so results stay comparable with BASELINE.md.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { resolve, basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, CancellationTokenSource } from 'vscode-jsonrpc/node.js';

const VERSION = '0.1.0';
const ALL_REQUESTS = ['symbols', 'diagnostics', 'codeLens', 'inlayHint', 'codeAction', 'hover', 'definition', 'references',
  'highlight', 'completion', 'signatureHelp', 'foldingRange', 'semanticTokens', 'formatting', 'documentLink',
  'prepareRename', 'rename', 'selectionRange'];
const DEFAULT_REQUESTS = 'symbols,diagnostics,codeLens,inlayHint,codeAction,hover,definition,completion';

// ---------------------------------------------------------------- CLI
function usage() {
  return `usage: node lspbench.mjs --server "CMD ARGS" [--name N] [--server ... --name ...] --file F [--file ...]
  --requests LIST      comma list (default ${DEFAULT_REQUESTS}); 'all' = ${ALL_REQUESTS.join(',')}
  --iterations N       measured iterations per request type (default 10); each iteration visits every position
  --warmup N           unmeasured iterations first (default 1)
  --changes N          didChange edits to time (default = iterations)
  --repeat R           fresh server process per (server, file) R times; report medians across runs (default 1)
  --positions L:C,...  explicit 0-based positions instead of the automatic FROM / COPY --from ones
  --language-id ID     languageId for didOpen (default dockerfile)
  --timeout-ms MS      per request / per diagnostics wait (default 30000)
  --cold-starts K      only measure spawn -> initialize result K times per server (no file needed)
  --floor              with --cold-starts: also time 'node -e 0' spawn -> exit K times, round-robin (local change)
  --max-timeouts N     stop sending a request type in a run after N timeouts of it (default 0 = never; local change)
  --cwd DIR            working directory for the server processes
  --out FILE           write full JSON there (default: print JSON to stdout only with --json)
  --md FILE            write the summary as a markdown table
  --json               print the JSON to stdout instead of the table
  --verbose            log progress and server stderr to stderr`;
}

function parseArgs(argv) {
  const o = { servers: [], names: [], files: [], requests: DEFAULT_REQUESTS, iterations: 10, warmup: 1, changes: null,
    repeat: 1, positions: null, languageId: 'dockerfile', timeoutMs: 30000, coldStarts: 0, cwd: process.cwd(),
    out: null, md: null, json: false, verbose: false, floor: false, maxTimeouts: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`); return argv[++i]; };
    switch (a) {
      case '--server': o.servers.push(next()); break;
      case '--name': o.names.push(next()); break;
      case '--file': o.files.push(next()); break;
      case '--requests': o.requests = next(); break;
      case '--iterations': o.iterations = int(next(), a); break;
      case '--warmup': o.warmup = int(next(), a, 0); break;
      case '--changes': o.changes = int(next(), a, 0); break;
      case '--repeat': o.repeat = int(next(), a); break;
      case '--positions': o.positions = next(); break;
      case '--language-id': o.languageId = next(); break;
      case '--timeout-ms': o.timeoutMs = int(next(), a); break;
      case '--cold-starts': o.coldStarts = int(next(), a); break;
      case '--cwd': o.cwd = next(); break;
      case '--floor': o.floor = true; break; // local change
      case '--max-timeouts': o.maxTimeouts = int(next(), a, 0); break; // local change
      case '--out': o.out = next(); break;
      case '--md': o.md = next(); break;
      case '--json': o.json = true; break;
      case '--verbose': case '-v': o.verbose = true; break;
      case '--help': case '-h': console.log(usage()); process.exit(0);
      default: throw new Error(`unknown argument ${a}\n${usage()}`);
    }
  }
  if (!o.servers.length) throw new Error(`--server is required\n${usage()}`);
  if (!o.coldStarts && !o.files.length) throw new Error(`--file is required (or --cold-starts K)\n${usage()}`);
  if (o.names.length > o.servers.length) throw new Error('more --name than --server');
  o.requests = o.requests === 'all' ? [...ALL_REQUESTS] : o.requests.split(',').map((s) => s.trim()).filter(Boolean);
  for (const r of o.requests) if (!ALL_REQUESTS.includes(r)) throw new Error(`unknown request type '${r}' (known: ${ALL_REQUESTS.join(',')})`);
  if (o.changes === null) o.changes = o.iterations;
  return o;
}
function int(v, name, min = 1) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} needs an integer >= ${min}, got '${v}'`);
  return n;
}

// Split a command line like a POSIX shell would for the simple cases (quotes, backslash escapes).
// No shell is involved, so the spawned pid is the server itself (needed for /proc RSS readings).
export function splitCommand(cmd) {
  const out = []; let cur = ''; let q = null; let has = false;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i];
    if (q === "'") { if (c === "'") q = null; else cur += c; continue; }
    if (q === '"') {
      if (c === '"') q = null;
      else if (c === '\\' && i + 1 < cmd.length && '"\\$`'.includes(cmd[i + 1])) cur += cmd[++i];
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') { q = c; has = true; continue; }
    if (c === '\\' && i + 1 < cmd.length) { cur += cmd[++i]; has = true; continue; }
    if (/\s/.test(c)) { if (has || cur) { out.push(cur); cur = ''; has = false; } continue; }
    cur += c; has = true;
  }
  if (q) throw new Error(`unterminated quote in server command: ${cmd}`);
  if (has || cur) out.push(cur);
  return out;
}

// ---------------------------------------------------------------- stats
const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  const a = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((x, y) => x - y);
  if (!a.length) return null;
  if (a.length === 1) return a[0];
  // nearest-rank for p95 (conservative), interpolated median
  if (q === 0.5) { const m = a.length / 2; return a.length % 2 ? a[Math.floor(m)] : (a[m - 1] + a[m]) / 2; }
  return a[Math.min(a.length - 1, Math.ceil(q * a.length) - 1)];
}
const round = (x, d = 2) => (x === null || x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d);

// ---------------------------------------------------------------- /proc
function procStatus(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const get = (k) => { const m = s.match(new RegExp(`^${k}:\\s+(\\d+)\\s*kB`, 'm')); return m ? Number(m[1]) : null; };
    return { vmHWMkB: get('VmHWM'), vmRSSkB: get('VmRSS') };
  } catch { return null; }
}
function procTree(root) {
  const children = new Map();
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (!children.has(ppid)) children.set(ppid, []);
        children.get(ppid).push(Number(d));
      } catch { /* raced */ }
    }
  } catch { return [root]; }
  const out = []; const stack = [root];
  while (stack.length) { const p = stack.pop(); out.push(p); for (const c of children.get(p) || []) stack.push(c); }
  return out;
}
function memory(pid) {
  const self = procStatus(pid);
  let treeHWM = 0; let n = 0;
  for (const p of procTree(pid)) { const s = procStatus(p); if (s && s.vmHWMkB) { treeHWM += s.vmHWMkB; n++; } }
  return { vmHWMkB: self?.vmHWMkB ?? null, vmRSSkB: self?.vmRSSkB ?? null, treeVmHWMkB: treeHWM || null, treeProcs: n };
}

// ---------------------------------------------------------------- client capabilities (broad, VS Code-like)
function clientCapabilities() {
  const kinds = (n) => Array.from({ length: n }, (_, i) => i + 1);
  return {
    workspace: {
      applyEdit: true,
      workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'], failureHandling: 'textOnlyTransactional', normalizesLineEndings: true, changeAnnotationSupport: { groupsOnLabel: true } },
      didChangeConfiguration: { dynamicRegistration: true },
      didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
      symbol: { dynamicRegistration: false, symbolKind: { valueSet: kinds(26) } },
      executeCommand: { dynamicRegistration: false },
      configuration: true,
      workspaceFolders: true,
      semanticTokens: { refreshSupport: true },
      codeLens: { refreshSupport: true },
      inlayHint: { refreshSupport: true },
      diagnostics: { refreshSupport: true },
    },
    textDocument: {
      synchronization: { dynamicRegistration: false, willSave: true, willSaveWaitUntil: true, didSave: true },
      completion: {
        dynamicRegistration: false, contextSupport: true,
        completionItem: { snippetSupport: true, commitCharactersSupport: true, documentationFormat: ['markdown', 'plaintext'], deprecatedSupport: true, preselectSupport: true, tagSupport: { valueSet: [1] }, insertReplaceSupport: true, resolveSupport: { properties: ['documentation', 'detail', 'additionalTextEdits'] }, insertTextModeSupport: { valueSet: [1, 2] }, labelDetailsSupport: true },
        completionItemKind: { valueSet: kinds(25) }, insertTextMode: 2,
        completionList: { itemDefaults: ['commitCharacters', 'editRange', 'insertTextFormat', 'insertTextMode', 'data'] },
      },
      hover: { dynamicRegistration: false, contentFormat: ['markdown', 'plaintext'] },
      signatureHelp: { dynamicRegistration: false, contextSupport: true, signatureInformation: { documentationFormat: ['markdown', 'plaintext'], parameterInformation: { labelOffsetSupport: true }, activeParameterSupport: true } },
      declaration: { dynamicRegistration: false, linkSupport: true },
      definition: { dynamicRegistration: false, linkSupport: true },
      typeDefinition: { dynamicRegistration: false, linkSupport: true },
      implementation: { dynamicRegistration: false, linkSupport: true },
      references: { dynamicRegistration: false },
      documentHighlight: { dynamicRegistration: false },
      documentSymbol: { dynamicRegistration: false, hierarchicalDocumentSymbolSupport: true, symbolKind: { valueSet: kinds(26) }, tagSupport: { valueSet: [1] }, labelSupport: true },
      codeAction: {
        dynamicRegistration: false, isPreferredSupport: true, disabledSupport: true, dataSupport: true, honorsChangeAnnotations: false,
        resolveSupport: { properties: ['edit'] },
        codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.extract', 'refactor.inline', 'refactor.rewrite', 'source', 'source.organizeImports', 'source.fixAll'] } },
      },
      codeLens: { dynamicRegistration: false },
      formatting: { dynamicRegistration: false },
      rangeFormatting: { dynamicRegistration: false },
      onTypeFormatting: { dynamicRegistration: false },
      rename: { dynamicRegistration: false, prepareSupport: true, prepareSupportDefaultBehavior: 1, honorsChangeAnnotations: true },
      documentLink: { dynamicRegistration: false, tooltipSupport: true },
      colorProvider: { dynamicRegistration: false },
      foldingRange: { dynamicRegistration: false, rangeLimit: 5000, lineFoldingOnly: true, foldingRangeKind: { valueSet: ['comment', 'imports', 'region'] } },
      selectionRange: { dynamicRegistration: false },
      publishDiagnostics: { relatedInformation: true, versionSupport: true, tagSupport: { valueSet: [1, 2] }, codeDescriptionSupport: true, dataSupport: true },
      semanticTokens: {
        dynamicRegistration: false, requests: { range: true, full: { delta: true } },
        tokenTypes: ['namespace', 'type', 'class', 'enum', 'interface', 'struct', 'typeParameter', 'parameter', 'variable', 'property', 'enumMember', 'event', 'function', 'method', 'macro', 'keyword', 'modifier', 'comment', 'string', 'number', 'regexp', 'operator', 'decorator'],
        tokenModifiers: ['declaration', 'definition', 'readonly', 'static', 'deprecated', 'abstract', 'async', 'modification', 'documentation', 'defaultLibrary'],
        formats: ['relative'], overlappingTokenSupport: false, multilineTokenSupport: false, serverCancelSupport: true, augmentsSyntaxTokens: true,
      },
      linkedEditingRange: { dynamicRegistration: false },
      callHierarchy: { dynamicRegistration: false },
      typeHierarchy: { dynamicRegistration: false },
      inlineValue: { dynamicRegistration: false },
      inlayHint: { dynamicRegistration: false, resolveSupport: { properties: ['tooltip', 'textEdits', 'label.tooltip', 'label.location', 'label.command'] } },
      diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false },
    },
    window: { workDoneProgress: true, showMessage: { messageActionItem: { additionalPropertiesSupport: true } }, showDocument: { support: true } },
    general: { staleRequestSupport: { cancel: true, retryOnContentModified: [] }, regularExpressions: { engine: 'ECMAScript', version: 'ES2020' }, markdown: { parser: 'marked', version: '1.1.0' }, positionEncodings: ['utf-16'] },
  };
}

// ---------------------------------------------------------------- request table
// cap: server capability key; method: LSP method (also matched against dynamic registrations);
// pos: whether the request is per position; params(ctx, p) builds params; size(result) summarises the result.
const len = (x) => (Array.isArray(x) ? x.length : x ? 1 : 0);
const REQ = {
  symbols: { method: 'textDocument/documentSymbol', cap: 'documentSymbolProvider', pos: false, params: (c) => ({ textDocument: c.td }), size: countSymbols },
  diagnostics: { method: 'textDocument/diagnostic', cap: 'diagnosticProvider', pos: false, params: (c) => ({ textDocument: c.td, identifier: c.caps.diagnosticProvider?.identifier }), size: (r) => (r && r.items ? r.items.length : 0) },
  codeLens: { method: 'textDocument/codeLens', cap: 'codeLensProvider', pos: false, params: (c) => ({ textDocument: c.td }), size: len },
  inlayHint: { method: 'textDocument/inlayHint', cap: 'inlayHintProvider', pos: true, params: (c, p) => ({ textDocument: c.td, range: viewport(c, p) }), size: len },
  codeAction: { method: 'textDocument/codeAction', cap: 'codeActionProvider', pos: true, params: (c, p) => ({ textDocument: c.td, range: { start: p.pos, end: p.pos }, context: { diagnostics: c.diagsOnLine(p.pos.line), triggerKind: 2 } }), size: len },
  hover: { method: 'textDocument/hover', cap: 'hoverProvider', pos: true, params: (c, p) => ({ textDocument: c.td, position: p.pos }), size: (r) => (r && r.contents ? 1 : 0) },
  definition: { method: 'textDocument/definition', cap: 'definitionProvider', pos: true, params: (c, p) => ({ textDocument: c.td, position: p.pos }), size: len },
  references: { method: 'textDocument/references', cap: 'referencesProvider', pos: true, params: (c, p) => ({ textDocument: c.td, position: p.pos, context: { includeDeclaration: true } }), size: len },
  highlight: { method: 'textDocument/documentHighlight', cap: 'documentHighlightProvider', pos: true, params: (c, p) => ({ textDocument: c.td, position: p.pos }), size: len },
  completion: { method: 'textDocument/completion', cap: 'completionProvider', pos: true, params: (c, p) => ({ textDocument: c.td, position: p.completionPos, context: { triggerKind: 1 } }), size: (r) => (Array.isArray(r) ? r.length : r && r.items ? r.items.length : 0) },
  signatureHelp: { method: 'textDocument/signatureHelp', cap: 'signatureHelpProvider', pos: true, params: (c, p) => ({ textDocument: c.td, position: p.pos, context: { triggerKind: 1, isRetrigger: false } }), size: (r) => (r && r.signatures ? r.signatures.length : 0) },
  foldingRange: { method: 'textDocument/foldingRange', cap: 'foldingRangeProvider', pos: false, params: (c) => ({ textDocument: c.td }), size: len },
  semanticTokens: { method: 'textDocument/semanticTokens/full', regMethod: 'textDocument/semanticTokens', cap: 'semanticTokensProvider', capCheck: (v) => !!(v && v.full), pos: false, params: (c) => ({ textDocument: c.td }), size: (r) => (r && r.data ? r.data.length / 5 : 0) },
  formatting: { method: 'textDocument/formatting', cap: 'documentFormattingProvider', pos: false, params: (c) => ({ textDocument: c.td, options: { tabSize: 4, insertSpaces: true, trimTrailingWhitespace: true, insertFinalNewline: true } }), size: len },
  documentLink: { method: 'textDocument/documentLink', cap: 'documentLinkProvider', pos: false, params: (c) => ({ textDocument: c.td }), size: len },
  prepareRename: { method: 'textDocument/prepareRename', regMethod: 'textDocument/rename', cap: 'renameProvider', capCheck: (v) => !!(v && typeof v === 'object' && v.prepareProvider), pos: true, params: (c, p) => ({ textDocument: c.td, position: p.pos }), size: (r) => (r ? 1 : 0) },
  rename: { method: 'textDocument/rename', cap: 'renameProvider', pos: true, params: (c, p) => ({ textDocument: c.td, position: p.pos, newName: 'renamed-stage' }), size: countEdits },
  selectionRange: { method: 'textDocument/selectionRange', cap: 'selectionRangeProvider', pos: true, params: (c, p) => ({ textDocument: c.td, positions: [p.pos] }), size: len },
};
function countSymbols(r) {
  if (!Array.isArray(r)) return 0;
  let n = 0; const stack = [...r];
  while (stack.length) { const s = stack.pop(); n++; if (Array.isArray(s.children)) stack.push(...s.children); }
  return n;
}
function countEdits(r) {
  if (!r) return 0;
  let n = 0;
  for (const v of Object.values(r.changes || {})) n += v.length;
  for (const dc of r.documentChanges || []) n += dc.edits ? dc.edits.length : 1;
  return n;
}
function viewport(c, p) { // what an editor would ask inlay hints for: ~60 visible lines around the position
  const start = Math.max(0, p.pos.line - 30);
  const end = Math.min(c.lines.length - 1, p.pos.line + 30);
  return { start: { line: start, character: 0 }, end: { line: end, character: c.lines[end].length } };
}

// ---------------------------------------------------------------- positions from the file text
const KEYWORDS = ['from', 'run', 'cmd', 'label', 'maintainer', 'expose', 'env', 'add', 'copy', 'entrypoint', 'volume', 'user', 'workdir', 'arg', 'onbuild', 'stopsignal', 'healthcheck', 'shell'];
export function findPositions(text) {
  const lines = text.split(/\r?\n/);
  const froms = []; const copies = []; const mounts = []; const runs = []; const lint = [];
  let heredoc = null; // terminator word while inside a heredoc body
  let continued = false; // previous line ended with a line continuation
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (heredoc) { if (l.trim() === heredoc) heredoc = null; continue; }
    const startOfInstruction = !continued;
    continued = /\\\s*$/.test(l) && !/^\s*#/.test(l);
    let m;
    if ((m = /[,\s]from=([^,\s\\]+)/.exec(l)) && /--mount=/.test(l)) mounts.push(tokenPos(i, m.index + m[0].indexOf('=') + 1, m[1], 'RUN --mount from'));
    const hd = /<<-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?/.exec(l);
    if (hd && !continued) heredoc = hd[1];
    if (!startOfInstruction) continue;
    if ((m = /^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(l))) {
      const tok = m[2] || m[1];
      const col = m[2] ? l.lastIndexOf(m[2]) : l.indexOf(m[1], l.search(/FROM/i) + 4);
      froms.push(tokenPos(i, col, tok, 'FROM'));
    }
    if ((m = /^\s*COPY\s.*?--from=(\S+)/i.exec(l))) copies.push(tokenPos(i, l.indexOf('--from=') + 7, m[1], 'COPY --from'));
    // edit candidates: shell-form RUN whose command starts with a letter (no heredoc, exec form or --mount)
    if (/^\s*RUN\s+[A-Za-z]/i.test(l) && !hd) runs.push(i);
    // lint candidates: instruction keyword written in lower case (most linters warn; gives codeAction work)
    if ((m = /^(\s*)([a-z]+)\s/.exec(l)) && KEYWORDS.includes(m[2])) lint.push(tokenPos(i, m[1].length, m[2], 'lowercase keyword'));
  }
  const pick3 = (arr, tag) => {
    if (!arr.length) return [];
    const idx = [...new Set([0, Math.floor((arr.length - 1) / 2), arr.length - 1])];
    return idx.map((k, j) => ({ ...arr[k], label: `${tag}[${['first', 'mid', 'last'][idx.length === 1 ? 0 : idx.length === 2 ? j * 2 : j]}]` }));
  };
  const positions = [...pick3(froms, 'FROM'), ...pick3(copies, 'COPY--from'),
    ...(mounts.length ? [{ ...mounts[mounts.length - 1], label: 'mount-from[last]' }] : []),
    ...(lint.length ? [{ ...lint[Math.floor((lint.length - 1) / 2)], label: 'lowercase-kw[mid]' }] : [])];
  // edit site for didChange: right after 'RUN ' on the RUN line nearest the middle of the file
  // (fallback: the end of a comment line that is not line 0, which may be a parser directive; else the end of the file)
  const nearestMid = (arr) => arr.reduce((best, r) => (Math.abs(r - lines.length / 2) < Math.abs(best - lines.length / 2) ? r : best), arr[0]);
  let edit;
  if (runs.length) { const l = nearestMid(runs); edit = { line: l, character: lines[l].search(/RUN/i) + 4 }; } else {
    const comments = lines.map((l, i) => (i > 0 && /^\s*#/.test(l) ? i : -1)).filter((i) => i >= 0);
    const l = comments.length ? nearestMid(comments) : lines.length - 1;
    edit = { line: l, character: lines[l].length };
  }
  return { lines, positions, edit };
}
function tokenPos(line, col, tok, kind) {
  return { kind, token: tok, pos: { line, character: col + Math.floor(tok.length / 2) }, completionPos: { line, character: col + tok.length } };
}
function parsePositions(spec, lines) {
  return spec.split(',').map((s, i) => {
    const [l, c] = s.split(':').map(Number);
    if (!(l >= 0) || !(c >= 0) || l >= lines.length) throw new Error(`bad position ${s}`);
    return { kind: 'explicit', token: '', label: `pos${i}(${l}:${c})`, pos: { line: l, character: c }, completionPos: { line: l, character: c } };
  });
}

// ---------------------------------------------------------------- one server session
function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([promise, new Promise((_, rej) => { t = setTimeout(() => rej(Object.assign(new Error(`timeout after ${ms} ms: ${what}`), { timeout: true })), ms); })])
    .finally(() => clearTimeout(t));
}

class Session {
  constructor(cmd, opts) { this.cmd = cmd; this.opts = opts; this.diagWaiters = []; this.lastDiags = new Map(); this.registrations = new Set(); this.stderr = ''; this.exit = null; this.notifications = {}; }

  async start() {
    const [exe, ...args] = splitCommand(this.cmd);
    this.t0 = performance.now();
    this.child = spawn(exe, args, { cwd: this.opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    this.exited = new Promise((res) => this.child.on('exit', (code, signal) => { this.exit = { code, signal, atMs: performance.now() - this.t0 }; res(this.exit); }));
    this.child.on('error', (e) => { this.spawnError = e; });
    // fail cleanly when the command cannot be started (ENOENT, EACCES) instead of writing to a dead pipe
    await new Promise((res, rej) => { this.child.once('spawn', res); this.child.once('error', (e) => rej(new Error(`cannot start server '${this.cmd}': ${e.message}`))); });
    this.child.stderr.on('data', (d) => { this.stderr = (this.stderr + d).slice(-4000); if (this.opts.verbose) process.stderr.write(`[server] ${d}`); });
    this.child.stdin.on('error', () => {});
    const conn = createMessageConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.conn = conn;
    conn.onRequest('workspace/configuration', (p) => (p.items || []).map(() => null));
    conn.onRequest('client/registerCapability', (p) => { for (const r of p.registrations || []) this.registrations.add(r.method); return null; });
    conn.onRequest('client/unregisterCapability', (p) => { for (const r of p.unregisterations || p.unregistrations || []) this.registrations.delete(r.method); return null; });
    conn.onRequest('workspace/workspaceFolders', () => [{ uri: pathToFileURL(this.opts.cwd).href, name: basename(this.opts.cwd) }]);
    conn.onRequest('workspace/applyEdit', () => ({ applied: false, failureReason: 'benchmark client' }));
    conn.onRequest((method) => { this.notifications[`request:${method}`] = (this.notifications[`request:${method}`] || 0) + 1; return null; });
    conn.onNotification('textDocument/publishDiagnostics', (p) => this.onDiagnostics(p));
    conn.onNotification((method) => { this.notifications[method] = (this.notifications[method] || 0) + 1; });
    conn.onError(() => {});
    conn.onClose(() => { this.closed = true; for (const w of this.diagWaiters) w.reject(new Error('connection closed')); this.diagWaiters = []; });
    conn.listen();
    const init = await withTimeout(Promise.race([
      conn.sendRequest('initialize', {
        processId: process.pid, clientInfo: { name: 'lspbench', version: VERSION }, locale: 'en',
        rootUri: pathToFileURL(this.opts.cwd).href, rootPath: this.opts.cwd,
        workspaceFolders: [{ uri: pathToFileURL(this.opts.cwd).href, name: basename(this.opts.cwd) }],
        capabilities: clientCapabilities(), initializationOptions: {}, trace: 'off',
      }),
      this.exited.then((e) => { throw new Error(`server exited during initialize (code ${e.code}, signal ${e.signal}): ${this.stderr.slice(-500)}`); }),
    ]), this.opts.timeoutMs, 'initialize');
    this.spawnToInitMs = performance.now() - this.t0;
    conn.sendNotification('initialized', {});
    this.init = init;
    this.caps = init.capabilities || {};
    return init;
  }

  onDiagnostics(p) {
    const now = performance.now();
    this.lastDiags.set(p.uri, p.diagnostics || []);
    const keep = [];
    for (const w of this.diagWaiters) {
      if (w.uri === p.uri && (p.version === undefined || p.version === null || w.version === undefined || p.version >= w.version)) w.resolve({ at: now, params: p });
      else keep.push(w);
    }
    this.diagWaiters = keep;
  }
  waitDiagnostics(uri, version) {
    let w;
    const p = new Promise((resolve, reject) => { w = { uri, version, resolve, reject }; });
    this.diagWaiters.push(w);
    return withTimeout(p, this.opts.timeoutMs, `publishDiagnostics for ${uri}`).catch((e) => { this.diagWaiters = this.diagWaiters.filter((x) => x !== w); throw e; });
  }

  supports(name) {
    const r = REQ[name];
    if (this.registrations.has(r.method) || (r.regMethod && this.registrations.has(r.regMethod))) return true;
    const v = this.caps[r.cap];
    if (r.capCheck) return r.capCheck(v);
    return !!v;
  }
  syncKind() {
    const s = this.caps.textDocumentSync;
    if (typeof s === 'number') return s;
    if (s && typeof s === 'object') return s.change ?? 0;
    return 0;
  }

  async request(method, params) {
    const cts = new CancellationTokenSource();
    const t = performance.now();
    try {
      const res = await withTimeout(this.conn.sendRequest(method, params, cts.token), this.opts.timeoutMs, method);
      return { ms: performance.now() - t, result: res };
    } catch (e) {
      if (e.timeout) cts.cancel();
      return { ms: performance.now() - t, error: e.timeout ? 'timeout' : `${e.code ?? ''} ${e.message}`.trim() };
    } finally { cts.dispose(); }
  }

  async stop() {
    if (!this.conn) return { shutdownMs: null, exit: this.exit, killed: false }; // never started
    const t = performance.now();
    let shutdownMs = null;
    if (!this.closed && !this.exit) {
      try { await withTimeout(this.conn.sendRequest('shutdown'), 5000, 'shutdown'); shutdownMs = performance.now() - t; } catch { /* ignore */ }
      try { this.conn.sendNotification('exit'); } catch { /* ignore */ }
    }
    const exited = await Promise.race([this.exited, new Promise((r) => setTimeout(() => r(null), 3000))]);
    if (!exited) { try { this.child.kill('SIGKILL'); } catch { /* ignore */ } await this.exited; }
    try { this.conn.dispose(); } catch { /* ignore */ }
    return { shutdownMs, exit: this.exit, killed: !exited };
  }
}

// ---------------------------------------------------------------- one measured run
async function benchRun(server, file, opts, log) {
  const text = readFileSync(file, 'utf8');
  const uri = pathToFileURL(resolve(file)).href;
  const { lines, positions: autoPositions, edit } = findPositions(text);
  const positions = opts.positions ? parsePositions(opts.positions, lines) : autoPositions;
  if (!positions.length) positions.push({ kind: 'fallback', token: '', label: 'line0', pos: { line: 0, character: 0 }, completionPos: { line: 0, character: 0 } });
  const run = { server: server.name, cmd: server.cmd, file, fileInfo: { lines: lines.length, bytes: Buffer.byteLength(text) }, ok: false };
  const s = new Session(server.cmd, opts);
  try {
    const init = await s.start();
    run.serverInfo = init.serverInfo || null;
    run.spawnToInitMs = s.spawnToInitMs;
    run.syncKind = ['none', 'full', 'incremental'][s.syncKind()] || String(s.syncKind());

    // didOpen -> first diagnostics
    const td = { uri };
    let version = 1;
    const firstDiag = s.waitDiagnostics(uri, undefined);
    const tOpen = performance.now();
    s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: opts.languageId, version, text } });
    try {
      const d = await firstDiag;
      run.openToDiagMs = d.at - tOpen;
      run.diagnostics = summarizeDiags(d.params.diagnostics);
    } catch (e) { run.openToDiagMs = null; run.openToDiagError = e.message; }
    const memAfterOpen = memory(s.pid);
    // give dynamic registrations sent after 'initialized' a moment to land
    await new Promise((r) => setTimeout(r, 50));

    const ctx = {
      td, caps: s.caps, lines,
      diagsOnLine: (line) => (s.lastDiags.get(uri) || []).filter((d) => d.range.start.line <= line && d.range.end.line >= line),
    };
    // requests: for each iteration, each type, each position (interleaved so noise spreads evenly)
    const reqs = {};
    for (const name of opts.requests) {
      reqs[name] = s.supports(name)
        ? { supported: true, samples: [], first: null, errors: 0, timeouts: 0, errorSample: null, resultSizes: [], perPosition: {} }
        : { supported: false };
    }
    const total = opts.warmup + opts.iterations;
    for (let it = 0; it < total; it++) {
      for (const name of opts.requests) {
        const r = reqs[name];
        if (!r.supported) continue;
        const def = REQ[name];
        const pts = def.pos ? positions : [null];
        for (const p of pts) {
          if (opts.maxTimeouts && r.timeouts >= opts.maxTimeouts) { r.gaveUp = true; break; } // local change
          const res = await s.request(def.method, def.params(ctx, p));
          if (s.exit) throw new Error(`server exited during ${name} (code ${s.exit.code}, signal ${s.exit.signal}): ${s.stderr.slice(-500)}`);
          if (r.first === null) r.first = res.ms;
          if (res.error) { if (res.error === 'timeout') r.timeouts++; else r.errors++; r.errorSample ??= res.error; }
          if (it < opts.warmup) continue;
          if (!res.error) {
            r.samples.push(res.ms);
            const key = p ? p.label : 'document';
            (r.perPosition[key] ??= []).push(res.ms);
            if (it === opts.warmup) r.resultSizes.push({ at: p ? p.label : 'document', size: def.size(res.result) });
          }
        }
      }
    }
    for (const r of Object.values(reqs)) {
      if (!r.supported) continue;
      r.n = r.samples.length; r.median = median(r.samples); r.p95 = quantile(r.samples, 0.95);
      r.perPosition = Object.fromEntries(Object.entries(r.perPosition).map(([k, v]) => [k, round(median(v), 3)]));
      r.samples = r.samples.map((x) => round(x, 3));
    }
    run.requests = reqs;

    // didChange -> diagnostics, and didChange -> documentSymbol
    const kind = s.syncKind();
    const editLineText = lines[edit.line] || '';
    let cur = text.split(/\r?\n/); // mutable copy of lines for full sync
    const nl = text.includes('\r\n') ? '\r\n' : '\n';
    const change = { kind: run.syncKind, editAt: edit, diagSamples: [], symbolSamples: [], diagTimeouts: 0 };
    if (kind === 0) change.unsupported = true;
    const doEdit = (insert) => {
      version++;
      const line = cur[edit.line];
      cur[edit.line] = insert ? line.slice(0, edit.character) + 'x' + line.slice(edit.character) : line.slice(0, edit.character) + line.slice(edit.character + 1);
      const contentChanges = kind === 2
        ? [insert ? { range: { start: edit, end: edit }, rangeLength: 0, text: 'x' } : { range: { start: edit, end: { line: edit.line, character: edit.character + 1 } }, rangeLength: 1, text: '' }]
        : [{ text: cur.join(nl) }];
      s.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
      return version;
    };
    if (kind !== 0 && editLineText !== undefined) {
      let insert = true;
      const doSymbols = s.supports('symbols');
      for (let i = 0; i < opts.changes + 1; i++) { // first one is warm-up
        const w = s.waitDiagnostics(uri, version + 1);
        const t = performance.now();
        const v = doEdit(insert); insert = !insert;
        try {
          const d = await w;
          if (i > 0) change.diagSamples.push(d.at - t);
          if (i === opts.changes) run.diagnosticsAfterEdits = summarizeDiags(d.params.diagnostics);
        } catch (e) { change.diagTimeouts++; change.diagError = e.message; if (change.diagTimeouts >= 2) { change.gaveUp = 'no publishDiagnostics after didChange (twice); stopped timing edits'; break; } }
        if (s.exit) throw new Error(`server exited after didChange (code ${s.exit.code})`);
        if (doSymbols) {
          // edit, then immediately ask for symbols: includes any lazy re-parse the server does on request
          const w2 = s.waitDiagnostics(uri, v + 1);
          doEdit(insert); insert = !insert;
          const res = await s.request(REQ.symbols.method, { textDocument: td });
          if (i > 0 && !res.error) change.symbolSamples.push(res.ms);
          try { await w2; } catch { change.diagTimeouts++; }
        }
      }
      change.diagMedian = median(change.diagSamples); change.diagP95 = quantile(change.diagSamples, 0.95);
      change.symbolMedian = median(change.symbolSamples); change.symbolP95 = quantile(change.symbolSamples, 0.95);
      change.diagSamples = change.diagSamples.map((x) => round(x, 3));
      change.symbolSamples = change.symbolSamples.map((x) => round(x, 3));
    }
    run.change = change;
    run.memory = memory(s.pid);
    run.memory.vmRSSAfterOpenkB = memAfterOpen.vmRSSkB;
    run.ok = true;
  } catch (e) {
    run.error = e.message;
    if (s.pid) run.memory = memory(s.pid);
  } finally {
    const st = await s.stop();
    run.shutdownMs = st.shutdownMs; run.exit = st.exit; run.killed = st.killed;
    run.stderrTail = s.stderr.slice(-1500);
    run.serverRequests = s.notifications;
    run.positions = positions.map((p) => ({ label: p.label, token: p.token, pos: p.pos }));
  }
  log(`${server.name} ${basename(file)}: ${run.ok ? 'ok' : 'FAILED ' + run.error}`);
  return run;
}

function summarizeDiags(diags) {
  const bySeverity = {};
  for (const d of diags || []) { const k = ['?', 'error', 'warning', 'info', 'hint'][d.severity || 0] || '?'; bySeverity[k] = (bySeverity[k] || 0) + 1; }
  return { count: (diags || []).length, bySeverity };
}

// K cold starts per server, round-robin across servers (A, B, A, B, ...) so noise hits all alike
async function coldStarts(servers, k, opts) {
  const acc = servers.map(() => ({ samples: [], errors: [] }));
  const floor = { samples: [], errors: [] }; // local change: node -e 0 spawn -> exit, same round-robin
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < servers.length; j++) {
      const s = new Session(servers[j].cmd, opts);
      try { await s.start(); acc[j].samples.push(s.spawnToInitMs); } catch (e) { acc[j].errors.push(e.message); }
      await s.stop();
    }
    if (opts.floor) {
      try { floor.samples.push(await nodeFloor(opts)); } catch (e) { floor.errors.push(e.message); }
    }
  }
  const all = opts.floor ? [...servers, { name: 'node -e 0 (floor)', cmd: `${process.execPath} -e 0`, floor: true }] : servers;
  if (opts.floor) acc.push(floor);
  return all.map((server, j) => {
    const { samples, errors } = acc[j];
    return { server: server.name, cmd: server.cmd, ...(server.floor ? { floor: true } : {}), n: samples.length, median: median(samples), p95: quantile(samples, 0.95), min: samples.length ? Math.min(...samples) : null, samples: samples.map((x) => round(x, 2)), errors };
  });
}
// local change: spawn -> exit of a bare `node -e 0` (no shell, same spawn options as a Session)
function nodeFloor(opts) {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['-e', '0'], { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    child.on('error', rej);
    child.on('exit', (code) => (code === 0 ? res(performance.now() - t0) : rej(new Error(`node -e 0 exited with ${code}`))));
  });
}

// ---------------------------------------------------------------- summary / rendering
function summarize(runs, opts) {
  const groups = new Map();
  for (const r of runs) {
    const k = `${r.server}\u0000${r.file}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(r);
  }
  const out = [];
  for (const rs of groups.values()) {
    const ok = rs.filter((r) => r.ok);
    const med = (f) => round(median(ok.map(f).filter((x) => x !== null && x !== undefined)), 2);
    const s = {
      server: rs[0].server, file: rs[0].file, fileInfo: rs[0].fileInfo, runs: rs.length, okRuns: ok.length,
      errors: rs.filter((r) => !r.ok).map((r) => r.error),
      syncKind: ok[0]?.syncKind ?? null,
      spawnToInitMs: med((r) => r.spawnToInitMs),
      openToDiagMs: med((r) => r.openToDiagMs),
      diagnostics: ok[0]?.diagnostics?.count ?? null,
      changeToDiagMedianMs: med((r) => r.change?.diagMedian),
      changeToDiagP95Ms: med((r) => r.change?.diagP95),
      changeToSymbolsMedianMs: med((r) => r.change?.symbolMedian),
      peakRssMB: med((r) => (r.memory?.vmHWMkB ? r.memory.vmHWMkB / 1024 : null)),
      treePeakRssMB: med((r) => (r.memory?.treeVmHWMkB ? r.memory.treeVmHWMkB / 1024 : null)),
      requests: {},
    };
    for (const name of opts.requests) {
      const rr = ok.map((r) => r.requests?.[name]).filter(Boolean);
      if (!rr.length) { s.requests[name] = { status: 'n/a' }; continue; }
      if (!rr[0].supported) { s.requests[name] = { status: 'unsupported' }; continue; }
      const sizes = rr[0].resultSizes.map((x) => x.size);
      s.requests[name] = {
        status: rr.some((r) => r.timeouts) ? 'timeouts' : rr.some((r) => r.errors && !r.n) ? 'error' : 'ok',
        medianMs: round(median(rr.map((r) => r.median)), 3), p95Ms: round(median(rr.map((r) => r.p95)), 3),
        firstMs: round(median(rr.map((r) => r.first)), 3), n: rr[0].n,
        errors: rr.reduce((a, r) => a + r.errors, 0), timeouts: rr.reduce((a, r) => a + r.timeouts, 0), errorSample: rr.find((r) => r.errorSample)?.errorSample,
        ...(rr.some((r) => r.gaveUp) ? { gaveUpRuns: rr.filter((r) => r.gaveUp).length } : {}), // local change (--max-timeouts)
        resultSize: sizes.length ? `${Math.min(...sizes)}..${Math.max(...sizes)}` : '',
        emptyResults: sizes.filter((x) => !x).length, positions: sizes.length,
      };
    }
    out.push(s);
  }
  return out;
}

const f = (x, d = 1) => (x === null || x === undefined ? '—' : Number(x).toFixed(d));
function renderTable(summary, opts) {
  const lines = [];
  for (const s of summary) {
    lines.push(`\n${s.server}  ${basename(s.file)}  (${s.fileInfo.lines} lines, ${(s.fileInfo.bytes / 1024).toFixed(1)} KiB)  runs ok ${s.okRuns}/${s.runs}${s.errors.length ? '  ERRORS: ' + s.errors.join(' | ') : ''}`);
    lines.push(`  spawn→initialize         ${f(s.spawnToInitMs).padStart(9)} ms`);
    lines.push(`  didOpen→diagnostics      ${f(s.openToDiagMs).padStart(9)} ms   (${s.diagnostics ?? '—'} diagnostics)`);
    lines.push(`  didChange→diagnostics    ${f(s.changeToDiagMedianMs).padStart(9)} ms   p95 ${f(s.changeToDiagP95Ms)} ms  (${s.syncKind} sync)`);
    lines.push(`  didChange→symbols        ${f(s.changeToSymbolsMedianMs).padStart(9)} ms`);
    lines.push(`  peak RSS (VmHWM)         ${f(s.peakRssMB).padStart(9)} MB`);
    lines.push(`  ${'request'.padEnd(15)} ${'median ms'.padStart(10)} ${'p95 ms'.padStart(9)} ${'first ms'.padStart(9)} ${'n'.padStart(4)}  result size (empty/positions)`);
    for (const [name, r] of Object.entries(s.requests)) {
      if (r.status === 'unsupported' || r.status === 'n/a') { lines.push(`  ${name.padEnd(15)} ${r.status.padStart(10)}`); continue; }
      const extra = [r.errors ? `${r.errors} errors (${r.errorSample})` : '', r.timeouts ? `${r.timeouts} timeouts` : ''].filter(Boolean).join(', ');
      lines.push(`  ${name.padEnd(15)} ${f(r.medianMs, 2).padStart(10)} ${f(r.p95Ms, 2).padStart(9)} ${f(r.firstMs, 2).padStart(9)} ${String(r.n).padStart(4)}  ${r.resultSize} (${r.emptyResults}/${r.positions})${extra ? '  ' + extra : ''}`);
    }
  }
  return lines.join('\n');
}

// Markdown: one column per (server, file), one row per metric — reads side by side.
function renderMarkdown(summary, opts, cold) {
  const cols = summary.map((s) => `${s.server}<br>${basename(s.file)}`);
  const row = (label, fn) => `| ${label} | ${summary.map(fn).join(' | ')} |`;
  const out = [];
  if (summary.length) {
    out.push(`| metric (median of ${opts.repeat} run(s)) | ${cols.join(' | ')} |`);
    out.push(`|---|${cols.map(() => '---:').join('|')}|`);
    out.push(row('lines / KiB', (s) => `${s.fileInfo.lines} / ${(s.fileInfo.bytes / 1024).toFixed(1)}`));
    out.push(row('spawn→initialize ms', (s) => f(s.spawnToInitMs)));
    out.push(row('didOpen→diagnostics ms', (s) => f(s.openToDiagMs)));
    out.push(row('diagnostics (count)', (s) => s.diagnostics ?? '—'));
    out.push(row('didChange→diagnostics ms (med / p95)', (s) => `${f(s.changeToDiagMedianMs)} / ${f(s.changeToDiagP95Ms)}`));
    out.push(row('didChange→documentSymbol ms', (s) => f(s.changeToSymbolsMedianMs)));
    out.push(row('peak RSS MB (VmHWM)', (s) => f(s.peakRssMB)));
    for (const name of opts.requests) {
      out.push(row(`${name} ms (med / p95)`, (s) => {
        const r = s.requests[name];
        if (!r || r.status === 'unsupported' || r.status === 'n/a') return r ? r.status : '—';
        return `${f(r.medianMs, 2)} / ${f(r.p95Ms, 2)}${r.errors ? ` (${r.errors} err)` : ''}${r.timeouts ? ` (${r.timeouts} t/o)` : ''}`;
      }));
    }
  }
  if (cold && cold.length) {
    if (out.length) out.push('');
    out.push('| cold start (spawn→initialize result) | n | median ms | p95 ms | min ms |');
    out.push('|---|---:|---:|---:|---:|');
    for (const c of cold) out.push(`| ${c.server} | ${c.n} | ${f(c.median)} | ${f(c.p95)} | ${f(c.min)} |`);
  }
  return out.join('\n') + '\n';
}

export function machineInfo() {
  let cpu = os.cpus()[0]?.model || '?';
  return { nproc: os.availableParallelism ? os.availableParallelism() : os.cpus().length, cpu, node: process.version, platform: `${os.type()} ${os.release()} ${os.arch()}`, memTotalMB: Math.round(os.totalmem() / 2 ** 20), loadavg: os.loadavg().map((x) => round(x, 2)) };
}

// ---------------------------------------------------------------- main
async function main() {
  let opts;
  try { opts = parseArgs(process.argv.slice(2)); } catch (e) { console.error(e.message); process.exit(2); }
  const servers = opts.servers.map((cmd, i) => ({ cmd, name: opts.names[i] || defaultName(cmd, i) }));
  for (const file of opts.files) if (!existsSync(file)) { console.error(`no such file: ${file}`); process.exit(2); }
  const log = (m) => { if (opts.verbose) console.error(`[lspbench] ${m}`); };
  const started = new Date().toISOString();
  const machineBefore = machineInfo();

  const cold = [];
  if (opts.coldStarts) { cold.push(...await coldStarts(servers, opts.coldStarts, opts)); log('cold starts done'); }

  const runs = [];
  for (const file of opts.files) {
    for (let rep = 0; rep < opts.repeat; rep++) {
      for (const sv of servers) { const r = await benchRun(sv, file, opts, log); r.repeatIndex = rep; runs.push(r); }
    }
  }
  const summary = summarize(runs, opts);
  const result = { tool: 'lspbench', version: VERSION, started, finished: new Date().toISOString(), machine: { ...machineBefore, loadavgAfter: os.loadavg().map((x) => round(x, 2)) },
    config: { iterations: opts.iterations, warmup: opts.warmup, changes: opts.changes, repeat: opts.repeat, requests: opts.requests, languageId: opts.languageId, timeoutMs: opts.timeoutMs, coldStarts: opts.coldStarts, maxTimeouts: opts.maxTimeouts },
    servers, coldStarts: cold, summary, runs };
  if (opts.out) writeFileSync(opts.out, JSON.stringify(result, null, 1));
  if (opts.md) writeFileSync(opts.md, renderMarkdown(summary, opts, cold));
  if (opts.json) process.stdout.write(JSON.stringify(result, null, 1) + '\n');
  else {
    if (cold.length) for (const c of cold) console.log(`cold start ${c.server}: median ${f(c.median)} ms, p95 ${f(c.p95)} ms, min ${f(c.min)} ms (n=${c.n}${c.errors.length ? ', errors: ' + c.errors[0] : ''})`);
    if (summary.length) console.log(renderTable(summary, opts));
  }
  const failed = runs.filter((r) => !r.ok).length;
  process.exitCode = failed ? 1 : 0;
}
function defaultName(cmd, i) {
  const parts = splitCommand(cmd).filter((p) => !p.startsWith('-'));
  const script = parts.find((p, j) => j > 0 && /[/\\.]/.test(p)) || parts[0] || `server${i}`;
  return basename(script).replace(/\.(c|m)?js$/, '') || `server${i}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main().catch((e) => { console.error(e.stack || e); process.exit(1); });
