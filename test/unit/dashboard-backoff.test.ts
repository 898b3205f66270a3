import { describe, expect, it } from 'vitest';
import { retryAfterMs, retryDelayMs } from '../../web/src/backoff.js';

describe("the dashboard's WebSocket back-off", () => {
  it('doubles from 1 s to a 30 s cap, jittered over the upper half of each step', () => {
    const low = () => 0;
    const high = () => 1;
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((retries) => retryDelayMs(retries, 0, high))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
    expect([0, 1, 5, 50].map((retries) => retryDelayMs(retries, 0, low))).toEqual([500, 1000, 15000, 15000]);
  });

  it("never retries before the 1013's retry after", () => {
    expect(retryDelayMs(0, 42_000, () => 0.5)).toBe(42_000);
    expect(retryDelayMs(5, 1_000, () => 1)).toBe(30_000);
  });

  it("reads berth's close reasons", () => {
    expect(retryAfterMs('too many failed authentications from this address; retry after 57 s')).toBe(57_000);
    expect(retryAfterMs('too many requests; retry after 3 s')).toBe(3_000);
    expect(retryAfterMs('going away')).toBe(0);
    expect(retryAfterMs('retry after 999999 s')).toBe(3_600_000);
  });
});
