import { Repeater } from '@repeaterjs/repeater';
import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SharedExecutions } from '../../src/api/http/shared-executions.js';

/**
 * The fan-out of one execution to its subscribers' sockets. A socket stand-in plays the slow
 * reader: over loopback the kernel's buffers take thousands of small messages before a reader that
 * stops reading holds anything back, so "this socket has not taken the last message yet" cannot be
 * had on cue from a real one. The integration test (shared-subscriptions.test.ts) covers the rest
 * against a real berth and engine.
 */

/** A socket stand-in that records what is written and, when `holding`, acknowledges nothing until `release`. */
function standInSocket(holding: boolean) {
  const written: string[] = [];
  const held: (() => void)[] = [];
  const socket = {
    readyState: WebSocket.OPEN,
    send(data: Buffer, _options: unknown, sent?: (error?: Error) => void) {
      written.push(data.toString());
      if (!sent) return;
      if (holding) held.push(() => sent());
      else queueMicrotask(() => sent());
    },
  };
  return {
    socket: socket as unknown as WebSocket,
    written,
    payloads: () =>
      written.map((text) => JSON.parse(text) as { id: string; type: string; payload: ExecutionResult }),
    release: () => held.splice(0).forEach((acknowledge) => acknowledge()),
  };
}

function controlledSource() {
  let push!: (value: ExecutionResult) => Promise<unknown>;
  let stop!: (error?: unknown) => void;
  let returned = false;
  const source = new Repeater<ExecutionResult>(async (p, s) => {
    push = p;
    stop = s;
    await s;
    returned = true;
  });
  return {
    source,
    push: (n: number) => push({ data: { n } }),
    stop: (error?: unknown) => stop(error),
    returned: () => returned,
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('a shared execution', () => {
  it('writes each result to every subscriber under its own id, and a slow one gets only the newest', async () => {
    const shared = new SharedExecutions();
    const { source, push, stop } = controlledSource();
    let starts = 0;
    const start = async () => {
      starts += 1;
      return source;
    };
    const fast = standInSocket(false);
    const slow = standInSocket(true);
    const fastStream = (await shared.join('k', start, fast.socket, 'f')) as AsyncIterableIterator<never>;
    const slowStream = (await shared.join('k', start, slow.socket, 's"q')) as AsyncIterableIterator<never>;
    expect(starts).toBe(1);
    expect(shared.size).toBe(1);
    const fastDone = fastStream.next();
    const slowDone = slowStream.next();

    for (let n = 1; n <= 5; n += 1) {
      await push(n);
      await flush();
    }
    expect(fast.payloads().map((m) => [m.id, m.type, m.payload])).toEqual(
      [1, 2, 3, 4, 5].map((n) => ['f', 'next', { data: { n } }]),
    );
    // The slow socket is still writing its first message: the others wait as one, the newest.
    expect(slow.payloads().map((m) => m.payload.data)).toEqual([{ n: 1 }]);
    expect(slow.payloads()[0]!.id).toBe('s"q');
    slow.release();
    expect(slow.payloads().map((m) => m.payload.data)).toEqual([{ n: 1 }, { n: 5 }]);

    // The stream ends: a message still waiting goes out first, then the subscribers' streams end.
    await push(6);
    await flush();
    stop();
    await expect(fastDone).resolves.toEqual({ done: true, value: undefined });
    await expect(slowDone).resolves.toEqual({ done: true, value: undefined });
    expect(slow.payloads().map((m) => m.payload.data)).toEqual([{ n: 1 }, { n: 5 }, { n: 6 }]);
    expect(shared.size).toBe(0);
  });

  it('hands a joiner the newest result at once, and ends the source with its last subscriber', async () => {
    const shared = new SharedExecutions();
    const { source, push, returned } = controlledSource();
    const start = async () => source;
    const first = standInSocket(false);
    const firstStream = (await shared.join('k', start, first.socket, '1')) as AsyncIterableIterator<never>;
    await push(1);
    await flush();
    const late = standInSocket(false);
    const lateStream = (await shared.join('k', start, late.socket, '2')) as AsyncIterableIterator<never>;
    expect(late.payloads().map((m) => m.payload.data)).toEqual([{ n: 1 }]);

    await firstStream.return!();
    expect(returned()).toBe(false);
    await lateStream.return!();
    await flush();
    expect(returned()).toBe(true);
    expect(shared.size).toBe(0);
  });

  it('fails every subscriber with the source’s error, and counts each subscriber open and closed', async () => {
    let open = 0;
    const shared = new SharedExecutions(() => {
      open += 1;
      return () => (open -= 1);
    });
    const { source, stop } = controlledSource();
    const start = async () => source;
    const streams = await Promise.all(
      ['a', 'b'].map(
        async (id) =>
          (await shared.join('k', start, standInSocket(false).socket, id)) as AsyncIterableIterator<never>,
      ),
    );
    expect(open).toBe(2);
    const ends = streams.map((stream) => stream.next());
    stop(new Error('upstream broke'));
    for (const end of ends) await expect(end).rejects.toThrow('upstream broke');
    expect(open).toBe(0);
  });

  it('answers a refusal to each who asked, and tries afresh for the next', async () => {
    const shared = new SharedExecutions();
    const refusal: ExecutionResult = { data: null };
    let starts = 0;
    const start = async () => {
      starts += 1;
      return refusal;
    };
    const [a, b] = await Promise.all([
      shared.join('k', start, standInSocket(false).socket, 'a'),
      shared.join('k', start, standInSocket(false).socket, 'b'),
    ]);
    expect(a).toBe(refusal);
    expect(b).toBe(refusal);
    expect(starts).toBe(1);
    expect(shared.size).toBe(0);
    await shared.join('k', start, standInSocket(false).socket, 'c');
    expect(starts).toBe(2);
  });
});
