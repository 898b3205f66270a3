import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { DecodedLine } from '../domain/logs/model.js';
import type { LogFollow, LogQuery } from '../domain/logs/ports.js';
import { LogDecoder } from './log-decoder.js';
import { toDomainError } from './errors.js';

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
  docker: Docker,
  id: string,
  tty: boolean,
  query: LogQuery,
): Promise<DecodedLine[]> {
  let body: Buffer;
  try {
    body = (await docker.getContainer(id).logs({ ...logOptions(query), follow: false })) as unknown as Buffer;
  } catch (error) {
    throw toDomainError(error, 'inspect', id);
  }
  const lines: DecodedLine[] = [];
  const decoder = new LogDecoder(tty, (line) => lines.push(line));
  decoder.push(Buffer.isBuffer(body) ? body : Buffer.from(String(body)));
  decoder.end();
  return lines;
}

/**
 * Follows the container's logs: first what `query` selects from the past, then each new line, until
 * the container stops (the engine ends the stream) or `close()`.
 */
export async function followLogs(
  docker: Docker,
  id: string,
  tty: boolean,
  query: LogQuery,
  handlers: { line: (line: DecodedLine) => void; end: (error?: Error) => void },
): Promise<LogFollow> {
  let stream: Readable;
  try {
    stream = (await docker
      .getContainer(id)
      .logs({ ...logOptions(query), follow: true })) as unknown as Readable;
  } catch (error) {
    throw toDomainError(error, 'inspect', id);
  }
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
