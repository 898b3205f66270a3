import type { LineView, LogStreamName } from './model.js';
import { copyBytes } from '../../shared/bytes.js';

/**
 * A follower's lines waiting for its reader: an async iterator that never holds more than `limit`
 * lines, nor more than `maxBytes` of them. When the reader is behind, the oldest are dropped and the
 * reader is told how many, in order, before the rest.
 *
 * A fast writer followed by a slow reader sends lines that will mostly be dropped, so a waiting line
 * is no object and no string: its bytes are copied into one buffer used as a ring (timestamp then
 * text, one after the other), with its lengths in typed arrays. A reader's value is made (`line`)
 * only when the reader takes it, or at once when the reader is already waiting.
 */
export interface LineQueueOptions<T> {
  /** Lines kept at most (0: none, every line that finds no waiting reader is dropped). */
  limit: number;
  /** Bytes of timestamps and text kept at most: long lines are dropped sooner than `limit` says. */
  maxBytes: number;
  /** The reader's value of a line (the view is valid only during the call). */
  line: (line: LineView) => T;
  /** The note a reader gets of `count` lines dropped. */
  dropped: (count: number) => T;
  onReturn: () => void;
}

const FIRST_BYTES = 16 * 1024;
const FIRST_ENTRIES = 256;
/** A queue drained empty gives back a ring grown past this (a reader that caught up). */
const KEEP_BYTES = 1024 * 1024;
const STREAMS: readonly LogStreamName[] = ['stdout', 'stderr'];

export class LineQueue<T> implements AsyncIterableIterator<T> {
  // The byte ring: entry i is `#bytes[#offsets[i], + #stampLengths[i] + #textLengths[i])`, at least
  // one byte long (an empty line takes one), so where the newest ends (#writeAt) says whether the
  // ring has wrapped: at or before the oldest's offset.
  #bytes: Buffer;
  #writeAt = 0;
  // The entry ring: #size entries from #head, oldest first.
  #offsets: Uint32Array;
  #stampLengths: Uint8Array;
  #textLengths: Uint32Array;
  #streams: Uint8Array;
  #head = 0;
  #size = 0;
  #dropped = 0;
  #ended = false;
  #error: Error | undefined;
  #waiting: ((result: IteratorResult<T>) => void) | undefined;
  #failWaiting: ((error: Error) => void) | undefined;
  readonly #view: LineView;

  constructor(private readonly options: LineQueueOptions<T>) {
    const entries = Math.min(FIRST_ENTRIES, options.limit);
    this.#bytes = Buffer.allocUnsafe(options.limit === 0 ? 0 : Math.min(FIRST_BYTES, options.maxBytes));
    this.#offsets = new Uint32Array(entries);
    this.#stampLengths = new Uint8Array(entries);
    this.#textLengths = new Uint32Array(entries);
    this.#streams = new Uint8Array(entries);
    this.#view = {
      stream: 'stdout',
      stamp: this.#bytes,
      stampStart: 0,
      stampEnd: 0,
      text: this.#bytes,
      textStart: 0,
      textEnd: 0,
    };
  }

  /** Lines waiting for the reader now. */
  get size(): number {
    return this.#size;
  }

  /** Lines dropped since the reader was last told. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Bytes held for lines waiting (the ring, whatever it holds now). */
  get heldBytes(): number {
    return this.#bytes.length;
  }

  push(line: LineView): void {
    if (this.#ended) return;
    if (this.#waiting) {
      this.#take()({ value: this.options.line(line), done: false });
      return;
    }
    const stampLength = line.stampEnd - line.stampStart;
    const textLength = line.textEnd - line.textStart;
    const span = Math.max(1, stampLength + textLength);
    if (this.options.limit === 0 || span > this.options.maxBytes || stampLength > 0xff) {
      this.#dropped += 1;
      return;
    }
    if (this.#size === this.options.limit) this.#dropOldest();
    else if (this.#size === this.#offsets.length) this.#growEntries();
    const at = this.#place(span);
    copyBytes(line.stamp, line.stampStart, line.stampEnd, this.#bytes, at);
    copyBytes(line.text, line.textStart, line.textEnd, this.#bytes, at + stampLength);
    const entry = (this.#head + this.#size) % this.#offsets.length;
    this.#offsets[entry] = at;
    this.#stampLengths[entry] = stampLength;
    this.#textLengths[entry] = textLength;
    this.#streams[entry] = line.stream === 'stdout' ? 0 : 1;
    this.#size += 1;
    this.#writeAt = at + span;
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
      const value = this.options.line(this.#viewOf(this.#head));
      this.#head = (this.#head + 1) % this.#offsets.length;
      this.#size -= 1;
      if (this.#size === 0) this.#drained();
      return Promise.resolve({ value, done: false });
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
    this.#size = 0;
    this.#dropped = 0;
    this.#bytes = Buffer.alloc(0);
    this.end();
    this.options.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  #viewOf(entry: number): LineView {
    const view = this.#view;
    const offset = this.#offsets[entry]!;
    const stampEnd = offset + this.#stampLengths[entry]!;
    view.stream = STREAMS[this.#streams[entry]!]!;
    view.stamp = this.#bytes;
    view.stampStart = offset;
    view.stampEnd = stampEnd;
    view.text = this.#bytes;
    view.textStart = stampEnd;
    view.textEnd = stampEnd + this.#textLengths[entry]!;
    return view;
  }

  #span(entry: number): number {
    return Math.max(1, this.#stampLengths[entry]! + this.#textLengths[entry]!);
  }

  /** Where `span` bytes go: after the newest, or at the ring's start; room made when there is none. */
  #place(span: number): number {
    for (;;) {
      if (this.#size === 0) {
        this.#writeAt = 0;
        if (span <= this.#bytes.length) return 0;
      } else {
        const oldest = this.#offsets[this.#head]!;
        if (this.#writeAt > oldest) {
          // Not wrapped: free after the newest, and before the oldest.
          if (this.#bytes.length - this.#writeAt >= span) return this.#writeAt;
          if (oldest >= span) return 0;
        } else if (oldest - this.#writeAt >= span) {
          // Wrapped: free between the newest and the oldest.
          return this.#writeAt;
        }
      }
      if (this.#bytes.length < this.options.maxBytes) this.#growBytes(span);
      else this.#dropOldest();
    }
  }

  #dropOldest(): void {
    this.#head = (this.#head + 1) % this.#offsets.length;
    this.#size -= 1;
    this.#dropped += 1;
    if (this.#size === 0) this.#writeAt = 0;
  }

  /** A bigger ring, the waiting lines copied into it oldest first. */
  #growBytes(span: number): void {
    let held = 0;
    for (let i = 0; i < this.#size; i += 1) held += this.#span((this.#head + i) % this.#offsets.length);
    let length = Math.max(this.#bytes.length * 2, FIRST_BYTES);
    while (length < held + span) length *= 2;
    const grown = Buffer.allocUnsafe(Math.min(length, this.options.maxBytes));
    let at = 0;
    for (let i = 0; i < this.#size; i += 1) {
      const entry = (this.#head + i) % this.#offsets.length;
      const offset = this.#offsets[entry]!;
      const entrySpan = this.#span(entry);
      this.#bytes.copy(grown, at, offset, offset + entrySpan);
      this.#offsets[entry] = at;
      at += entrySpan;
    }
    this.#bytes = grown;
    this.#writeAt = at;
  }

  /** More entries (up to `limit`), the waiting ones moved to the start, oldest first. */
  #growEntries(): void {
    const capacity = Math.min(this.options.limit, this.#offsets.length * 2);
    const move = <A extends Uint32Array | Uint8Array>(from: A, to: A): A => {
      for (let i = 0; i < this.#size; i += 1) to[i] = from[(this.#head + i) % from.length]!;
      return to;
    };
    this.#offsets = move(this.#offsets, new Uint32Array(capacity));
    this.#stampLengths = move(this.#stampLengths, new Uint8Array(capacity));
    this.#textLengths = move(this.#textLengths, new Uint32Array(capacity));
    this.#streams = move(this.#streams, new Uint8Array(capacity));
    this.#head = 0;
  }

  #drained(): void {
    this.#writeAt = 0;
    if (this.#bytes.length > KEEP_BYTES) this.#bytes = Buffer.allocUnsafe(FIRST_BYTES);
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
