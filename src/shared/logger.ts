/**
 * What berth's layers below the API log through. Yoga's logger satisfies it, so the composition
 * root hands the same logger to every layer, and the domain and engine need no GraphQL import.
 */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}
