import { EventEmitter } from 'node:events';
import type { LogEngine, LogFollow, LogQuery } from './ports.js';
import type { Container } from '../containers/model.js';
import type { ContainerIndex } from '../containers/container-index.js';
import { EngineUnavailableError, InvalidInputError, NotFoundError } from '../../shared/errors.js';
import { compareBytes, copyBytes } from '../../shared/bytes.js';
import type { DecodedLine, LineView } from './model.js';
import { LineQueue } from './line-queue.js';

export type LogLineStream = 'STDOUT' | 'STDERR' | 'SYSTEM';

export interface LogLine {
  /** SYSTEM lines are berth's own notes in a stream (lines dropped for a slow reader). */
  stream: LogLineStream;
  at: Date;
  text: string;
}

export interface LogRequest {
  tail?: number | null | undefined;
  since?: Date | null | undefined;
  until?: Date | null | undefined;
  stdout?: boolean | null | undefined;
  stderr?: boolean | null | undefined;
}

/** At most this many lines in one answer; a follow keeps this many for a slow reader. */
export const MAX_TAIL = 10_000;
/**
 * A follow keeps at most this many bytes of lines for a slow reader: 10,000 lines of up to 1.6 KiB
 * each, fewer of longer ones (a line may be 1 MiB, and 10,000 of those would be 10 GiB).
 */
export const MAX_FOLLOW_BYTES = 16 * 1024 * 1024;
const DEFAULT_TAIL = 100;

export function toLogLine(line: DecodedLine): LogLine {
  const at = new Date(line.timestamp);
  return {
    stream: line.stream === 'stdout' ? 'STDOUT' : 'STDERR',
    at: Number.isNaN(at.getTime()) ? new Date() : at,
    text: line.text,
  };
}

/** A followed line as its reader gets it: the strings are made here, once it is delivered. */
export function viewToLogLine(line: LineView): LogLine {
  const at = new Date(line.stamp.toString('latin1', line.stampStart, line.stampEnd));
  return {
    stream: line.stream === 'stdout' ? 'STDOUT' : 'STDERR',
    at: Number.isNaN(at.getTime()) ? new Date() : at,
    text: line.text.toString('utf8', line.textStart, line.textEnd),
  };
}

/**
 * Checks a logs request before any engine call. A plain read answers the last 100 lines unless
 * told otherwise; a follow starts from now unless `tail` or `since` reach back.
 */
export function validateLogRequest(request: LogRequest, follow: boolean) {
  const { tail, since, until } = request;
  if (tail != null && (!Number.isInteger(tail) || tail < 0 || tail > MAX_TAIL)) {
    throw new InvalidInputError('tail', `must be a whole number from 0 to ${MAX_TAIL}`);
  }
  if (since && until && since.getTime() > until.getTime()) {
    throw new InvalidInputError('until', 'must not be before since');
  }
  const stdout = request.stdout ?? true;
  const stderr = request.stderr ?? true;
  if (!stdout && !stderr)
    throw new InvalidInputError('stdout', 'at least one of stdout and stderr must be true');
  return {
    tail: tail ?? (since ? MAX_TAIL : follow ? 0 : DEFAULT_TAIL),
    ...(since && { since }),
    ...(until && { until }),
    stdout,
    stderr,
  };
}

/** Container output: read at once, or followed line by line with a bounded buffer per reader. */
export class LogService {
  #following = 0;

  constructor(
    private readonly engine: LogEngine,
    private readonly followBufferLines = MAX_TAIL,
    private readonly followBufferBytes = MAX_FOLLOW_BYTES,
  ) {}

  /** Engine log streams open now for followers: what a test counts to see them released. */
  get openFollows(): number {
    return this.#following;
  }

  async lines(container: Container, request: LogRequest): Promise<LogLine[]> {
    const query = validateLogRequest(request, false);
    const lines = await this.engine.logs(container.id, container.tty, query);
    return lines.map(toLogLine);
  }

  /**
   * Follows the container's output until it stops or the reader leaves; each reader has its own
   * engine stream (its tail and since are its own), released when the reader's iterator returns.
   * A reader that falls `followBufferLines` behind (or `followBufferBytes`, for long lines) loses the
   * oldest lines, told by a SYSTEM line. Lines wait as bytes: a line costs a string only once it is
   * delivered.
   *
   * Given the container's `index`, the follow outlives its engine: when the engine's stream ends
   * while the engine does not answer, it waits for the index to be back and follows again from the
   * last line delivered (`since` its time), skipping what was delivered already, so lines the engine
   * kept meanwhile arrive once each. It still ends when the container stops or is removed.
   */
  async follow(
    container: Container,
    request: LogRequest,
    index?: ContainerIndex,
  ): Promise<LineQueue<LogLine>> {
    const query = validateLogRequest(request, true);
    const openedAt = new Date();
    let handle: LogFollow | undefined;
    let released = false;
    // Wakes a wait for the engine when the reader leaves.
    const leaving = new EventEmitter<{ left: [] }>();
    // Ends the engine stream once, whoever goes first: the reader leaving or the stream ending.
    const close = () => {
      if (!handle) return;
      this.#following -= 1;
      handle.close();
      handle = undefined;
    };
    const release = () => {
      if (released) return;
      released = true;
      close();
      leaving.emit('left');
    };
    const queue = new LineQueue<LogLine>({
      limit: this.followBufferLines,
      maxBytes: this.followBufferBytes,
      line: viewToLogLine,
      onReturn: release,
      dropped: (count) => ({
        stream: 'SYSTEM',
        at: new Date(),
        text: `[berth] ${count} line${count === 1 ? '' : 's'} dropped: the reader fell behind`,
      }),
    });
    const delivered = new DeliveredMark();
    const open = async (from: LogQuery) => {
      const skip = delivered.skipper();
      const opened = await this.engine.followLogs(container.id, container.tty, from, {
        line: (line) => {
          if (skip(line)) return;
          delivered.note(line);
          queue.push(line);
        },
        end: (error) => {
          close();
          if (released) return;
          if (!index) {
            release();
            queue.end(error);
            return;
          }
          void this.#followAgain(
            container.id,
            index,
            leaving,
            () => released,
            async () => {
              // Docker reads `since` in milliseconds here: the lines of that millisecond already
              // delivered are skipped by their nanosecond timestamps.
              await open({ ...query, tail: MAX_TAIL, since: delivered.since() ?? query.since ?? openedAt });
            },
          ).then(
            (outcome) => {
              if (outcome === 'opened' || released) return;
              release();
              queue.end();
            },
            (failure: unknown) => {
              if (released) return;
              release();
              queue.end(failure instanceof Error ? failure : new Error(String(failure)));
            },
          );
        },
      });
      if (released) {
        opened.close();
      } else {
        handle = opened;
        this.#following += 1;
      }
    };
    await open(query);
    return queue;
  }

  /**
   * After a follow's engine stream ended: opens it again while the container runs, or once its
   * engine is back after an outage; resolves when there is nothing more to follow (the container
   * stopped or is gone, or the reader left), or rejects with an unexpected failure.
   */
  async #followAgain(
    id: string,
    index: ContainerIndex,
    leaving: EventEmitter<{ left: [] }>,
    left: () => boolean,
    open: () => Promise<void>,
  ): Promise<'opened' | 'ended'> {
    for (;;) {
      if (!(await this.#resume(id, index, leaving, left)) || left()) return 'ended';
      try {
        await open();
        return 'opened';
      } catch (error) {
        if (error instanceof NotFoundError) return 'ended';
        if (!(error instanceof EngineUnavailableError)) throw error;
      }
    }
  }

  /**
   * After a follow's engine stream ended: true to follow again (the container runs, or its engine
   * is back after an outage and may have kept lines), false when the container stopped or is gone.
   * Whether the engine is away is its index's to say: while it is, this waits for it to be back.
   * An engine that stops stops its containers first and then stops answering, and one with a
   * restart policy starts them again when it is back: such a container's follow that ends with it
   * stopped waits a moment for the index to say whether its engine is going away.
   */
  async #resume(
    id: string,
    index: ContainerIndex,
    leaving: EventEmitter<{ left: [] }>,
    left: () => boolean,
  ): Promise<boolean> {
    let outage = false;
    for (;;) {
      if (left()) return false;
      try {
        const container = await index.refresh(id);
        if (!container) return false;
        // Once back after an outage, follow again even if it is stopped: the engine's kept lines
        // since the last one delivered come, then that stream ends and so does this one.
        if (container.status === 'RUNNING' || outage) return true;
        if (container.restartPolicy.name === 'NO') return false;
        const going =
          !index.available || (await waitForIndex(index, 'unavailable', STOPPING_ENGINE_MS, leaving));
        if (!going) return false;
      } catch (error) {
        if (error instanceof NotFoundError) return false;
        if (!(error instanceof EngineUnavailableError)) throw error;
      }
      outage = true;
      // The index may not have seen the outage yet (then a short retry), else it says when it ends.
      await waitForIndex(index, 'available', index.available ? RECHECK_MS : MAX_WAIT_MS, leaving);
    }
  }
}

/** True once `index` emits `event`, false after `ms` or when the reader leaves. */
function waitForIndex(
  index: ContainerIndex,
  event: 'available' | 'unavailable',
  ms: number,
  leaving: EventEmitter<{ left: [] }>,
): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (outcome: boolean) => () => {
      clearTimeout(timer);
      index.off(event, happened);
      leaving.off('left', left);
      resolve(outcome);
    };
    const happened = settle(true);
    const left = settle(false);
    const timer = setTimeout(settle(false), ms);
    index.once(event, happened);
    leaving.once('left', left);
  });
}

/** How long a follow whose restartable container stopped waits to hear its engine is going away. */
const STOPPING_ENGINE_MS = 2_000;
/** How soon to ask again when the engine failed but its index has not noticed (yet). */
const RECHECK_MS = 1_000;
/** A wait for the index to be back also asks the engine this often, in case an event was missed. */
const MAX_WAIT_MS = 30_000;

/** Nanoseconds since the epoch of Docker's RFC 3339 timestamp, or undefined when it is not one. */
export function timestampNanos(timestamp: string): bigint | undefined {
  const match = /^(.+T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(timestamp);
  if (!match) return undefined;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/**
 * Where a follow stands: the timestamp of the last line delivered and how many lines carried it,
 * so a stream opened again from that millisecond skips exactly what was delivered. It sees every
 * line the engine sends, dropped ones included, so it keeps the timestamp as bytes and compares
 * bytes: Docker's timestamps (`2026-12-04T13:42:40.123456789Z`, nine digits always, UTC) order as
 * their bytes do; any other form is compared by its nanoseconds.
 */
export class DeliveredMark {
  readonly #last = Buffer.alloc(STAMP_BYTES);
  #lastLength = 0;
  #atLast = 0;

  note(line: LineView): void {
    const order = compareStamps(line, this.#last, this.#lastLength);
    if (order === undefined) return;
    if (order === 0) {
      this.#atLast += 1;
    } else if (order > 0) {
      this.#lastLength = line.stampEnd - line.stampStart;
      copyBytes(line.stamp, line.stampStart, line.stampEnd, this.#last, 0);
      this.#atLast = 1;
    }
  }

  /** Where to follow from again: the millisecond of the last line delivered. */
  since(): Date | undefined {
    const last = this.#lastLength === 0 ? undefined : timestampNanos(this.#lastString());
    return last === undefined ? undefined : new Date(Number(last / 1_000_000n));
  }

  /** For a stream opened now: whether each of its lines was delivered already. */
  skipper(): (line: LineView) => boolean {
    if (this.#lastLength === 0) return () => false;
    const last = Buffer.from(this.#last.subarray(0, this.#lastLength));
    let repeats = this.#atLast;
    let caughtUp = false;
    return (line) => {
      if (caughtUp) return false;
      const order = compareStamps(line, last, last.length);
      if (order === undefined || order > 0) {
        caughtUp = true;
        return false;
      }
      if (order < 0) return true;
      if (repeats > 0) {
        repeats -= 1;
        return true;
      }
      caughtUp = true;
      return false;
    };
  }

  #lastString(): string {
    return this.#last.toString('latin1', 0, this.#lastLength);
  }
}

/** Longer than any timestamp the decoder takes (40 bytes). */
const STAMP_BYTES = 64;
/** `2026-12-04T13:42:40.123456789Z`: Docker's own form, which orders as its bytes do. */
const FIXED_STAMP_BYTES = 30;

function isFixedStamp(bytes: Buffer, start: number, end: number): boolean {
  return end - start === FIXED_STAMP_BYTES && bytes[start + 19] === 0x2e && bytes[end - 1] === 0x5a;
}

/**
 * How `line`'s timestamp orders against `last[0, lastLength)` (which, when empty, everything follows):
 * negative before, 0 the same, positive after; undefined when the line's is no timestamp.
 */
function compareStamps(line: LineView, last: Buffer, lastLength: number): number | undefined {
  const { stamp, stampStart, stampEnd } = line;
  if (stampEnd === stampStart) return undefined;
  if (isFixedStamp(stamp, stampStart, stampEnd) && isFixedStamp(last, 0, lastLength)) {
    return compareBytes(stamp, stampStart, stampEnd, last, 0, lastLength);
  }
  const at = timestampNanos(stamp.toString('latin1', stampStart, stampEnd));
  if (at === undefined) return undefined;
  if (lastLength === 0) return 1;
  const before = timestampNanos(last.toString('latin1', 0, lastLength));
  if (before === undefined) return 1;
  return at === before ? 0 : at > before ? 1 : -1;
}
