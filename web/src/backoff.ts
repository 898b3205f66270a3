/** The dashboard's WebSocket retries: how long to wait, and what berth's 1013 asked for. */

/** The first retry waits about this long, each next one twice as long, up to the cap. */
const RETRY_BASE_MS = 1000;
const RETRY_CAP_MS = 30_000;

/**
 * How long to wait before retry number `retries` (0 for the first): exponential, capped, and
 * jittered over its upper half, so tabs cut off together (a berth restart) do not come back in
 * step; never before berth's own "retry after".
 */
export function retryDelayMs(retries: number, retryAfterMs = 0, random: () => number = Math.random): number {
  const exponential = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.min(retries, 16));
  return Math.max(retryAfterMs, exponential / 2 + random() * (exponential / 2));
}

/** The seconds a 1013's reason names ("…; retry after 42 s"), in ms; 0 when it names none. */
export function retryAfterMs(reason: string): number {
  const seconds = /retry after (\d+) s/.exec(reason)?.[1];
  return seconds === undefined ? 0 : Math.min(Number(seconds), 3600) * 1000;
}
