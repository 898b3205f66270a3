import { formatWithOptions, inspect } from 'node:util';
import type { Logger } from '../shared/logger.js';
import type { Config } from './config.js';

/**
 * berth's log: what graphql-yoga's `createLogger` printed (debug and info on stdout, warn and error
 * on stderr, the level first), but without yoga's fixed ANSI colours when the stream is not a
 * terminal, and as one JSON object per line with LOG_FORMAT=json:
 *   {"time":"2026-…Z","level":"error","message":"shutdown failed","error":{"name":…,"message":…,"stack":…}}
 * Written here, a few lines, rather than taken from a logging library: berth needs four levels
 * and two formats, and the logger's shape (Yoga's) stays what every layer already calls.
 */

export type LogLevel = Config['logLevel'];
export type LogFormat = Config['logFormat'];

/** Where a level's lines go: a process stream, or anything a test hands in. */
export interface LogStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** debug and info. */
  stdout?: LogStream;
  /** warn and error. */
  stderr?: LogStream;
  now?: () => Date;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

// The labels and colours yoga's logger used, so text logs read as they did on a terminal.
const LABELS: Record<LogLevel, { text: string; colour: string }> = {
  debug: { text: 'DEBUG', colour: '\x1b[35m' },
  info: { text: 'INFO', colour: '\x1b[36m' },
  warn: { text: 'WARN', colour: '\x1b[33m' },
  error: { text: 'ERR', colour: '\x1b[31m' },
};
const RESET = '\x1b[0m';

interface ErrorDetails {
  name: string;
  message: string;
  stack?: string;
  code?: unknown;
  cause?: ErrorDetails | string;
}

function errorDetails(error: Error, depth = 0): ErrorDetails {
  const details: ErrorDetails = { name: error.name, message: error.message };
  if (error.stack !== undefined) details.stack = error.stack;
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) details.code = typeof code === 'number' ? code : String(code);
  if (error.cause !== undefined && depth < 3) {
    details.cause = error.cause instanceof Error ? errorDetails(error.cause, depth + 1) : String(error.cause);
  }
  return details;
}

/** One JSON line: the message from every argument but the first Error, which goes in `error`. */
export function jsonLine(level: LogLevel, args: unknown[], time: Date): string {
  const error = args.find((arg): arg is Error => arg instanceof Error);
  const rest = error === undefined ? args : args.filter((arg) => arg !== error);
  const message = rest
    .map((arg) =>
      typeof arg === 'string' ? arg : inspect(arg, { colors: false, breakLength: Infinity, depth: 4 }),
    )
    .join(' ');
  return `${JSON.stringify({
    time: time.toISOString(),
    level,
    message,
    ...(error !== undefined && { error: errorDetails(error) }),
  })}\n`;
}

/** A text line as console.log would print it, coloured only when `colour` says so. */
export function textLine(level: LogLevel, args: unknown[], colour: boolean): string {
  const label = LABELS[level];
  const prefix = colour ? `${label.colour}${label.text}${RESET}` : label.text;
  return `${formatWithOptions({ colors: colour }, prefix, ...args)}\n`;
}

export function createLogger(options: LoggerOptions): Logger {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const now = options.now ?? (() => new Date());
  const threshold = LEVELS.indexOf(options.level);
  const writer = (level: LogLevel) => {
    if (LEVELS.indexOf(level) < threshold) return () => undefined;
    const stream = level === 'debug' || level === 'info' ? stdout : stderr;
    return (...args: unknown[]) => {
      stream.write(
        options.format === 'json'
          ? jsonLine(level, args, now())
          : textLine(level, args, stream.isTTY === true),
      );
    };
  };
  return { debug: writer('debug'), info: writer('info'), warn: writer('warn'), error: writer('error') };
}
