import type { Plugin } from 'graphql-yoga';

/**
 * Server-Sent Events as berth sends them, for proxies and clients between: a comment at least
 * every HEARTBEAT_INTERVAL_MS, so a proxy with an idle timeout (nginx's is 60 s) keeps a quiet
 * stream open, and an `id:` on each event, so a client knows where it stands and, where a stream
 * can resume, says so with `Last-Event-ID`. docs/live-data.md says what resuming means per stream.
 */

/** As often as Yoga pings its GraphQL streams, well under the usual 60 s proxy timeouts. */
export const HEARTBEAT_INTERVAL_MS = 12_000;

const HEARTBEAT = ': keep-alive\n\n';

export interface ServerSentEvent {
  /** Left out for an event that marks no position (berth's own notes in a log stream). */
  id?: string;
  data: string;
}

/**
 * The events of `source` as a text/event-stream body. The stream owns its heartbeat timer: started
 * with the stream, cleared however it ends (the source ends or fails, or the client leaves, which
 * also returns the source so its producer lets go of what it holds). A heartbeat is skipped while
 * the client is not reading, so a stalled client is not sent more.
 */
export function eventStream(
  source: AsyncIterator<ServerSentEvent>,
  options: { heartbeatMs?: number } = {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const stopHeartbeat = () => clearInterval(heartbeat);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      // A comment first, so the client has the headers before the first event.
      controller.enqueue(encoder.encode(HEARTBEAT));
      heartbeat = setInterval(() => {
        if ((controller.desiredSize ?? 0) > 0) controller.enqueue(encoder.encode(HEARTBEAT));
      }, options.heartbeatMs ?? HEARTBEAT_INTERVAL_MS);
    },
    async pull(controller) {
      let result: IteratorResult<ServerSentEvent>;
      try {
        result = await source.next();
      } catch {
        // The producer failed (the engine's stream broke): the stream ends, as when it completes.
        result = { done: true, value: undefined };
      }
      if (result.done) {
        stopHeartbeat();
        controller.close();
        return;
      }
      const { id, data } = result.value;
      const lines = data.split('\n').map((line) => `data: ${line}\n`);
      controller.enqueue(encoder.encode(`${id === undefined ? '' : `id: ${id}\n`}${lines.join('')}\n`));
    },
    async cancel() {
      stopHeartbeat();
      await source.return?.();
    },
  });
}

/**
 * `id:` lines on Yoga's GraphQL SSE streams (`POST /graphql` with `Accept: text/event-stream`),
 * which Yoga sends without: each `next` event gets its number in the stream, 1, 2, 3… Yoga keeps
 * owning the stream and its heartbeat (a comment every 12 s); this only rewrites the text on its
 * way out, event by event (events end at a blank line, and Yoga's JSON has no raw newline).
 * Leaving the rewritten body cancels Yoga's, which ends the subscription.
 */
export function useGraphQLEventIds(graphqlEndpoint: string): Plugin {
  return {
    onResponse({ request, response, setResponse, fetchAPI }) {
      if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) return;
      if (new URL(request.url).pathname !== graphqlEndpoint || response.body === null) return;
      let buffered = '';
      let sequence = 0;
      const numbered = (block: string) =>
        block.startsWith('event: next\n') ? `id: ${(sequence += 1)}\n${block}` : block;
      const body = response.body
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(
          new TransformStream<string, string>({
            transform(chunk, controller) {
              buffered += chunk;
              let end: number;
              while ((end = buffered.indexOf('\n\n')) !== -1) {
                controller.enqueue(numbered(buffered.slice(0, end + 2)));
                buffered = buffered.slice(end + 2);
              }
            },
            flush(controller) {
              if (buffered !== '') controller.enqueue(buffered);
            },
          }),
        )
        .pipeThrough(new TextEncoderStream());
      setResponse(new fetchAPI.Response(body, { status: response.status, headers: response.headers }));
    },
  };
}
