import WebSocket from 'ws';

/**
 * A graphql-ws subscriber written by hand so the benchmark decides when its socket is read: a
 * graphql-ws client library reads eagerly and would buffer on its own side, hiding what berth
 * does with a reader that cannot keep up.
 */
export interface ThrottledFollower {
  /** `next` messages received, and the lines berth said it dropped (SYSTEM lines). */
  readonly received: { lines: number; dropped: number };
  close(): void;
}

type RawSocket = { pause(): void; resume(): void };

/**
 * Subscribes to `containerLogs`, then reads its socket for `readMs` out of every `periodMs`
 * (readMs 0: never reads again).
 */
export async function throttledFollower(
  baseUrl: string,
  containerId: string,
  duty: { readMs: number; periodMs: number },
): Promise<ThrottledFollower> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const received = { lines: 0, dropped: 0 };
  const acked = new Promise<void>((resolve) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as {
        type: string;
        payload?: { data?: { containerLogs?: { stream: string; text: string } } };
      };
      if (message.type === 'connection_ack') resolve();
      const line = message.payload?.data?.containerLogs;
      if (message.type !== 'next' || !line) return;
      if (line.stream === 'SYSTEM') received.dropped += Number(/(\d+) lines?/.exec(line.text)?.[1] ?? 0);
      else received.lines += 1;
    });
  });
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await acked;
  socket.send(
    JSON.stringify({
      id: '1',
      type: 'subscribe',
      payload: {
        query: 'subscription($id: String!) { containerLogs(id: $id) { stream text } }',
        variables: { id: containerId },
      },
    }),
  );
  const raw = (socket as unknown as { _socket: RawSocket })._socket;
  raw.pause();
  const timers: NodeJS.Timeout[] = [];
  if (duty.readMs > 0) {
    timers.push(
      setInterval(() => {
        raw.resume();
        timers.push(setTimeout(() => raw.pause(), duty.readMs));
      }, duty.periodMs),
    );
  }
  return {
    received,
    close() {
      for (const timer of timers) clearTimeout(timer);
      socket.terminate();
    },
  };
}
