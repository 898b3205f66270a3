import type { Readable } from 'node:stream';
import { decodeLine, type DecodedLine, type LineView } from '../domain/logs/model.js';
import type { LogFollow, LogQuery } from '../domain/logs/ports.js';
import { LogDecoder } from './log-decoder.js';
import type { EngineCalls } from './calls.js';

/** Docker reads `since`/`until` as Unix seconds with a fraction. */
const seconds = (date: Date) => (date.getTime() / 1000).toFixed(3);

function logOptions(query: LogQuery) {
  return {
    stdout: query.stdout,
    stderr: query.stderr,
    timestamps: true,
    ...(query.tail !== undefined && { tail: query.tail }),
    ...(query.since && { since: seconds(query.since) }),
    ...(query.until && { until: seconds(query.until) }),
  };
}

/** The container's logs up to now, decoded into lines. */
export async function readLogs(
  calls: EngineCalls,
  id: string,
  tty: boolean,
  query: LogQuery,
): Promise<DecodedLine[]> {
  const body = (await calls.run('logs', id, (docker) =>
    docker.getContainer(id).logs({ ...logOptions(query), follow: false }),
  )) as unknown as Buffer;
  const lines: DecodedLine[] = [];
  const decoder = new LogDecoder(tty, (line) => lines.push(decodeLine(line)));
  decoder.push(Buffer.isBuffer(body) ? body : Buffer.from(String(body)));
  decoder.end();
  return lines;
}

/**
 * Follows the container's logs: first what `query` selects from the past, then each new line, until
 * the container stops (the engine ends the stream) or `close()`. Each line is handed over as a view
 * valid only during the call (see `LineView`).
 *
 * The stream is read as fast as the engine sends: a follower keeps the newest lines and drops the
 * oldest for a reader that falls behind, so pausing the engine's stream for it would hand it old
 * lines late instead. What reading costs is kept small instead: no copy of a chunk, no string and
 * no object per line.
 */
export async function followLogs(
  calls: EngineCalls,
  id: string,
  tty: boolean,
  query: LogQuery,
  handlers: { line: (line: LineView) => void; end: (error?: Error) => void },
): Promise<LogFollow> {
  // Timed until the stream is open; the lines then come for as long as the follower stays.
  const stream = (await calls.run('logs.follow', id, (docker) =>
    docker.getContainer(id).logs({ ...logOptions(query), follow: true }),
  )) as unknown as Readable;
  const decoder = new LogDecoder(tty, handlers.line);
  let closed = false;
  const finish = (error?: Error) => {
    if (closed) return;
    closed = true;
    decoder.end();
    handlers.end(error);
  };
  stream.on('data', (chunk: Buffer) => decoder.push(chunk));
  stream.once('end', () => finish());
  stream.once('close', () => finish());
  stream.once('error', (error: Error) => finish(error));
  return {
    close() {
      closed = true;
      stream.destroy();
    },
  };
}
