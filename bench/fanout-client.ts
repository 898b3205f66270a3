/**
 * The subscribers of B3, run as a child process so that their CPU is not berth's nor the runner's:
 * opens `sockets` graphql-ws connections to berth, one subscription on each, and reports over IPC
 * how late samples arrive (receive time minus the `at` of the subscription's root field: a sample's
 * or a batch's).
 *
 * argv: <berth ws url> <variables as JSON> <sockets> <subscription document>
 * IPC in: 'start' (begin counting), 'stop' (report), 'close' (disconnect and exit).
 * IPC out: { type: 'ready' | 'report' | 'failed', ... }.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export type FanoutMessage =
  | { type: 'ready'; sockets: number }
  /** `samples`: [the sample's at (ms since the epoch), lag in ms], one per message. */
  | { type: 'report'; messages: number; samples: [number, number][]; errors: number; completed: number }
  | { type: 'failed'; error: string };

const [url, variablesArg, socketsArg, query] = process.argv.slice(2);
const sockets = Number(socketsArg);
if (!url || !variablesArg || !Number.isInteger(sockets) || !query || !process.send) {
  throw new Error(
    'usage (as a forked child): fanout-client.ts <ws url> <variables JSON> <sockets> <subscription>',
  );
}
const variables = JSON.parse(variablesArg) as Record<string, unknown>;
const send = (message: FanoutMessage) => process.send?.(message);

/** A WebSocket that notes when each message arrives, before graphql-ws parses and dispatches it. */
function stampingWebSocket(arrival: { at: number }) {
  return class extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols);
      this.on('message', () => {
        arrival.at = Date.now();
      });
    }
  };
}

/** Handshakes under way at most. */
const IN_FLIGHT = 100;
let settled = 0;
const clients: Client[] = [];
const received = new Set<number>();
let counting = false;
let messages = 0;
let samples: [number, number][] = [];
let errors = 0;
let completed = 0;

for (let i = 0; i < sockets; i += 1) {
  const arrival = { at: 0 };
  let inFlight = true;
  const settle = () => {
    if (!inFlight) return;
    inFlight = false;
    settled += 1;
  };
  const client = createClient({
    url,
    webSocketImpl: stampingWebSocket(arrival),
    retryAttempts: 0,
    lazy: false,
    // Connected, or failed before it could be (its error is counted below): no longer in flight.
    on: { connected: settle, error: settle, closed: settle },
  });
  clients.push(client);
  client.subscribe<Record<string, { at: string }>>(
    { query, variables },
    {
      next: ({ data }) => {
        received.add(i);
        if (!counting || !data) return;
        messages += 1;
        const at = Date.parse(Object.values(data)[0]!.at);
        samples.push([at, arrival.at - at]);
      },
      error: () => {
        errors += 1;
      },
      complete: () => {
        completed += 1;
      },
    },
  );
  // At most IN_FLIGHT handshakes at a time, as a load generator ramps up: thousands at once would
  // measure the listen queue (Node's backlog is 511) rather than the fan-out.
  while (i + 1 - settled >= IN_FLIGHT) await sleep(5);
}

const deadline = Date.now() + 120_000;
while (received.size < sockets && Date.now() < deadline) await sleep(50);
if (received.size < sockets) {
  send({
    type: 'failed',
    error: `only ${received.size} of ${sockets} subscriptions delivered within 120 s (errors: ${errors})`,
  });
} else {
  send({ type: 'ready', sockets });
}

process.on('message', (command: string) => {
  if (command === 'start') {
    counting = true;
    messages = 0;
    samples = [];
  } else if (command === 'stop') {
    counting = false;
    send({ type: 'report', messages, samples, errors, completed });
  } else if (command === 'close') {
    void Promise.all(clients.map((client) => client.dispose())).finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
