import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { rm } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';

/** A request line, found wherever it starts: a body without a newline may run right up to it. */
const REQUEST_LINE = /(GET|POST|PUT|DELETE|HEAD) (\/\S*) HTTP\/1\.[01]\r\n/g;
/** Bytes of an unfinished line kept per connection: enough for a request line of several MiB. */
const MAX_PENDING = 16 * 1024 * 1024;

/**
 * One direction of one connection, passed on unless held. Held, nothing more goes through (the
 * stream simply stops, as it would while the other side works); released, the rest flows again.
 */
class Gate extends Transform {
  #held: { chunk: Buffer; done: TransformCallback } | undefined;
  holding = false;

  constructor(private readonly inspect: (chunk: Buffer) => void = () => undefined) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.inspect(chunk);
    if (this.holding) this.#held = { chunk, done };
    else done(null, chunk);
  }

  release(): void {
    this.holding = false;
    const held = this.#held;
    this.#held = undefined;
    held?.done(null, held.chunk);
  }
}

interface Hold {
  pattern: RegExp;
  /** `answer`: the request goes on, the engine's answer stays; `request`: the request stays. */
  what: 'answer' | 'request';
  held: (line: string) => void;
}

/**
 * A unix socket that forwards byte for byte to the real engine's socket. Every answer is the
 * engine's; the test only decides when the path answers at all, and can cut open connections,
 * which is how a real network fault between berth and its engine looks.
 */
export class SocketForwarder {
  #server: Server | undefined;
  readonly #open = new Set<Socket>();
  readonly #gates = new Set<Gate>();
  readonly #holds: Hold[] = [];
  /**
   * Every HTTP request berth sent the engine through here, as `METHOD /path?query`, in order,
   * however long its line and however the bytes were cut into chunks.
   */
  readonly requests: string[] = [];

  constructor(
    readonly path: string,
    private readonly target: string,
  ) {}

  async listen(): Promise<void> {
    await rm(this.path, { force: true });
    const server = createServer((client) => {
      const upstream = createConnection(this.target);
      let pending = '';
      const answers = new Gate();
      const requests = new Gate((chunk) => {
        const text = pending + chunk.toString('latin1');
        const lineEnd = text.lastIndexOf('\r\n');
        const end = lineEnd < 0 ? 0 : lineEnd + 2;
        pending = text.slice(end).slice(-MAX_PENDING);
        for (const match of text.slice(0, end).matchAll(REQUEST_LINE)) {
          const line = `${match[1]} ${match[2]}`;
          this.requests.push(line);
          const at = this.#holds.findIndex((hold) => hold.pattern.test(line));
          const hold = this.#holds.splice(at, at < 0 ? 0 : 1)[0];
          if (!hold) continue;
          (hold.what === 'answer' ? answers : requests).holding = true;
          hold.held(line);
        }
      });
      this.#open.add(client).add(upstream);
      this.#gates.add(requests).add(answers);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.#open.delete(client);
        this.#open.delete(upstream);
        this.#gates.delete(requests);
        this.#gates.delete(answers);
      };
      client.pipe(requests).pipe(upstream);
      upstream.pipe(answers).pipe(client);
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => server.listen(this.path, resolve));
    this.#server = server;
  }

  /**
   * Lets the next request whose `METHOD /path?query` matches through to the engine, but holds the
   * engine's answer to it until `release` or `cut`. Resolves with the request's line once it has
   * gone on: the engine is acting on it, and berth is waiting.
   */
  holdAnswer(pattern: RegExp): Promise<string> {
    return new Promise((resolve) => this.#holds.push({ pattern, what: 'answer', held: resolve }));
  }

  /**
   * Holds the next request whose `METHOD /path?query` matches before the engine sees it, until
   * `release` or `cut`. Resolves with its line once berth has sent it.
   */
  holdRequest(pattern: RegExp): Promise<string> {
    return new Promise((resolve) => this.#holds.push({ pattern, what: 'request', held: resolve }));
  }

  /** Lets every held request and answer through. */
  release(): void {
    this.#holds.length = 0;
    for (const gate of this.#gates) gate.release();
  }

  /** Stops answering and cuts every open connection (the event stream among them). */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.#holds.length = 0;
    for (const socket of this.#open) socket.destroy();
    this.#open.clear();
    this.#gates.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
