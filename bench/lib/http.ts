import http from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * One plain `node:http` client for every side of a comparison (Docker's socket, berth's port), so
 * that differences in the numbers are the servers', not the clients'. Connections are kept alive,
 * as any real client of either does.
 */

export type Target = { socketPath: string } | { host: string; port: number };

export interface Timed {
  ms: number;
  status: number;
  body: string;
}

export class HttpClient {
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  constructor(private readonly target: Target) {}

  /** Sends one request and reads the whole answer; `ms` runs from sending to the last byte. */
  request(method: string, path: string, body?: unknown): Promise<Timed> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const request = http.request(
        {
          ...this.target,
          agent: this.#agent,
          method,
          path,
          headers: {
            accept: 'application/json',
            ...(payload !== undefined && {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
            }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              ms: performance.now() - started,
              status: response.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
