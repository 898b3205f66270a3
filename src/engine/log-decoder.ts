/**
 * Turns the bytes of Docker's log endpoint (with `timestamps=true`) into lines. Without a TTY the
 * engine multiplexes stdout and stderr in frames behind an 8-byte header, one log message each
 * (`<timestamp> <bytes>`, a long line in several); with one it sends the raw terminal bytes, every
 * line starting with its timestamp. Chunks split anywhere, headers included.
 *
 * A followed container can write faster than its readers read, and most of its lines may be dropped
 * for a slow reader: so this allocates nothing per line. It walks each chunk as it comes (no
 * concatenation of what is left over), hands each line over as a view of bytes (`LineView`), in the
 * chunk itself when the line lies whole in one message, else in a buffer per stream reused from line
 * to line, and leaves decoding to whoever keeps the line. A line is assembled from bytes and decoded
 * only when complete, so a UTF-8 character split across frames or chunks comes out whole.
 */

import type { LineView, LogStreamName } from '../domain/logs/model.js';
import { copyBytes } from '../shared/bytes.js';

const HEADER_BYTES = 8;
const NEWLINE = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
/** Docker's timestamps are 30 bytes (`2026-12-04T13:42:40.123456789Z`); anything longer is text. */
const MAX_STAMP_BYTES = 40;
/** A line longer than this is cut and delivered in pieces rather than held in memory without end. */
export const MAX_LINE_BYTES = 1024 * 1024;
/** Where a stream's line buffer starts; it grows for longer lines and shrinks back after them. */
const LINE_BUFFER_BYTES = 4096;
const SHRINK_ABOVE_BYTES = 64 * 1024;

type Phase = 'header' | 'stamp' | 'body' | 'skip';

/** The line a stream has begun and not ended: its bytes so far and its first message's timestamp. */
interface PartialLine {
  open: boolean;
  bytes: Buffer;
  length: number;
  stamp: Buffer;
  stampLength: number;
}

export interface LogDecoderLimits {
  /** A stream's line buffer to begin with (grows up to `maxLineBytes`). */
  lineBufferBytes: number;
  maxLineBytes: number;
}

export class LogDecoder {
  #phase: Phase;
  readonly #header = Buffer.alloc(HEADER_BYTES);
  #headerLength = 0;
  /** Bytes of the current frame not yet read (frames only). */
  #frameLeft = 0;
  #stream: LogStreamName = 'stdout';
  /** The current message's timestamp, or the bytes that may become it while in the `stamp` phase. */
  readonly #stamp = Buffer.alloc(MAX_STAMP_BYTES);
  #stampLength = 0;
  readonly #partial: Record<LogStreamName, PartialLine>;
  /** The one view handed to `onLine`, refilled for each line. */
  readonly #view: LineView;

  constructor(
    private readonly tty: boolean,
    private readonly onLine: (line: LineView) => void,
    private readonly limits: LogDecoderLimits = {
      lineBufferBytes: LINE_BUFFER_BYTES,
      maxLineBytes: MAX_LINE_BYTES,
    },
  ) {
    this.#phase = tty ? 'stamp' : 'header';
    const partial = (): PartialLine => ({
      open: false,
      bytes: Buffer.allocUnsafe(limits.lineBufferBytes),
      length: 0,
      stamp: Buffer.alloc(MAX_STAMP_BYTES),
      stampLength: 0,
    });
    this.#partial = { stdout: partial(), stderr: partial() };
    this.#view = {
      stream: 'stdout',
      stamp: this.#stamp,
      stampStart: 0,
      stampEnd: 0,
      text: this.#stamp,
      textStart: 0,
      textEnd: 0,
    };
  }

  push(chunk: Buffer): void {
    let at = 0;
    const length = chunk.length;
    while (at < length) {
      if (this.#phase === 'header') {
        at = this.#readHeader(chunk, at);
        continue;
      }
      // A frame's payload ends inside this chunk or runs past it; a terminal's stream never ends.
      const limit = this.tty ? length : Math.min(length, at + this.#frameLeft);
      let next: number;
      if (this.#phase === 'skip') next = limit;
      else if (this.#phase === 'stamp') next = this.#readStamp(chunk, at, limit);
      else next = this.#readBody(chunk, at, limit);
      if (!this.tty) {
        this.#frameLeft -= next - at;
        if (this.#frameLeft === 0) this.#endMessage();
      }
      at = next;
    }
  }

  /** Delivers what is left of unterminated lines (the container stopped mid-line). */
  end(): void {
    if (this.#phase === 'stamp') this.#noStamp();
    this.#flush('stdout');
    this.#flush('stderr');
  }

  #readHeader(chunk: Buffer, at: number): number {
    let kind: number;
    let size: number;
    if (this.#headerLength === 0 && chunk.length - at >= HEADER_BYTES) {
      kind = chunk[at]!;
      size = chunk.readUInt32BE(at + 4);
      at += HEADER_BYTES;
    } else {
      const take = Math.min(HEADER_BYTES - this.#headerLength, chunk.length - at);
      copyBytes(chunk, at, at + take, this.#header, this.#headerLength);
      this.#headerLength += take;
      at += take;
      if (this.#headerLength < HEADER_BYTES) return at;
      this.#headerLength = 0;
      kind = this.#header[0]!;
      size = this.#header.readUInt32BE(4);
    }
    if (size === 0) return at;
    this.#frameLeft = size;
    // 1 is stdout, 2 stderr; 0 (stdin) never carries log output.
    if (kind === 1 || kind === 2) {
      this.#stream = kind === 1 ? 'stdout' : 'stderr';
      this.#phase = 'stamp';
      this.#stampLength = 0;
    } else {
      this.#phase = 'skip';
    }
    return at;
  }

  /**
   * At a message's start: reads `<RFC 3339 timestamp> ` into #stamp. What does not look like one
   * (no space within 40 bytes, a byte no timestamp has) is text, with '' for timestamp.
   */
  #readStamp(chunk: Buffer, at: number, limit: number): number {
    while (at < limit) {
      const byte = chunk[at]!;
      if (byte === SPACE) {
        if (this.#stampLength > 0 && isStamp(this.#stamp, this.#stampLength)) {
          this.#phase = 'body';
          return at + 1;
        }
        this.#noStamp();
        return at;
      }
      if (this.#stampLength === MAX_STAMP_BYTES || !isStampByte(byte)) {
        this.#noStamp();
        return at;
      }
      this.#stamp[this.#stampLength] = byte;
      this.#stampLength += 1;
      at += 1;
    }
    return at;
  }

  /** What was read as a possible timestamp is the message's text: it carries none. */
  #noStamp(): void {
    const length = this.#stampLength;
    this.#stampLength = 0;
    this.#phase = 'body';
    // Copied into the line buffer before anything else writes #stamp (it holds no newline).
    if (length > 0) this.#append(this.#partial[this.#stream], this.#stamp, 0, length);
  }

  /** A message's bytes: each newline ends a line, which takes the timestamp of its first message. */
  #readBody(chunk: Buffer, at: number, limit: number): number {
    const partial = this.#partial[this.#stream];
    while (at < limit) {
      const newline = chunk.indexOf(NEWLINE, at);
      if (newline < 0 || newline >= limit) {
        this.#append(partial, chunk, at, limit);
        return limit;
      }
      if (partial.open) {
        this.#append(partial, chunk, at, newline);
        this.#flush(this.#stream);
      } else {
        // The whole line is in this chunk: handed over where it lies, nothing copied (in pieces
        // past the longest line, as an assembled one would be).
        const { maxLineBytes } = this.limits;
        let start = at;
        for (; newline - start > maxLineBytes; start += maxLineBytes) {
          this.#emit(this.#stamp, this.#stampLength, chunk, start, start + maxLineBytes);
        }
        this.#emit(this.#stamp, this.#stampLength, chunk, start, newline);
      }
      at = newline + 1;
      if (this.tty) {
        // A terminal's next line starts with its own timestamp.
        this.#phase = 'stamp';
        this.#stampLength = 0;
        return at;
      }
    }
    return at;
  }

  #endMessage(): void {
    if (this.#phase === 'stamp') this.#noStamp();
    this.#phase = 'header';
  }

  /** Adds bytes to a stream's unfinished line, delivering it in pieces past the longest line. */
  #append(partial: PartialLine, source: Buffer, start: number, end: number): void {
    if (!partial.open) {
      partial.open = true;
      copyBytes(this.#stamp, 0, this.#stampLength, partial.stamp, 0);
      partial.stampLength = this.#stampLength;
    }
    const { maxLineBytes } = this.limits;
    while (start < end) {
      const wanted = partial.length + (end - start);
      if (wanted > partial.bytes.length && partial.bytes.length < maxLineBytes) {
        const grown = Buffer.allocUnsafe(Math.min(maxLineBytes, Math.max(wanted, partial.bytes.length * 2)));
        partial.bytes.copy(grown, 0, 0, partial.length);
        partial.bytes = grown;
      }
      const take = Math.min(end - start, partial.bytes.length - partial.length);
      copyBytes(source, start, start + take, partial.bytes, partial.length);
      partial.length += take;
      start += take;
      if (partial.length === maxLineBytes) {
        // A piece; the rest of the line goes on with the same timestamp, in the same buffer.
        this.#flush(partial === this.#partial.stdout ? 'stdout' : 'stderr', start < end);
      }
    }
  }

  #flush(stream: LogStreamName, continued = false): void {
    const partial = this.#partial[stream];
    if (!partial.open) return;
    const saved = this.#stream;
    this.#stream = stream;
    this.#emit(partial.stamp, partial.stampLength, partial.bytes, 0, partial.length);
    this.#stream = saved;
    partial.open = continued;
    partial.length = 0;
    // One long line does not keep a long buffer for every line after it.
    if (!continued && partial.bytes.length > SHRINK_ABOVE_BYTES) {
      partial.bytes = Buffer.allocUnsafe(this.limits.lineBufferBytes);
    }
  }

  #emit(stamp: Buffer, stampLength: number, text: Buffer, start: number, end: number): void {
    const view = this.#view;
    view.stream = this.#stream;
    view.stamp = stamp;
    view.stampStart = 0;
    view.stampEnd = stampLength;
    view.text = text;
    view.textStart = start;
    view.textEnd = end > start && text[end - 1] === CR ? end - 1 : end;
    this.onLine(view);
  }
}

/** Bytes a timestamp is made of: digits, `-:.T`, `Z` and `+`. */
function isStampByte(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x3a) || // 0-9 and ':'
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x54 || // T
    byte === 0x5a || // Z
    byte === 0x2b // +
  );
}

const isDigit = (byte: number | undefined) => byte !== undefined && byte >= 0x30 && byte <= 0x39;

/** `YYYY-MM-DDT<digits, ':' and '.'>` then `Z` or `±HH:MM`, the shape of Docker's timestamps. */
export function isStamp(bytes: Buffer, length: number): boolean {
  if (length < 12) return false;
  if (!isDigit(bytes[0]) || !isDigit(bytes[1]) || !isDigit(bytes[2]) || !isDigit(bytes[3])) return false;
  if (!isDigit(bytes[5]) || !isDigit(bytes[6]) || !isDigit(bytes[8]) || !isDigit(bytes[9])) return false;
  if (bytes[4] !== 0x2d || bytes[7] !== 0x2d || bytes[10] !== 0x54) return false;
  let end = length;
  if (bytes[length - 1] === 0x5a) {
    end = length - 1;
  } else {
    const sign = bytes[length - 6];
    if (length < 18 || (sign !== 0x2b && sign !== 0x2d)) return false;
    if (!isDigit(bytes[length - 5]) || !isDigit(bytes[length - 4]) || bytes[length - 3] !== 0x3a)
      return false;
    if (!isDigit(bytes[length - 2]) || !isDigit(bytes[length - 1])) return false;
    end = length - 6;
  }
  if (end <= 11) return false;
  for (let index = 11; index < end; index += 1) {
    const byte = bytes[index]!;
    if (!isDigit(byte) && byte !== 0x3a && byte !== 0x2e) return false;
  }
  return true;
}
