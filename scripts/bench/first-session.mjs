// A server's first session, as an editor would run it: initialize, initialized, a pause,
// shutdown, exit. The bench runs it once before measuring, so that the V8 code caches the
// server writes beside its bundles (dist/server-main.js.cache, dist/server-engine.js.cache)
// are there, as they are for every start after a user's first.
//   node scripts/bench/first-session.mjs dist/server.js
import { spawn } from 'node:child_process';

const server = process.argv[2];
if (!server) {
  console.error('usage: node scripts/bench/first-session.mjs <server.js>');
  process.exit(2);
}
const frame = (o) => {
  const j = JSON.stringify(o);
  return `Content-Length: ${Buffer.byteLength(j)}\r\n\r\n${j}`;
};
const p = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
let out = '';
let step = 0;
p.stdout.on('data', (d) => {
  out += d;
  if (step === 0 && out.includes('"id":1,')) {
    step = 1;
    p.stdin.write(frame({ jsonrpc: '2.0', method: 'initialized', params: {} }));
    setTimeout(() => p.stdin.write(frame({ jsonrpc: '2.0', id: 2, method: 'shutdown' })), 500);
  } else if (step === 1 && out.includes('"id":2,')) {
    step = 2;
    p.stdin.write(frame({ jsonrpc: '2.0', method: 'exit' }));
  }
});
p.stdin.write(frame({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }));
const timer = setTimeout(() => {
  p.kill();
  console.error('first session: no answer within 15 s');
  process.exit(1);
}, 15_000);
p.on('exit', (code) => {
  clearTimeout(timer);
  process.exit(code === 0 ? 0 : 1);
});
