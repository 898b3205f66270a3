import { format } from 'node:util';
import type { YogaLogger } from 'graphql-yoga';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  text: string;
}

/** A logger that keeps what berth logs, for tests that assert a client's mistake logs no error. */
export interface RecordingLogger {
  readonly logger: YogaLogger;
  readonly lines: LogLine[];
  /** The error lines (stack traces included) logged so far. */
  errors(): string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (...args: unknown[]) =>
      lines.push({ level, text: format(...args) });
  return {
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    lines,
    errors: () => lines.filter((line) => line.level === 'error').map((line) => line.text),
  };
}
