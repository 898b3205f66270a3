import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { rm } from 'node:fs/promises';

/** One HTTP request berth sent the engine: its line and its whole body. */
export interface EngineRequest {
  method: string;
  /** The path with its query, as sent (`/v1.47/containers/create?name=…`). */
  path: string;
  body: string;
}

/**
 * A unix socket that forwards byte for byte to the real engine's, like SocketForwarder, and keeps
 * every request whole, body included: what a create asked of the engine is read from the bytes
 * that reached it, not from what berth says it sent. A connection upgraded to a raw stream (exec
 * and attach) is followed no further.
 */
export class EngineRecorder {
  #server: Server | undefined;
  readonly #open = new Set<Socket>();
  readonly requests: EngineRequest[] = [];

  constructor(
    readonly path: string,
    private readonly target: string,
  ) {}

  async listen(): Promise<void> {
    await rm(this.path, { force: true });
    const server = createServer((client) => {
      const upstream = createConnection(this.target);
      this.#open.add(client).add(upstream);
      const parser = new RequestParser((request) => this.requests.push(request));
      client.on('data', (chunk: Buffer) => parser.push(chunk));
      client.pipe(upstream).pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.#open.delete(client);
        this.#open.delete(upstream);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => server.listen(this.path, resolve));
    this.#server = server;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#open) socket.destroy();
    this.#open.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

/** HTTP/1.1 requests, one after another on a connection: Content-Length or chunked bodies. */
class RequestParser {
  #buffer = Buffer.alloc(0);
  #raw = false;

  constructor(private readonly emit: (request: EngineRequest) => void) {}

  push(chunk: Buffer): void {
    if (this.#raw) return;
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const headEnd = this.#buffer.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = this.#buffer.subarray(0, headEnd).toString('latin1');
      const [line = '', ...headerLines] = head.split('\r\n');
      const [method = '', path = ''] = line.split(' ');
      const headers = new Map(
        headerLines.map((header) => {
          const colon = header.indexOf(':');
          return [header.slice(0, colon).trim().toLowerCase(), header.slice(colon + 1).trim()] as const;
        }),
      );
      const rest = this.#buffer.subarray(headEnd + 4);
      let body: Buffer;
      let consumed: number;
      if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) {
        const decoded = decodeChunked(rest);
        if (!decoded) return;
        [body, consumed] = decoded;
      } else {
        const length = Number(headers.get('content-length') ?? '0');
        if (rest.length < length) return;
        body = rest.subarray(0, length);
        consumed = length;
      }
      this.emit({ method, path, body: body.toString('utf8') });
      this.#buffer = rest.subarray(consumed);
      if (headers.has('upgrade')) {
        this.#raw = true;
        return;
      }
    }
  }
}

/** The body and the bytes it took, or undefined while it is incomplete. */
function decodeChunked(bytes: Buffer): [Buffer, number] | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    const start = lineEnd + 2;
    if (bytes.length < start + size + 2) return undefined;
    if (size === 0) return [Buffer.concat(parts), start + 2];
    parts.push(bytes.subarray(start, start + size));
    at = start + size + 2;
  }
}
