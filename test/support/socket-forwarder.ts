import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { rm } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';

/** A request line, found wherever it starts: a body without a newline may run right up to it. */
const REQUEST_LINE = /(GET|POST|PUT|DELETE|HEAD) (\/\S*) HTTP\/1\.[01]\r\n/g;
/** Bytes of an unfinished line kept per connection: enough for a request line of several MiB. */
const MAX_PENDING = 16 * 1024 * 1024;

/**
 * The engine's answers on one connection, passed on unless held. Held, nothing more reaches berth
 * (the stream simply stops, as it would while the engine works); released, the rest flows again.
 */
class AnswerGate extends Transform {
  #held: { chunk: Buffer; done: TransformCallback } | undefined;
  holding = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
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

/**
 * A unix socket that forwards byte for byte to the real engine's socket. Every answer is the
 * engine's; the test only decides when the path answers at all, and can cut open connections,
 * which is how a real network fault between berth and its engine looks.
 */
export class SocketForwarder {
  #server: Server | undefined;
  readonly #open = new Set<Socket>();
  readonly #gates = new Set<AnswerGate>();
  #hold: { pattern: RegExp; held: (line: string) => void } | undefined;
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
      const gate = new AnswerGate();
      this.#open.add(client).add(upstream);
      this.#gates.add(gate);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.#open.delete(client);
        this.#open.delete(upstream);
        this.#gates.delete(gate);
      };
      let pending = '';
      client.on('data', (chunk: Buffer) => {
        const text = pending + chunk.toString('latin1');
        const lineEnd = text.lastIndexOf('\r\n');
        const end = lineEnd < 0 ? 0 : lineEnd + 2;
        pending = text.slice(end).slice(-MAX_PENDING);
        for (const match of text.slice(0, end).matchAll(REQUEST_LINE)) {
          const line = `${match[1]} ${match[2]}`;
          this.requests.push(line);
          const hold = this.#hold;
          if (hold?.pattern.test(line)) {
            // The request goes on to the engine; its answer stays here.
            this.#hold = undefined;
            gate.holding = true;
            hold.held(line);
          }
        }
      });
      client.pipe(upstream);
      upstream.pipe(gate).pipe(client);
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => server.listen(this.path, resolve));
    this.#server = server;
  }

  /**
   * Lets the next request whose `METHOD /path?query` matches through to the engine, but holds the
   * engine's answer to it until `releaseAnswers` or `cut`. Resolves with the request's line once it
   * has been sent on: the engine is acting on it, and berth is waiting.
   */
  holdAnswer(pattern: RegExp): Promise<string> {
    return new Promise((resolve) => {
      this.#hold = { pattern, held: resolve };
    });
  }

  /** Lets every held answer through. */
  releaseAnswers(): void {
    this.#hold = undefined;
    for (const gate of this.#gates) gate.release();
  }

  /** Stops answering and cuts every open connection (the event stream among them). */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.#hold = undefined;
    for (const socket of this.#open) socket.destroy();
    this.#open.clear();
    this.#gates.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
