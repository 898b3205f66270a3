import { EventEmitter } from 'node:events';
import type { LogEngine, LogFollow, LogQuery } from './ports.js';
import type { Container } from '../containers/model.js';
import type { ContainerIndex } from '../containers/container-index.js';
import { EngineUnavailableError, InvalidInputError, NotFoundError } from '../../shared/errors.js';
import type { DecodedLine } from './model.js';
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
const DEFAULT_TAIL = 100;

export function toLogLine(line: DecodedLine): LogLine {
  const at = new Date(line.timestamp);
  return {
    stream: line.stream === 'stdout' ? 'STDOUT' : 'STDERR',
    at: Number.isNaN(at.getTime()) ? new Date() : at,
    text: line.text,
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
   * A reader that falls `followBufferLines` behind loses the oldest lines, told by a SYSTEM line.
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
    const queue = new LineQueue<LogLine>(this.followBufferLines, {
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
          queue.push(toLogLine(line));
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
 * so a stream opened again from that millisecond skips exactly what was delivered.
 */
export class DeliveredMark {
  #last: bigint | undefined;
  #atLast = 0;

  note(line: DecodedLine): void {
    const at = timestampNanos(line.timestamp);
    if (at === undefined) return;
    if (at === this.#last) {
      this.#atLast += 1;
    } else if (this.#last === undefined || at > this.#last) {
      this.#last = at;
      this.#atLast = 1;
    }
  }

  /** Where to follow from again: the millisecond of the last line delivered. */
  since(): Date | undefined {
    return this.#last === undefined ? undefined : new Date(Number(this.#last / 1_000_000n));
  }

  /** For a stream opened now: whether each of its lines was delivered already. */
  skipper(): (line: DecodedLine) => boolean {
    const last = this.#last;
    if (last === undefined) return () => false;
    let repeats = this.#atLast;
    let caughtUp = false;
    return (line) => {
      if (caughtUp) return false;
      const at = timestampNanos(line.timestamp);
      if (at === undefined || at > last) {
        caughtUp = true;
        return false;
      }
      if (at < last) return true;
      if (repeats > 0) {
        repeats -= 1;
        return true;
      }
      caughtUp = true;
      return false;
    };
  }
}
