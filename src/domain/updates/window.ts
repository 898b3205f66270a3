import { z } from 'zod';
import { toInvalidInput } from '../../shared/validation.js';

/** Maintenance windows: when an automatic update may replace what runs. */

export const WEEKDAYS = [
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
  'SUNDAY',
] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface MaintenanceWindow {
  /** The days on which the window opens (a window past midnight closes on the next day). */
  days: Weekday[];
  /** `HH:MM`, in `timeZone`. */
  start: string;
  /** `HH:MM` (or `24:00`), in `timeZone`; at or before `start`, the window ends on the next day. */
  end: string;
  /** An IANA time zone (`Europe/Berlin`), `UTC` by default. */
  timeZone: string;
}

export interface MaintenanceWindowInput {
  days?: readonly Weekday[] | null | undefined;
  start?: string | null | undefined;
  end?: string | null | undefined;
  timeZone?: string | null | undefined;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutesOf(time: string): number {
  if (time === '24:00') return 24 * 60;
  const [hours, minutes] = time.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/** The zone as Intl names it, or null when Intl does not know it. */
function canonicalZone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const windowSchema = z
  .object({
    days: z
      .array(z.enum(WEEKDAYS, { error: `must be one of ${WEEKDAYS.join(', ')}` }))
      .min(1, 'must name at least one day')
      .refine((days) => new Set(days).size === days.length, 'must not name a day twice'),
    start: z.string().refine((value) => TIME.test(value), 'must be a time of day as HH:MM (00:00 to 23:59)'),
    end: z
      .string()
      .refine(
        (value) => value === '24:00' || TIME.test(value),
        'must be a time of day as HH:MM (00:00 to 24:00)',
      ),
    timeZone: z
      .string()
      .max(64, 'must be at most 64 characters')
      .refine(
        (value) => canonicalZone(value) !== null,
        'is not a time zone this system knows (e.g. UTC, Europe/Berlin)',
      )
      .nullish(),
  })
  .refine((window) => window.start !== window.end, {
    path: ['end'],
    message: 'must differ from start (00:00 to 24:00 is the whole day)',
  });

/** Validates a window; `prefix` is where it sits in the caller's input. */
export function validateWindow(input: MaintenanceWindowInput, prefix: readonly string[]): MaintenanceWindow {
  const parsed = windowSchema.safeParse(input);
  if (!parsed.success) throw toInvalidInput(parsed.error, prefix);
  const { days, start, end, timeZone } = parsed.data;
  return {
    days: WEEKDAYS.filter((day) => days.includes(day)),
    start,
    end,
    timeZone: canonicalZone(timeZone ?? 'UTC') ?? 'UTC',
  };
}

const SHORT_DAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/** The weekday and minute of the day at `at` in `timeZone`. */
function localTime(at: Date, timeZone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    day: SHORT_DAYS[part('weekday')] ?? 0,
    minute: Number(part('hour')) * 60 + Number(part('minute')),
  };
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The wall clock in `timeZone` at `at`, to the minute, as milliseconds of the same reading in UTC. */
function wallClock(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'));
}

/**
 * The instants at which the wall clock in `timeZone` reads `wall`, earliest first: none in a
 * spring-forward gap, two in a fall-back hour. Each lies within a day of `wall` read as UTC (offsets
 * are under 15 hours), and the offset changes at most once in the two days around it.
 */
function instantsOf(wall: number, timeZone: string): number[] {
  const offsets = new Set(
    [wall - DAY, wall + DAY].map((near) => wallClock(near, timeZone) - Math.floor(near / MINUTE) * MINUTE),
  );
  return [...offsets]
    .map((offset) => wall - offset)
    .filter((instant) => wallClock(instant, timeZone) === wall)
    .sort((a, b) => a - b);
}

/** Minute-aligned `at`, rounded up. */
function ceilMinute(at: number): number {
  return Math.ceil(at / MINUTE) * MINUTE;
}

/**
 * The next instant after `after` at which the window opens (closed the minute before, open from
 * then on, as windowOpen reads it), or null when it never closes (every day, 00:00 to 24:00).
 * A start the clocks skip (02:30 on the night summer time begins) opens when they jump past it.
 */
export function nextOpening(window: MaintenanceWindow, after: Date): Date | null {
  const opens = (instant: number) =>
    instant > after.getTime() &&
    windowOpen(window, new Date(instant)) &&
    !windowOpen(window, new Date(instant - MINUTE));
  const start = minutesOf(window.start) * MINUTE;
  const today = Math.floor(wallClock(after.getTime(), window.timeZone) / DAY) * DAY;
  // A week and a day: the same weekday again, and the day a DST change may have moved it to.
  for (let day = 0; day <= 8; day++) {
    const midnight = today + day * DAY;
    // 1970-01-01 was a Thursday: WEEKDAYS[3].
    if (!window.days.includes(WEEKDAYS[(Math.floor(midnight / DAY) + 3) % 7]!)) continue;
    const wall = midnight + start;
    const instants = instantsOf(wall, window.timeZone);
    if (instants.length === 0) {
      // Skipped by the clocks: the window opens at the jump, the first minute whose clock is past it.
      let low = ceilMinute(wall - DAY);
      let high = ceilMinute(wall + DAY);
      while (high - low > MINUTE) {
        const middle = low + Math.floor((high - low) / 2 / MINUTE) * MINUTE;
        if (wallClock(middle, window.timeZone) >= wall) high = middle;
        else low = middle;
      }
      instants.push(high);
    }
    const found = instants.find(opens);
    if (found !== undefined) return new Date(found);
  }
  return null;
}

/** Whether the window is open at `at`. */
export function windowOpen(window: MaintenanceWindow, at: Date): boolean {
  const { day, minute } = localTime(at, window.timeZone);
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const opensOn = (weekday: number) => window.days.includes(WEEKDAYS[(weekday + 7) % 7]!);
  if (start < end) return opensOn(day) && minute >= start && minute < end;
  // Past midnight: open from start today, or until end on the day after a day it opened.
  return (opensOn(day) && minute >= start) || (opensOn(day - 1) && minute < end);
}
