/**
 * The `--stdio` transport: LSP base-protocol framing (`Content-Length` headers, UTF-8 JSON
 * bodies) read from and written to the process's standard streams, as a MessageReader and a
 * MessageWriter the vscode-languageserver connection runs on.
 *
 * vscode-jsonrpc's stream reader hands each message on through a semaphore (one event-loop
 * turn) and its writer writes a message's header and body as two writes, the body after the
 * header's write has called back (another turn). Here a message is decoded as soon as its last
 * byte arrives and written with one write, so an answer leaves in the turn that made it: on
 * opening a file the settings request goes out, and the diagnostics come back, a turn earlier
 * each, and the process can use the time the client takes to answer `initialize`.
 *
 * Same wire format and error behaviour: a header without a numeric `Content-Length`, a charset
 * other than UTF-8 or a body that is not JSON is reported on `onError`, and that message is
 * skipped (the rest of the stream still reads).
 */
import { AbstractMessageReader, AbstractMessageWriter, Disposable, type DataCallback, type Message } from 'vscode-languageserver/node';

const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');

/**
 * One message's header block, parsed. `length` is the body's length, -1 when the header has
 * none usable; `error` says what is wrong (with a length, the body is skipped, not read).
 */
export function parseHeaders(block: string): { length: number; error?: string } {
  let length = -1;
  let found = false;
  let error: string | undefined;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      found = true;
      length = /^\d+$/.test(value) ? Number(value) : -1;
      if (length < 0) return { length: -1, error: `Content-Length value must be a number. Got ${value}` };
    } else if (name === 'content-type') {
      const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(value)?.[1]?.toLowerCase();
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') error = `Unsupported charset ${charset}`;
    }
  }
  if (!found) return { length: -1, error: 'Header must provide a Content-Length property.' };
  return error === undefined ? { length } : { length, error };
}

/** Passes a stream's errors (as Errors) and its closing on. */
function relayEnd(stream: NodeJS.EventEmitter, onError: (e: Error) => void, onClose: () => void): void {
  stream.on('error', (e: unknown) => {
    onError(e instanceof Error ? e : new Error(String(e)));
  });
  stream.on('close', onClose);
}

/** Reads framed messages from a byte stream; each is passed on as soon as its body is complete. */
export class FramedMessageReader extends AbstractMessageReader {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Body length of the message being read, or -1 while its header is still to come. */
  private bodyLength = -1;
  /** Why the body being read is to be skipped, if it is. */
  private bodyError: string | undefined;
  private callback: DataCallback | undefined;
  /** Has a `shutdown` request been read? (The exit code when the stream ends says so.) */
  shutdownRequested = false;
  /**
   * Requests and notifications read so far (not responses), counted as each is decoded: the
   * connection dispatches it a turn later, so the server's idle work can see it is waiting.
   */
  messagesRead = 0;

  constructor(private readonly input: NodeJS.ReadableStream) {
    super();
    relayEnd(
      input,
      (e) => {
        this.fireError(e);
      },
      () => {
        this.fireClose();
      },
    );
    input.on('end', () => {
      this.fireClose();
    });
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (data: Buffer | string): void => {
      this.append(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    };
    this.input.on('data', onData);
    return Disposable.create(() => {
      this.input.removeListener('data', onData);
      this.callback = undefined;
    });
  }

  /** Adds bytes and passes on every message they complete (public for the framing tests). */
  append(data: Buffer): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.size += data.length;
    for (;;) {
      if (this.bodyLength < 0) {
        const joined = this.joined();
        const end = joined.indexOf(HEADER_END);
        if (end < 0) return;
        const header = parseHeaders(joined.toString('latin1', 0, end));
        this.keep(joined.subarray(end + HEADER_END.length));
        if (header.length < 0) {
          this.fireError(new Error(header.error));
          continue;
        }
        this.bodyLength = header.length;
        this.bodyError = header.error;
      }
      if (this.size < this.bodyLength) return;
      const joined = this.joined();
      const body = joined.toString('utf8', 0, this.bodyLength);
      this.keep(joined.subarray(this.bodyLength));
      this.bodyLength = -1;
      if (this.bodyError !== undefined) {
        this.fireError(new Error(this.bodyError));
        this.bodyError = undefined;
        continue;
      }
      let message: Message;
      try {
        message = JSON.parse(body) as Message;
      } catch (e) {
        this.fireError(new Error(`Message body is not JSON: ${e instanceof Error ? e.message : String(e)}`));
        continue;
      }
      const method = (message as { method?: unknown }).method;
      if (typeof method === 'string') this.messagesRead++;
      if (method === 'shutdown') this.shutdownRequested = true;
      this.callback?.(message);
    }
  }

  private joined(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private keep(rest: Buffer): void {
    this.chunks = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
  }
}

/**
 * From this body length (UTF-16 units) on, the header and the body are two writes: joining them
 * copies the body into a new string, which for an answer of hundreds of KB (the outline or the
 * diagnostics of a 1,000-stage file) costs more than the second write (`npm run bench`,
 * documentSymbol at 1,000 stages).
 */
export const SEPARATE_BODY = 16 * 1024;

/** Writes each message, header and body, with a single write (two for a large body, `SEPARATE_BODY`). */
export class FramedMessageWriter extends AbstractMessageWriter {
  private errors = 0;

  constructor(private readonly output: NodeJS.WritableStream) {
    super();
    relayEnd(
      output,
      (e) => {
        this.fireError(e);
      },
      () => {
        this.fireClose();
      },
    );
  }

  write(msg: Message): Promise<void> {
    try {
      const body = JSON.stringify(msg);
      const header = `Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n`;
      if (body.length < SEPARATE_BODY) this.output.write(header + body, 'utf8');
      else {
        // Both in this turn, in order; the body is not copied into one more string first.
        this.output.write(header, 'latin1');
        this.output.write(body, 'utf8');
      }
      return Promise.resolve();
    } catch (e) {
      this.errors++;
      this.fireError(e instanceof Error ? e : new Error(String(e)), msg, this.errors);
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  end(): void {
    this.output.end();
  }
}
