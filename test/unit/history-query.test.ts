import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/shared/errors.js';
import {
  DEFAULT_HISTORY_RETENTION,
  MAX_POINTS,
  RAW_WINDOW_SLACK_MS,
  planHistoryQuery,
  type HistoryRequest,
  type HistoryRetention,
} from '../../src/domain/history/query.js';

const NOW = Date.parse('2026-03-01T12:00:30.500Z');
const MINUTE = 60_000;

function plan(request: HistoryRequest, retention: HistoryRetention = DEFAULT_HISTORY_RETENTION) {
  return planHistoryQuery(request, NOW, retention);
}

function refusal(request: HistoryRequest, retention?: HistoryRetention): InvalidInputError {
  try {
    plan(request, retention);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error(`accepted ${JSON.stringify(request)}`);
}

describe('planning a statsHistory request', () => {
  it('defaults to the last 15 minutes of 1 s samples as recorded, `to` included', () => {
    expect(plan({})).toEqual({ source: 'samples', fromMs: NOW - 15 * MINUTE, toMs: NOW + 1, stepMs: null });
    const to = new Date(NOW - 30_000);
    expect(plan({ to })).toEqual({
      source: 'samples',
      fromMs: to.getTime() - 15 * MINUTE,
      toMs: to.getTime() + 1,
      stepMs: null,
    });
  });

  it('defaults to 60 s steps from the minute aggregates once the range starts before the 1 s samples', () => {
    const from = new Date(NOW - 2 * 60 * MINUTE);
    expect(plan({ from })).toEqual({
      source: 'minutes',
      // Whole buckets: from the one holding `from` to the one holding `to`.
      fromMs: from.getTime() - (from.getTime() % MINUTE),
      toMs: NOW - (NOW % MINUTE) + MINUTE,
      stepMs: MINUTE,
    });
  });

  it('still serves 1 s samples to a range starting a little before their window (clocks apart)', () => {
    const from = new Date(NOW - 15 * MINUTE - RAW_WINDOW_SLACK_MS);
    expect(plan({ from }).stepMs).toBeNull();
    expect(plan({ from: new Date(from.getTime() - 1) }).stepMs).toBe(MINUTE);
  });

  it('buckets steps under a minute from the 1 s samples and whole-minute steps from the aggregates', () => {
    const from = new Date(NOW - 10 * MINUTE + 1234);
    expect(plan({ from, stepSeconds: 5 })).toEqual({
      source: 'samples',
      fromMs: from.getTime() - (from.getTime() % 5000),
      toMs: NOW - (NOW % 5000) + 5000,
      stepMs: 5000,
    });
    expect(plan({ from, stepSeconds: 90 }).source).toBe('samples');
    expect(plan({ from, stepSeconds: 120 }).source).toBe('minutes');
    expect(plan({ from: new Date(NOW - 23 * 60 * MINUTE), stepSeconds: 300 }).source).toBe('minutes');
  });

  it('does not refuse a range reaching past the retention: only what is kept counts toward the points', () => {
    const from = new Date(NOW - 30 * 24 * 60 * MINUTE);
    expect(plan({ from, stepSeconds: 60 }).stepMs).toBe(MINUTE);
    expect(
      plan({ from: new Date(NOW - 5 * MINUTE), to: new Date(NOW + 365 * 24 * 60 * MINUTE) }).stepMs,
    ).toBeNull();
  });
});

describe('bad statsHistory input is INVALID_INPUT naming the field', () => {
  it('refuses `from` after `to`', () => {
    const error = refusal({ from: new Date(NOW), to: new Date(NOW - 1000) });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.field).toBe('from');
    expect(plan({ from: new Date(NOW), to: new Date(NOW) }).stepMs).toBeNull();
  });

  it('refuses a step under 1 s, fractional, or longer than the retention', () => {
    for (const stepSeconds of [0, -60, 1.5, 86_401, 2 ** 31 - 1]) {
      expect(refusal({ stepSeconds }).field).toBe('stepSeconds');
    }
    expect(plan({ stepSeconds: 86_400 }).stepMs).toBe(86_400_000);
  });

  it('refuses a step that is not whole minutes for a range older than the 1 s samples', () => {
    const from = new Date(NOW - 60 * MINUTE);
    for (const stepSeconds of [1, 30, 90]) {
      const error = refusal({ from, stepSeconds });
      expect(error.field).toBe('stepSeconds');
      expect(error.message).toMatch(/whole minutes/);
    }
  });

  it(`refuses a request for more than ${MAX_POINTS} points`, () => {
    // Only a long raw retention makes this reachable: a day of 1 s samples.
    const retention = { rawMs: 24 * 60 * MINUTE, minutesMs: 7 * 24 * 60 * MINUTE };
    const from = new Date(NOW - 5 * 60 * MINUTE);
    const error = refusal({ from, stepSeconds: 1 }, retention);
    expect(error.field).toBe('stepSeconds');
    expect(error.message).toMatch(/18001 steps of 1 s/);
    expect(plan({ from, stepSeconds: 2 }, retention).stepMs).toBe(2000);
    // A week of minutes, the longest retention, fits.
    expect(plan({ from: new Date(NOW - 7 * 24 * 60 * MINUTE) }, retention).stepMs).toBe(MINUTE);
  });
});
