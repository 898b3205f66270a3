import type { DecodedLine } from './model.js';

export interface LogQuery {
  tail?: number;
  since?: Date;
  until?: Date;
  stdout: boolean;
  stderr: boolean;
}

export interface LogFollow {
  /** Stops following and releases the engine's stream. */
  close(): void;
}

/** What the log domain needs of an engine (implemented by src/engine/logs.ts). */
export interface LogEngine {
  /** The container's past output, as lines. */
  logs(id: string, tty: boolean, query: LogQuery): Promise<DecodedLine[]>;
  /** Follows the container's output until it stops or `close()`. */
  followLogs(
    id: string,
    tty: boolean,
    query: LogQuery,
    handlers: { line: (line: DecodedLine) => void; end: (error?: Error) => void },
  ): Promise<LogFollow>;
}
