/**
 * Turns the bytes of Docker's log endpoint (with `timestamps=true`) into lines. Without a TTY the
 * engine multiplexes stdout and stderr in frames behind an 8-byte header; with one it sends the raw
 * terminal bytes. Either way a line is assembled from bytes and decoded only when complete, so a
 * UTF-8 character split across frames (or chunks) comes out whole.
 */

import type { DecodedLine, LogStreamName } from '../domain/logs/model.js';

const HEADER_BYTES = 8;
const NEWLINE = 0x0a;
const SPACE = 0x20;
// A line longer than this is cut and delivered in pieces rather than held in memory without end.
const MAX_LINE_BYTES = 1024 * 1024;

interface PartialLine {
  timestamp: string | undefined;
  parts: Buffer[];
  bytes: number;
}

export class LogDecoder {
  #pending: Buffer = Buffer.alloc(0);
  readonly #partial: Record<LogStreamName, PartialLine> = {
    stdout: { timestamp: undefined, parts: [], bytes: 0 },
    stderr: { timestamp: undefined, parts: [], bytes: 0 },
  };

  constructor(
    private readonly tty: boolean,
    private readonly onLine: (line: DecodedLine) => void,
  ) {}

  push(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    if (this.tty) this.#raw();
    else this.#frames();
  }

  /** Delivers what is left of unterminated lines (the container stopped mid-line). */
  end(): void {
    if (this.tty && this.#pending.length > 0) {
      const { stamp, body } = splitStamp(this.#pending);
      this.#pending = Buffer.alloc(0);
      this.#append('stdout', stamp, body);
    }
    for (const stream of ['stdout', 'stderr'] as const) this.#flush(stream);
  }

  /** Frames: one log message each, `<timestamp> <bytes>`; a long line comes in several. */
  #frames(): void {
    while (this.#pending.length >= HEADER_BYTES) {
      const size = this.#pending.readUInt32BE(4);
      if (this.#pending.length < HEADER_BYTES + size) return;
      const kind = this.#pending[0];
      const payload = this.#pending.subarray(HEADER_BYTES, HEADER_BYTES + size);
      this.#pending = this.#pending.subarray(HEADER_BYTES + size);
      // 1 is stdout, 2 stderr; 0 (stdin) never carries log output.
      if (kind !== 1 && kind !== 2) continue;
      const { stamp, body } = splitStamp(payload);
      this.#append(kind === 1 ? 'stdout' : 'stderr', stamp, body);
    }
  }

  /** A terminal's bytes: every line starts with its timestamp; chunks split anywhere. */
  #raw(): void {
    let newline: number;
    while ((newline = this.#pending.indexOf(NEWLINE)) >= 0) {
      const { stamp, body } = splitStamp(this.#pending.subarray(0, newline + 1));
      this.#pending = this.#pending.subarray(newline + 1);
      this.#append('stdout', stamp, body);
    }
    if (this.#pending.length >= MAX_LINE_BYTES) {
      const { stamp, body } = splitStamp(this.#pending);
      this.#pending = Buffer.alloc(0);
      this.#append('stdout', stamp, body);
      this.#flush('stdout');
    }
  }

  /** Adds a message's bytes to its stream's line, delivering each line its newline completes. */
  #append(stream: LogStreamName, stamp: string, body: Buffer): void {
    const partial = this.#partial[stream];
    let rest = body;
    for (;;) {
      if (partial.timestamp === undefined) partial.timestamp = stamp;
      const newline = rest.indexOf(NEWLINE);
      const piece = newline < 0 ? rest : rest.subarray(0, newline);
      partial.parts.push(piece);
      partial.bytes += piece.length;
      if (newline < 0) {
        if (partial.bytes >= MAX_LINE_BYTES) this.#flush(stream);
        return;
      }
      this.#flush(stream);
      rest = rest.subarray(newline + 1);
      if (rest.length === 0) return;
    }
  }

  #flush(stream: LogStreamName): void {
    const partial = this.#partial[stream];
    if (partial.timestamp === undefined) return;
    let text = Buffer.concat(partial.parts).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    this.onLine({ stream, timestamp: partial.timestamp, text });
    partial.timestamp = undefined;
    partial.parts = [];
    partial.bytes = 0;
  }
}

/** Splits Docker's `<RFC 3339 timestamp> ` prefix from a message; '' when there is none. */
function splitStamp(message: Buffer): { stamp: string; body: Buffer } {
  const space = message.indexOf(SPACE);
  if (space > 0 && space <= 40) {
    const stamp = message.subarray(0, space).toString('latin1');
    if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(stamp))
      return { stamp, body: message.subarray(space + 1) };
  }
  return { stamp: '', body: message };
}
