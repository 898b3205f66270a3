import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type RunningBerth } from '../support/berth.js';
import { recordingLogger } from '../support/log.js';
import { waitFor } from '../support/wait.js';

/**
 * A request that never arrives whole is cut at the request timeout (here set to 2 s through
 * BERTH_REQUEST_TIMEOUT_SECONDS; 30 s by default), and a client that gives up sending is its own
 * business, not an error in berth's log. Outcomes are checked, not durations: each request must be
 * answered 408 and closed before a deadline far below the 55-60 s such requests were held.
 */

const DEADLINE_MS = 25_000;

let berth: RunningBerth;
let port: number;
const log = recordingLogger();

beforeAll(async () => {
  berth = await startBerth({ BERTH_REQUEST_TIMEOUT_SECONDS: '2' }, { logger: log.logger });
  port = Number(new URL(berth.url).port);
});

afterAll(async () => {
  await berth?.stop();
});

/** Sends `head` (and no more), then reports what berth answered before closing the socket. */
function sendAndWait(head: string): Promise<{ answer: string; closed: boolean }> {
  return new Promise((resolve) => {
    let answer = '';
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(head));
    const deadline = setTimeout(() => {
      socket.destroy();
      resolve({ answer, closed: false });
    }, DEADLINE_MS);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(deadline);
      resolve({ answer, closed: true });
    });
  });
}

const partialBody = (path: string) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
  `Content-Length: 100\r\n\r\n{"query":`;

describe('a request that never arrives whole', () => {
  it.each([['/graphql'], ['/containers']])(
    'a body to %s that stops coming is answered 408 and closed at the request timeout',
    async (path) => {
      const { answer, closed } = await sendAndWait(partialBody(path));
      expect(closed).toBe(true);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    },
  );

  it('headers that never end are answered 408 and closed too', async () => {
    const { answer, closed } = await sendAndWait(
      `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `,
    );
    expect(closed).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('logs no error for any of it, nor for a client that gives up sending its body', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    // The client leaves once berth has the request and waits for the rest of its body.
    berth.app.server.once('request', () => setImmediate(() => socket.destroy()));
    socket.write(partialBody('/containers'));
    // The REST shim records the change it never got whole.
    await waitFor(async () =>
      expect(await auditResults('POST /containers')).toContain('error:REQUEST_TIMEOUT'),
    );
    expect(log.errors()).toEqual([]);
  });
});

async function auditResults(action: string): Promise<string[]> {
  const response = await fetch(`${berth.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'query($action: String) { auditLog(filter: { action: $action }) { entries { result } } }',
      variables: { action },
    }),
  });
  const body = (await response.json()) as { data: { auditLog: { entries: { result: string }[] } } };
  return body.data.auditLog.entries.map((entry) => entry.result);
}
