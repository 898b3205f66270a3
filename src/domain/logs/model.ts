export type LogStreamName = 'stdout' | 'stderr';

/** One line a container wrote. */
export interface DecodedLine {
  stream: LogStreamName;
  /** Docker's RFC 3339 timestamp with nanoseconds, as sent; ordering and de-duplication use it. */
  timestamp: string;
  text: string;
}

/**
 * One line as the engine's decoder holds it, before anything is made of it: its timestamp's and its
 * text's bytes, in buffers the decoder (or a follower's queue) reuses. Valid only during the call
 * that hands it over: a follower keeps what it needs by copying bytes, and makes strings only of the
 * lines it delivers, so a line a slow reader will never see costs no allocation.
 */
export interface LineView {
  stream: LogStreamName;
  /** Docker's timestamp (ASCII), `stamp[stampStart, stampEnd)`; empty when the message had none. */
  stamp: Buffer;
  stampStart: number;
  stampEnd: number;
  /** The line's UTF-8 bytes without its newline (or `\r\n`), `text[textStart, textEnd)`. */
  text: Buffer;
  textStart: number;
  textEnd: number;
}

/** A view's line as strings (the allocation a delivered line costs). */
export function decodeLine(view: LineView): DecodedLine {
  return {
    stream: view.stream,
    timestamp: view.stamp.toString('latin1', view.stampStart, view.stampEnd),
    text: view.text.toString('utf8', view.textStart, view.textEnd),
  };
}
