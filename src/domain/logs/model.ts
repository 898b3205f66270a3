export type LogStreamName = 'stdout' | 'stderr';

/** One line a container wrote. */
export interface DecodedLine {
  stream: LogStreamName;
  /** Docker's RFC 3339 timestamp with nanoseconds, as sent; ordering and de-duplication use it. */
  timestamp: string;
  text: string;
}
