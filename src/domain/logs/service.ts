import type { LogEngine, LogFollow } from './ports.js';
import type { Container } from '../containers/model.js';
import { InvalidInputError } from '../../shared/errors.js';
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
   */
  async follow(container: Container, request: LogRequest): Promise<LineQueue<LogLine>> {
    const query = validateLogRequest(request, true);
    let handle: LogFollow | undefined;
    let released = false;
    // Ends the engine stream once, whoever goes first: the reader leaving or the stream ending.
    const release = () => {
      if (released) return;
      released = true;
      if (handle) {
        this.#following -= 1;
        handle.close();
      }
    };
    const queue = new LineQueue<LogLine>(this.followBufferLines, {
      onReturn: release,
      dropped: (count) => ({
        stream: 'SYSTEM',
        at: new Date(),
        text: `[berth] ${count} line${count === 1 ? '' : 's'} dropped: the reader fell behind`,
      }),
    });
    const opened = await this.engine.followLogs(container.id, container.tty, query, {
      line: (line) => queue.push(toLogLine(line)),
      end: (error) => {
        release();
        queue.end(error);
      },
    });
    if (released) {
      opened.close();
    } else {
      handle = opened;
      this.#following += 1;
    }
    return queue;
  }
}
