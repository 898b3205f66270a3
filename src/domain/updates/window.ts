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
