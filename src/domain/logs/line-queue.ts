/**
 * An async iterator over pushed values that never holds more than `limit` of them: when the reader
 * is behind, the oldest are dropped and the reader is told how many, in order, before the rest.
 */
export class LineQueue<T> implements AsyncIterableIterator<T> {
  // A ring: a full queue drops its oldest line on every push, which Array#shift makes O(n).
  readonly #ring: (T | undefined)[];
  #head = 0;
  #size = 0;
  #dropped = 0;
  #ended = false;
  #error: Error | undefined;
  #waiting: ((result: IteratorResult<T>) => void) | undefined;
  #failWaiting: ((error: Error) => void) | undefined;

  constructor(
    private readonly limit: number,
    private readonly options: { onReturn: () => void; dropped: (count: number) => T },
  ) {
    this.#ring = new Array<T | undefined>(limit);
  }

  /** Lines waiting for the reader now. */
  get size(): number {
    return this.#size;
  }

  /** Lines dropped since the reader was last told. */
  get dropped(): number {
    return this.#dropped;
  }

  push(item: T): void {
    if (this.#ended) return;
    if (this.#waiting) {
      this.#take()({ value: item, done: false });
      return;
    }
    if (this.limit === 0) {
      this.#dropped += 1;
      return;
    }
    if (this.#size === this.limit) {
      this.#ring[this.#head] = item; // overwrites the oldest, which becomes the newest
      this.#head = (this.#head + 1) % this.limit;
      this.#dropped += 1;
      return;
    }
    this.#ring[(this.#head + this.#size) % this.limit] = item;
    this.#size += 1;
  }

  /** No more values; the reader drains what is queued, then sees the end (or `error`). */
  end(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    if (this.#waiting) {
      if (error) this.#fail(error);
      else this.#take()({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#dropped > 0) {
      const count = this.#dropped;
      this.#dropped = 0;
      return Promise.resolve({ value: this.options.dropped(count), done: false });
    }
    if (this.#size > 0) {
      const item = this.#ring[this.#head] as T;
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.limit;
      this.#size -= 1;
      return Promise.resolve({ value: item, done: false });
    }
    if (this.#ended) {
      return this.#error ? Promise.reject(this.#error) : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#ring.fill(undefined);
    this.#size = 0;
    this.#dropped = 0;
    this.end();
    this.options.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  #take(): (result: IteratorResult<T>) => void {
    const resolve = this.#waiting!;
    this.#waiting = undefined;
    this.#failWaiting = undefined;
    return resolve;
  }

  #fail(error: Error): void {
    const reject = this.#failWaiting!;
    this.#waiting = undefined;
    this.#failWaiting = undefined;
    reject(error);
  }
}
