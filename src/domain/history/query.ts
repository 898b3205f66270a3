import { InvalidInputError } from '../../shared/errors.js';
import { MINUTE_MS } from './store.js';

/** How long each resolution is kept. */
export interface HistoryRetention {
  /** The 1 s samples, as the stats hub's tick took them. */
  rawMs: number;
  /** The 1-minute aggregates. */
  minutesMs: number;
}

export const DEFAULT_HISTORY_RETENTION: HistoryRetention = {
  rawMs: 15 * MINUTE_MS,
  minutesMs: 24 * 60 * MINUTE_MS,
};

/** What `Container.statsHistory` asks for; each part optional. */
export interface HistoryRequest {
  from?: Date | null | undefined;
  to?: Date | null | undefined;
  stepSeconds?: number | null | undefined;
}

/**
 * How to answer a request: the 1 s samples as recorded in `[fromMs, toMs)` (step 1), or one
 * point per step-aligned bucket, each whole, from the samples or (steps in whole minutes) from the
 * minute aggregates.
 */
export type HistoryPlan =
  | { source: 'samples'; fromMs: number; toMs: number; stepMs: null }
  | { source: 'samples' | 'minutes'; fromMs: number; toMs: number; stepMs: number };

export const DEFAULT_RANGE_MS = 15 * MINUTE_MS;
/**
 * A range may start this much before the 1 s samples' window and still be served from them: a
 * client that asks for "the last 15 minutes" by its own clock, or a moment before berth reads the
 * request, gets 1 s points rather than an error or minutes (its oldest seconds may be missing).
 */
export const RAW_WINDOW_SLACK_MS = MINUTE_MS;
/** More than a chart has pixels; a week of 1-minute points (10,080) still fits. */
export const MAX_POINTS = 12_000;

/** Validates a request against what is kept (`nowMs` is the present) and plans it; INVALID_INPUT names the field. */
export function planHistoryQuery(
  request: HistoryRequest,
  nowMs: number,
  retention: HistoryRetention,
): HistoryPlan {
  const toMs = request.to == null ? nowMs : timeOf(request.to, 'to');
  const fromMs = request.from == null ? toMs - DEFAULT_RANGE_MS : timeOf(request.from, 'from');
  if (fromMs > toMs) throw new InvalidInputError('from', 'must not be after to');

  const rawWindowStart = nowMs - retention.rawMs - RAW_WINDOW_SLACK_MS;
  const withinRaw = fromMs >= rawWindowStart;
  const maxStepSeconds = Math.floor(retention.minutesMs / 1000);
  const stepSeconds = request.stepSeconds ?? (withinRaw ? 1 : 60);
  if (!Number.isInteger(stepSeconds) || stepSeconds < 1 || stepSeconds > maxStepSeconds) {
    throw new InvalidInputError(
      'stepSeconds',
      `must be a whole number from 1 to ${maxStepSeconds} (the history's retention)`,
    );
  }
  const stepMs = stepSeconds * 1000;
  const wholeMinutes = stepMs % MINUTE_MS === 0;
  if (!wholeMinutes && !withinRaw) {
    throw new InvalidInputError(
      'stepSeconds',
      `1 s samples are kept for ${describe(retention.rawMs)}: a range that starts earlier needs a step in whole minutes (60, 120, …)`,
    );
  }

  // Counted over the part of the range that can hold points, so "since last week" is not refused
  // for the days nothing is kept.
  const keptFrom = Math.max(fromMs, wholeMinutes ? nowMs - retention.minutesMs - MINUTE_MS : rawWindowStart);
  const keptTo = Math.min(toMs, nowMs);
  const points = keptFrom > keptTo ? 0 : Math.floor(keptTo / stepMs) - Math.floor(keptFrom / stepMs) + 1;
  if (points > MAX_POINTS) {
    throw new InvalidInputError(
      'stepSeconds',
      `the range holds ${points} steps of ${stepSeconds} s, more than ${MAX_POINTS}: take a larger step or a shorter range`,
    );
  }

  if (stepSeconds === 1) return { source: 'samples', fromMs, toMs: toMs + 1, stepMs: null };
  return {
    source: wholeMinutes ? 'minutes' : 'samples',
    fromMs: fromMs - modulo(fromMs, stepMs),
    toMs: toMs - modulo(toMs, stepMs) + stepMs,
    stepMs,
  };
}

function timeOf(value: Date, field: string): number {
  const ms = value.getTime();
  if (!Number.isFinite(ms)) throw new InvalidInputError(field, 'not a valid time');
  return ms;
}

/** Buckets are aligned to the epoch, also for times before it. */
function modulo(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

function describe(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
