import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { rm } from 'node:fs/promises';

/**
 * A unix socket that forwards byte for byte to the real engine's socket. Every answer is the
 * engine's; the test only decides when the path answers at all, and can cut open connections,
 * which is how a real network fault between berth and its engine looks.
 */
export class SocketForwarder {
  #server: Server | undefined;
  readonly #open = new Set<Socket>();
  /** Every HTTP request berth sent the engine through here, as `METHOD /path`, in order. */
  readonly requests: string[] = [];

  constructor(
    readonly path: string,
    private readonly target: string,
  ) {}

  async listen(): Promise<void> {
    await rm(this.path, { force: true });
    const server = createServer((client) => {
      const upstream = createConnection(this.target);
      this.#open.add(client).add(upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.#open.delete(client);
        this.#open.delete(upstream);
      };
      client.on('data', (chunk: Buffer) => {
        for (const match of chunk
          .toString('latin1')
          .matchAll(/^(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP\/1\.[01]\r$/gm)) {
          this.requests.push(`${match[1]} ${match[2]}`);
        }
      });
      client.pipe(upstream).pipe(client);
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => server.listen(this.path, resolve));
    this.#server = server;
  }

  /** Stops answering and cuts every open connection (the event stream among them). */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#open) socket.destroy();
    this.#open.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
