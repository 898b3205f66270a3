import type { DecodedLine, LineView } from './model.js';

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
  /**
   * Follows the container's output until it stops or `close()`. Each line is a view valid only
   * during the `line` call: copy what is kept.
   */
  followLogs(
    id: string,
    tty: boolean,
    query: LogQuery,
    handlers: { line: (line: LineView) => void; end: (error?: Error) => void },
  ): Promise<LogFollow>;
}
