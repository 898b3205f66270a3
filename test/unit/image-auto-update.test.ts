import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/shared/errors.js';
import { validateWindow, windowOpen, WEEKDAYS } from '../../src/domain/updates/window.js';

const at = (iso: string) => new Date(iso);

describe('maintenance windows (pure rules)', () => {
  it('is open from start to end on the days it names, in its time zone', () => {
    // 2026-12-05 is a Saturday.
    const weekend = validateWindow({ days: ['SATURDAY', 'SUNDAY'], start: '02:00', end: '05:00' }, ['w']);
    expect(weekend.timeZone).toBe('UTC');
    expect(windowOpen(weekend, at('2026-12-05T01:59:00Z'))).toBe(false);
    expect(windowOpen(weekend, at('2026-12-05T02:00:00Z'))).toBe(true);
    expect(windowOpen(weekend, at('2026-12-05T04:59:00Z'))).toBe(true);
    expect(windowOpen(weekend, at('2026-12-05T05:00:00Z'))).toBe(false);
    expect(windowOpen(weekend, at('2026-12-04T03:00:00Z'))).toBe(false); // Friday

    const berlin = validateWindow(
      { days: ['SATURDAY'], start: '02:00', end: '05:00', timeZone: 'Europe/Berlin' },
      ['w'],
    );
    // 02:00 in Berlin is 01:00 UTC in December.
    expect(windowOpen(berlin, at('2026-12-05T01:30:00Z'))).toBe(true);
    expect(windowOpen(berlin, at('2026-12-05T04:30:00Z'))).toBe(false);
  });

  it('closes on the next day when end is at or before start, and 24:00 ends the day', () => {
    const night = validateWindow({ days: ['FRIDAY'], start: '22:00', end: '02:00' }, ['w']);
    expect(windowOpen(night, at('2026-12-04T23:00:00Z'))).toBe(true); // Friday
    expect(windowOpen(night, at('2026-12-05T01:00:00Z'))).toBe(true); // Saturday, opened Friday
    expect(windowOpen(night, at('2026-12-05T23:00:00Z'))).toBe(false); // Saturday does not open it
    expect(windowOpen(night, at('2026-12-04T01:00:00Z'))).toBe(false); // Thursday did not open it
    const always = validateWindow({ days: [...WEEKDAYS], start: '00:00', end: '24:00' }, ['w']);
    expect(windowOpen(always, at('2026-12-05T23:59:00Z'))).toBe(true);
  });

  it('refuses what is not a window with INVALID_INPUT naming the field', () => {
    const refusal = (input: Parameters<typeof validateWindow>[0]) => {
      try {
        validateWindow(input, ['input', 'window']);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidInputError);
        return (error as InvalidInputError).field;
      }
      throw new Error('accepted');
    };
    expect(refusal({ days: [], start: '01:00', end: '02:00' })).toBe('input.window.days');
    expect(refusal({ days: ['MONDAY', 'MONDAY'], start: '01:00', end: '02:00' })).toBe('input.window.days');
    expect(refusal({ days: ['MONDAY'], start: '24:00', end: '02:00' })).toBe('input.window.start');
    expect(refusal({ days: ['MONDAY'], start: '1:00', end: '02:00' })).toBe('input.window.start');
    expect(refusal({ days: ['MONDAY'], start: '01:00', end: '02:60' })).toBe('input.window.end');
    expect(refusal({ days: ['MONDAY'], start: '01:00', end: '01:00' })).toBe('input.window.end');
    expect(refusal({ days: ['MONDAY'], start: '01:00', end: '02:00', timeZone: 'Mars/Olympus' })).toBe(
      'input.window.timeZone',
    );
  });
});
