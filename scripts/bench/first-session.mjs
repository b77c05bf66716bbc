// A server's first session, as an editor runs it: initialize (with the capabilities an editor
// declares: configuration requests, dynamic registration), initialized, a Dockerfile opened and
// its diagnostics received (the server's requests answered as an editor would), a pause,
// shutdown, exit. The bench runs it once before measuring, so that the V8 code caches the
// server writes beside its bundles (dist/server-main.js.cache, dist/server-engine.js.cache)
// are there, as they are for every start after a user's first. A first session that opened no
// document (as this one did until stop 23) left the open path's handlers, the outgoing requests
// and the diagnostics out of the caches, which no user's first session does.
// The file opened here is small and none of the measured ones: only compiled code is cached.
//   node scripts/bench/first-session.mjs dist/server.js
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const server = process.argv[2];
if (!server) {
  console.error('usage: node scripts/bench/first-session.mjs <server.js>');
  process.exit(2);
}
const frame = (o) => {
  const j = JSON.stringify(o);
  return `Content-Length: ${Buffer.byteLength(j)}\r\n\r\n${j}`;
};
const uri = pathToFileURL(join(tmpdir(), 'first-session', 'Dockerfile')).href;
const text = [
  'FROM golang:1.22 AS build',
  'WORKDIR /src',
  'COPY . .',
  'RUN go build -o /out/app .',
  '',
  'FROM scratch',
  'COPY --from=build /out/app /app',
  'ENTRYPOINT ["/app"]',
  '',
].join('\n');
const capabilities = {
  workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, workspaceFolders: true },
  textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true }, synchronization: { dynamicRegistration: true } },
};

const p = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const send = (o) => p.stdin.write(frame(o));
let buf = Buffer.alloc(0);
let done = false;
/** Splits the server's output into messages. */
function messages() {
  const out = [];
  for (;;) {
    const head = buf.indexOf('\r\n\r\n');
    if (head < 0) break;
    const m = /Content-Length: (\d+)/i.exec(buf.subarray(0, head).toString('latin1'));
    if (!m) throw new Error('first session: a message without Content-Length');
    const end = head + 4 + Number(m[1]);
    if (buf.length < end) break;
    out.push(JSON.parse(buf.subarray(head + 4, end).toString('utf8')));
    buf = buf.subarray(end);
  }
  return out;
}
p.stdout.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  for (const msg of messages()) {
    if (msg.id === 1 && 'result' in msg) {
      send({ jsonrpc: '2.0', method: 'initialized', params: {} });
      send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'dockerfile', version: 1, text } } });
    } else if (msg.method === 'workspace/configuration') {
      send({ jsonrpc: '2.0', id: msg.id, result: (msg.params?.items ?? []).map(() => null) });
    } else if (msg.id !== undefined && msg.method) {
      send({ jsonrpc: '2.0', id: msg.id, result: null }); // client/registerCapability and the like
    } else if (msg.method === 'textDocument/publishDiagnostics' && msg.params?.uri === uri && !done) {
      // What an editor asks for a document it has just shown, then a keystroke.
      done = true;
      const td = { uri };
      const pos = { line: 6, character: 14 };
      const range = { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } };
      send({ jsonrpc: '2.0', id: 10, method: 'textDocument/documentSymbol', params: { textDocument: td } });
      send({ jsonrpc: '2.0', id: 11, method: 'textDocument/codeLens', params: { textDocument: td } });
      send({ jsonrpc: '2.0', id: 12, method: 'textDocument/inlayHint', params: { textDocument: td, range } });
      send({ jsonrpc: '2.0', id: 13, method: 'textDocument/foldingRange', params: { textDocument: td } });
      send({ jsonrpc: '2.0', id: 14, method: 'textDocument/hover', params: { textDocument: td, position: pos } });
      send({ jsonrpc: '2.0', id: 15, method: 'textDocument/definition', params: { textDocument: td, position: pos } });
      send({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 8, character: 0 }, end: { line: 8, character: 0 } }, text: 'CMD ["/app"]' }] } });
      setTimeout(() => send({ jsonrpc: '2.0', id: 2, method: 'shutdown' }), 500);
    } else if (msg.id === 2) {
      send({ jsonrpc: '2.0', method: 'exit' });
    }
  }
});
send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null, capabilities } });
const timer = setTimeout(() => {
  p.kill();
  console.error('first session: no diagnostics and shutdown within 15 s');
  process.exit(1);
}, 15_000);
p.on('exit', (code) => {
  clearTimeout(timer);
  process.exit(code === 0 ? 0 : 1);
});
