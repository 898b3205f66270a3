import { EventEmitter } from 'node:events';
import type { EngineEvents, EngineEventsMap } from '../domain/containers/ports.js';
import type { Logger } from '../shared/logger.js';
import type { EngineCalls } from './calls.js';

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;
// Events already seen are remembered this long, to drop the ones a resumed stream replays.
const REPLAY_WINDOW_NS = 5_000_000_000n;

/**
 * The one owner of the engine's `/events` stream. Reconnects with backoff, resumes with `since`
 * from the last event it saw, and drops the duplicates the engine replays. Consumers listen;
 * they never open a stream of their own.
 */
export class EngineEventStream extends EventEmitter<EngineEventsMap> implements EngineEvents {
  #running = false;
  #abort: AbortController | undefined;
  #retry: NodeJS.Timeout | undefined;
  #backoffMs = MIN_BACKOFF_MS;
  #lastTimeNano: bigint | undefined;
  /** Keys of recently seen events, by time, for de-duplicating replays. */
  #recent = new Map<string, bigint>();
  #connected = false;

  constructor(
    private readonly calls: EngineCalls,
    private readonly log: Logger,
  ) {
    super();
  }

  get connected(): boolean {
    return this.#connected;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#connect();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#retry);
    this.#abort?.abort();
    this.#abort = undefined;
  }

  async #connect(): Promise<void> {
    if (!this.#running) return;
    const abort = new AbortController();
    this.#abort = abort;
    const since = this.#lastTimeNano;
    const options: Record<string, unknown> = {
      filters: JSON.stringify({ type: ['container'] }),
      abortSignal: abort.signal,
    };
    if (since !== undefined) options['since'] = formatSince(since);

    let stream: NodeJS.ReadableStream;
    try {
      // Timed until the stream is open: each (re)connect is one call.
      stream = (await this.calls.run('events', 'containers', (docker) => docker.getEvents(options), {
        signal: abort.signal,
      })) as NodeJS.ReadableStream;
    } catch (error) {
      this.#scheduleReconnect(error as Error);
      return;
    }
    if (!this.#running || abort.signal.aborted) {
      (stream as unknown as { destroy?: () => void }).destroy?.();
      return;
    }
    this.#backoffMs = MIN_BACKOFF_MS;
    this.#connected = true;
    this.emit('connected', { resumed: since !== undefined });

    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line) this.#handleLine(line);
      }
    });
    const ended = (error?: Error) => {
      stream.removeAllListeners();
      if (abort.signal.aborted && !this.#running) return;
      this.#scheduleReconnect(error ?? new Error('the engine closed the event stream'));
    };
    stream.once('end', () => ended());
    stream.once('close', () => ended());
    stream.once('error', (error: Error) => ended(error));
  }

  #handleLine(line: string): void {
    let raw: {
      Type?: string;
      Action?: string;
      id?: string;
      Actor?: { ID?: string; Attributes?: Record<string, string> };
      timeNano?: number | string;
    };
    try {
      raw = JSON.parse(line) as typeof raw;
    } catch {
      this.log.warn(`ignoring an unreadable engine event: ${line.slice(0, 200)}`);
      return;
    }
    const id = raw.Actor?.ID ?? raw.id;
    if (raw.Type !== 'container' || !id || !raw.Action || raw.timeNano === undefined) return;
    // timeNano passes 2^53: JSON.parse has already rounded it, so re-read it from the text.
    const exact = /"timeNano":\s*(\d+)/.exec(line)?.[1];
    const timeNano = BigInt(exact ?? Math.round(Number(raw.timeNano)));
    const key = `${timeNano}/${id}/${raw.Action}`;
    if (this.#recent.has(key)) return;
    this.#recent.set(key, timeNano);
    this.#forget(timeNano);
    if (this.#lastTimeNano === undefined || timeNano > this.#lastTimeNano) this.#lastTimeNano = timeNano;
    this.emit('event', { action: raw.Action, id, timeNano, attributes: raw.Actor?.Attributes ?? {} });
  }

  #forget(now: bigint): void {
    for (const [key, time] of this.#recent) {
      if (now - time <= REPLAY_WINDOW_NS) break;
      this.#recent.delete(key);
    }
  }

  #scheduleReconnect(error: Error): void {
    const wasConnected = this.#connected;
    this.#connected = false;
    if (wasConnected) {
      this.log.warn(`engine event stream lost (${error.message}); reconnecting`);
    }
    this.emit('disconnected', error);
    if (!this.#running) return;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, MAX_BACKOFF_MS);
    this.#retry = setTimeout(() => void this.#connect(), delay);
    this.#retry.unref();
  }
}

/** `since` as the engine reads it: seconds with a nanosecond fraction. */
function formatSince(timeNano: bigint): string {
  const seconds = timeNano / 1_000_000_000n;
  const nanos = timeNano % 1_000_000_000n;
  return `${seconds}.${nanos.toString().padStart(9, '0')}`;
}
