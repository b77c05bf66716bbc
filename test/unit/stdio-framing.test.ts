/**
 * The `--stdio` framing (server/stdio.ts): LSP base-protocol messages are read whatever way the
 * bytes are cut into chunks (every cut point of a stream of messages, UTF-8 characters split
 * between chunks included), passed on in order as each completes, and a bad header or body is
 * reported and skipped without losing the messages after it. What the writer writes is read back
 * unchanged by vscode-jsonrpc's own reader (the one every client in these tests uses).
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { StreamMessageReader, type Message } from 'vscode-jsonrpc/node';
import { FramedMessageReader, FramedMessageWriter, SEPARATE_BODY, parseHeaders } from '../../server/src/server/stdio';

const frame = (body: string, extra = ''): Buffer => {
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n${extra}\r\n`, 'latin1'), bytes]);
};

function reader(): { r: FramedMessageReader; got: unknown[]; errors: string[] } {
  const r = new FramedMessageReader(new PassThrough());
  const got: unknown[] = [];
  const errors: string[] = [];
  r.listen((m) => got.push(m));
  r.onError((e) => errors.push(e.message));
  return { r, got, errors };
}

const messages: Message[] = [
  { jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null } } as Message,
  { jsonrpc: '2.0', method: 'textDocument/didOpen', params: { text: 'FROM alpine AS b\u00e9ta\nRUN echo \u{1F433} \u2028 done\r\n' } } as Message,
  { jsonrpc: '2.0', id: 'x', result: null } as Message,
];

test('messages are read at every cut of the byte stream, multi-byte characters split included', () => {
  const stream = Buffer.concat(messages.map((m, i) => frame(JSON.stringify(m), i === 1 ? 'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n' : '')));
  for (let a = 0; a <= stream.length; a++) {
    const b = Math.min(stream.length, a + 1 + (a % 37));
    const { r, got, errors } = reader();
    for (const part of [stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)]) r.append(part);
    assert.deepEqual(errors, [], `cut at ${a}, ${b}`);
    assert.deepEqual(got, messages, `cut at ${a}, ${b}`);
  }
  // one byte at a time
  const { r, got } = reader();
  for (let i = 0; i < stream.length; i++) r.append(stream.subarray(i, i + 1));
  assert.deepEqual(got, messages);
});

test('a message is passed on as soon as its last byte arrives', () => {
  const { r, got } = reader();
  const one = frame(JSON.stringify(messages[0]));
  r.append(one.subarray(0, one.length - 1));
  assert.equal(got.length, 0);
  r.append(one.subarray(one.length - 1));
  assert.equal(got.length, 1);
});

test('a bad header or body is reported and skipped; the next message still reads', () => {
  const good = frame(JSON.stringify(messages[2]));
  const cases: [Buffer, RegExp][] = [
    [Buffer.from('Content-Type: x\r\n\r\n', 'latin1'), /Content-Length property/],
    [Buffer.from('Content-Length: ten\r\n\r\n', 'latin1'), /must be a number/],
    [frame('{"a":', ''), /not JSON/],
    [frame('{}', 'Content-Type: application/vscode-jsonrpc; charset=latin1\r\n'), /Unsupported charset latin1/],
  ];
  for (const [bad, why] of cases) {
    const { r, got, errors } = reader();
    r.append(Buffer.concat([bad, good]));
    assert.equal(errors.length, 1, String(why));
    assert.match(errors[0] ?? '', why);
    assert.deepEqual(got, [messages[2]]);
  }
});

test('header names are case-insensitive and other headers are ignored', () => {
  assert.deepEqual(parseHeaders('content-length: 12\r\nX-Other: 1'), { length: 12 });
  assert.deepEqual(parseHeaders('CONTENT-LENGTH:7'), { length: 7 });
  assert.deepEqual(parseHeaders('Content-Type: application/vscode-jsonrpc; charset=utf8\r\nContent-Length: 3'), { length: 3 });
  assert.equal(parseHeaders('Content-Length: -1').length, -1);
  assert.equal(parseHeaders('Content-Length: 1e3').length, -1);
  assert.deepEqual(parseHeaders('Content-Length: 2\r\nContent-Type: text/x; charset="ascii"'), { length: 2, error: 'Unsupported charset ascii' });
});

test('the shutdown request is noted (the exit code when standard input ends)', () => {
  const { r } = reader();
  assert.equal(r.shutdownRequested, false);
  r.append(frame(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'shutdown' })));
  assert.equal(r.shutdownRequested, true);
});

/** Writes `sent` with our writer and reads it back with vscode-jsonrpc's reader; returns what was read and the sizes of the writes. */
async function roundTrip(sent: readonly Message[]): Promise<{ read: Message[]; writes: number[] }> {
  const pipe = new PassThrough();
  const writes: number[] = [];
  const out = new PassThrough();
  out.on('data', (d: Buffer) => {
    writes.push(d.length);
    pipe.write(d);
  });
  const w = new FramedMessageWriter(out);
  const read: Message[] = [];
  const done = new Promise<void>((resolve) => {
    new StreamMessageReader(pipe).listen((m) => {
      read.push(m);
      if (read.length === sent.length) resolve();
    });
  });
  for (const m of sent) await w.write(m);
  await done;
  return { read, writes };
}

test("what the writer writes, one write per message, vscode-jsonrpc's reader reads back", async () => {
  const { read, writes } = await roundTrip(messages);
  assert.deepEqual(read, messages);
  assert.equal(writes.length, messages.length);
});

test('a large body is written after its header, as a second write, and reads back intact', async () => {
  const big = { jsonrpc: '2.0', id: 2, result: { text: 'RUN echo \u00e9\u{1F433}\n'.repeat(SEPARATE_BODY / 8) } } as Message;
  const small = messages[0] as Message;
  const { read, writes } = await roundTrip([small, big, small]);
  assert.deepEqual(read, [small, big, small]);
  assert.equal(writes.length, 4, 'one write each for the small ones, two for the large one');
});

test('a stream that ends or closes closes the reader', () => {
  const input = new PassThrough();
  const r = new FramedMessageReader(input);
  let closed = 0;
  r.onClose(() => closed++);
  r.listen(() => undefined);
  input.end();
  input.resume();
  return new Promise<void>((resolve) => {
    setImmediate(() => {
      assert.ok(closed >= 1);
      resolve();
    });
  });
});
