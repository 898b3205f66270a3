import type { ExecutionResult } from 'graphql';
import { WebSocket } from 'ws';

/**
 * One execution per distinct shared subscription (shared-subscriptions.ts says which qualify and
 * what makes two the same), its results serialized once and written to every subscriber's socket.
 *
 * graphql-ws would execute each subscription on its own and stringify every result for every
 * socket: with a thousand dashboards on one container, a thousand executions and serializations
 * of the same sample. Here each result becomes one JSON payload, and each subscriber's message is
 * that payload between its own operation id and a closing brace, bytes copied, not re-serialized.
 *
 * The subscriber side is what graphql-ws sees as the operation's stream: it yields nothing (the
 * messages are written here, in graphql-ws's own `next` format) and ends when the shared stream
 * ends, so graphql-ws then sends `complete` after the last `next`, or `error` when it fails.
 * A client's `complete`, or its socket closing, returns it, and the execution ends with its last
 * subscriber.
 *
 * A socket still writing its previous message keeps only the newest one waiting (these are
 * samples, each replacing the last), so a slow reader neither piles up memory nor holds back the
 * others, as with graphql-ws's own wait for each send.
 */
export class SharedExecutions {
  readonly #executions = new Map<string, Execution>();
  readonly #opened: () => () => void;

  /** `opened` counts a subscriber in (the metrics' open subscriptions); what it returns, out. */
  constructor(opened: () => () => void = () => () => undefined) {
    this.#opened = opened;
  }

  /** How many executions are running, for tests and metrics: one per distinct subscription. */
  get size(): number {
    return this.#executions.size;
  }

  /**
   * Joins the execution for `key`, starting it with `start` when none runs. Resolves to the stream
   * graphql-ws should follow for this subscriber, or, when the subscription was refused (`start`
   * answered errors rather than a stream), to that result for graphql-ws to send as it is.
   */
  async join(
    key: string,
    start: () => Promise<AsyncIterable<ExecutionResult> | ExecutionResult>,
    socket: WebSocket,
    operationId: string,
  ): Promise<AsyncIterableIterator<never> | ExecutionResult> {
    let execution = this.#executions.get(key);
    if (!execution) {
      execution = new Execution(start, () => {
        if (this.#executions.get(key) === execution) this.#executions.delete(key);
      });
      this.#executions.set(key, execution);
    }
    return execution.join(socket, operationId, this.#opened);
  }
}

const CLOSING_BRACE = Buffer.from('}');

/** The subscription's results, once serialized, and the subscribers they are written to. */
class Execution {
  readonly #subscribers = new Set<Subscriber>();
  readonly #started: Promise<AsyncIterator<ExecutionResult> | ExecutionResult>;
  readonly #ended: () => void;
  /** The newest payload, handed to whoever joins: what a subscription of its own would show next. */
  #newest: Buffer | null = null;
  #over = false;

  constructor(start: () => Promise<AsyncIterable<ExecutionResult> | ExecutionResult>, ended: () => void) {
    this.#ended = ended;
    this.#started = start().then(
      (result) => {
        if (!isAsyncIterable(result)) {
          // Refused (bad arguments, no such container, forbidden): everyone who asked the same
          // thing gets the same answer, and the next to ask is tried afresh.
          this.#end();
          return result;
        }
        const iterator = result[Symbol.asyncIterator]();
        void this.#pump(iterator);
        return iterator;
      },
      (error: unknown) => {
        this.#end();
        throw error;
      },
    );
  }

  async join(
    socket: WebSocket,
    operationId: string,
    opened: () => () => void,
  ): Promise<AsyncIterableIterator<never> | ExecutionResult> {
    const started = await this.#started;
    if (!isAsyncIterator(started)) return started;
    const subscriber = new Subscriber(socket, operationId, opened(), (left) => this.#leave(left, started));
    if (this.#over) subscriber.end();
    else {
      this.#subscribers.add(subscriber);
      if (this.#newest) subscriber.write(this.#newest);
    }
    return subscriber;
  }

  async #pump(iterator: AsyncIterator<ExecutionResult>): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await iterator.next();
        if (done || this.#over) break;
        const payload = Buffer.from(JSON.stringify(value));
        this.#newest = payload;
        for (const subscriber of this.#subscribers) subscriber.write(payload);
      }
      this.#finish((subscriber) => subscriber.end());
    } catch (error) {
      this.#finish((subscriber) => subscriber.fail(error));
    }
  }

  #finish(each: (subscriber: Subscriber) => void): void {
    this.#end();
    for (const subscriber of this.#subscribers) each(subscriber);
    this.#subscribers.clear();
  }

  #leave(subscriber: Subscriber, iterator: AsyncIterator<ExecutionResult>): void {
    this.#subscribers.delete(subscriber);
    if (this.#subscribers.size > 0 || this.#over) return;
    // The last one left: the execution, and what it holds upstream (collectors, listeners), ends.
    this.#end();
    void iterator.return?.();
  }

  #end(): void {
    if (this.#over) return;
    this.#over = true;
    this.#newest = null;
    this.#ended();
  }
}

/**
 * One subscriber: its socket, its operation id, and the stream graphql-ws follows for it, which
 * yields nothing and settles when the subscription ends.
 */
class Subscriber implements AsyncIterableIterator<never> {
  readonly #socket: WebSocket;
  /** `{"id":"…","type":"next","payload":`: the part of every message that is this subscriber's. */
  readonly #prefix: Buffer;
  readonly #closed: () => void;
  readonly #left: (subscriber: Subscriber) => void;
  #writing = false;
  #waiting: Buffer | null = null;
  #settled = false;
  #outcome: { error: unknown } | null = null;
  #wake: { resolve: (result: IteratorResult<never>) => void; reject: (error: unknown) => void } | null = null;

  constructor(
    socket: WebSocket,
    operationId: string,
    closed: () => void,
    left: (subscriber: Subscriber) => void,
  ) {
    this.#socket = socket;
    this.#prefix = Buffer.from(`{"id":${JSON.stringify(operationId)},"type":"next","payload":`);
    this.#closed = closed;
    this.#left = left;
  }

  write(payload: Buffer): void {
    if (this.#settled) return;
    if (this.#writing) this.#waiting = payload;
    else this.#send(payload);
  }

  #send(payload: Buffer): void {
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    this.#writing = true;
    const message = Buffer.concat([this.#prefix, payload, CLOSING_BRACE]);
    this.#socket.send(message, { binary: false }, this.#sent);
  }

  /** The socket took the last message: the newest one that waited meanwhile goes next. */
  readonly #sent = (): void => {
    this.#writing = false;
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting && !this.#settled) this.#send(waiting);
  };

  /** The shared stream ended: the message still waiting goes out before graphql-ws's `complete`. */
  end(): void {
    this.#flush();
    this.#settle(null);
  }

  fail(error: unknown): void {
    this.#flush();
    this.#settle({ error });
  }

  #flush(): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    // ws queues it behind the message being written, so the order holds.
    if (waiting && this.#socket.readyState === WebSocket.OPEN) {
      this.#socket.send(Buffer.concat([this.#prefix, waiting, CLOSING_BRACE]), { binary: false });
    }
  }

  #settle(outcome: { error: unknown } | null): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#outcome = outcome;
    this.#closed();
    const wake = this.#wake;
    this.#wake = null;
    if (!wake) return;
    if (outcome) wake.reject(outcome.error);
    else wake.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<never> {
    return this;
  }

  next(): Promise<IteratorResult<never>> {
    if (this.#settled) {
      return this.#outcome
        ? Promise.reject(this.#outcome.error)
        : Promise.resolve({ done: true, value: undefined });
    }
    return new Promise((resolve, reject) => (this.#wake = { resolve, reject }));
  }

  /** The client completed the operation, or its socket closed. */
  return(): Promise<IteratorResult<never>> {
    this.#waiting = null;
    this.#settle(null);
    this.#left(this);
    return Promise.resolve({ done: true, value: undefined });
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function isAsyncIterator(value: unknown): value is AsyncIterator<ExecutionResult> {
  return typeof value === 'object' && value !== null && 'next' in value;
}
