import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBerth, type RunningBerth } from '../support/berth.js';
import { ListContainers } from '../support/operations/index.js';
import { waitFor } from '../support/wait.js';

/**
 * The close codes berth ends a graphql-ws connection with, as graphql-ws's own client takes them:
 * "slow down" (1013) is retried, "your token is bad" (4403) is a verdict. Every connection attempt
 * that reaches berth is counted at the HTTP upgrade, so "the client tried again" is measured on
 * the server, not inferred from the client.
 */

const FAILURES_PER_MINUTE = 2;
let berth: RunningBerth;
let upgrades = 0;

beforeAll(async () => {
  berth = await startBerth({
    BERTH_AUTH: 'on',
    BERTH_AUTH_FAILURES_PER_MINUTE: String(FAILURES_PER_MINUTE),
  });
  berth.app.server.on('upgrade', () => (upgrades += 1));
});

afterAll(async () => {
  await berth?.stop();
});

/** A deferred the test resolves: graphql-ws's retryWait waits on it, so the test decides when. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('WebSocket close codes', () => {
  it('closes a bad token with 4403, and graphql-ws gives up on it when told 4403 is final', async () => {
    const before = upgrades;
    const closes: number[] = [];
    const client: Client = createClient({
      url: `${berth.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      lazy: true,
      connectionParams: { authorization: 'Bearer berth_000000000000_not-a-token' },
      retryAttempts: 5,
      retryWait: async () => undefined,
      // As the dashboard does: graphql-ws would retry 4403 by default.
      shouldRetry: (event) => (event as { code?: number }).code !== 4403,
      on: { closed: (event) => closes.push((event as { code: number }).code) },
    });
    try {
      const failure = await new Promise<unknown>((resolve) =>
        client.subscribe(
          { query: print(ListContainers) },
          { next() {}, error: resolve, complete: () => resolve(null) },
        ),
      );
      expect((failure as { code?: number }).code).toBe(4403);
      expect(closes).toEqual([4403]);
      expect(upgrades - before).toBe(1);
    } finally {
      await client.dispose();
    }
  });

  it('past the failed-authentication limit closes with 1013, which graphql-ws retries, and a retry with a good token connects', async () => {
    // The address's failures used up (the first test spent one).
    for (;;) {
      const response = await fetch(`${berth.url}/containers`, { headers: { authorization: 'Bearer wrong' } });
      if (response.status === 429) break;
      expect(response.status).toBe(401);
    }
    const good = berth.asRole('viewer', 'retrying').token;
    let authorization = 'Bearer wrong';
    const closes: { code: number; reason: string }[] = [];
    const backOff = gate();
    let retryWaits = 0;
    const before = upgrades;
    const client: Client = createClient({
      url: `${berth.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      lazy: true,
      // Read at every attempt, as the dashboard reads its token: it may be a new one by the retry.
      connectionParams: () => ({ authorization }),
      retryAttempts: 5,
      // graphql-ws's own shouldRetry and fatal-code table: a 4429 would end the client here.
      retryWait: async () => {
        retryWaits += 1;
        await backOff.wait;
      },
      on: { closed: (event) => closes.push(event as { code: number; reason: string }) },
    });
    try {
      const received: unknown[] = [];
      let failure: unknown;
      client.subscribe(
        { query: print(ListContainers) },
        { next: (message) => received.push(message), error: (error) => (failure = error), complete() {} },
      );
      // Closed with "slow down", and the client is waiting to try again rather than failing.
      await waitFor(async () => retryWaits === 1);
      expect(closes.map(({ code }) => code)).toEqual([1013]);
      expect(closes[0]?.reason).toMatch(
        /too many failed authentications from this address; retry after \d+ s/,
      );
      expect(failure).toBeUndefined();

      // Meanwhile the user pastes a good token; the retry reaches berth and is admitted.
      authorization = `Bearer ${good}`;
      backOff.open();
      await waitFor(async () => received.length === 1);
      expect(received[0]).toMatchObject({ data: { containers: expect.any(Array) } });
      expect(failure).toBeUndefined();
      expect(upgrades - before).toBe(2);
    } finally {
      await client.dispose();
    }
  });

  it('retries 1013 with the same bad token for as long as it is told to, each try reaching berth', async () => {
    const closes: number[] = [];
    const before = upgrades;
    const client: Client = createClient({
      url: `${berth.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      lazy: true,
      connectionParams: { authorization: 'Bearer wrong' },
      retryAttempts: 2,
      retryWait: async () => undefined,
      on: { closed: (event) => closes.push((event as { code: number }).code) },
    });
    try {
      const failure = await new Promise<unknown>((resolve) =>
        client.subscribe(
          { query: print(ListContainers) },
          { next() {}, error: resolve, complete: () => resolve(null) },
        ),
      );
      // Still inside the window: every try is told to slow down, none is a verdict on the token.
      expect((failure as { code?: number }).code).toBe(1013);
      expect(closes).toEqual([1013, 1013, 1013]);
      expect(upgrades - before).toBe(3);
    } finally {
      await client.dispose();
    }
  });
});
