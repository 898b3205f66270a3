import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Container } from '../../src/domain/containers/model.js';
import {
  AutoUpdateService,
  AutoUpdateStore,
  MAX_TIMER_MS,
  type AutoUpdateActions,
  type WindowTimer,
} from '../../src/domain/updates/auto-update.js';
import type { ContainerImageFinding, ImageUpdate } from '../../src/domain/updates/model.js';
import { nextOpening, validateWindow, windowOpen, WEEKDAYS } from '../../src/domain/updates/window.js';
import { BerthDatabase } from '../../src/platform/store/database.js';
import { InvalidInputError } from '../../src/shared/errors.js';
import { waitFor } from '../support/wait.js';

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

describe('the next opening of a window (pure rules)', () => {
  const berlin = (days: (typeof WEEKDAYS)[number][], start: string, end: string) =>
    validateWindow({ days, start, end, timeZone: 'Europe/Berlin' }, ['w']);

  it('is the start on the next day the window names, in its time zone across a DST change', () => {
    // Summer time begins in Berlin on Sunday 2026-03-29 at 01:00 UTC (02:00 becomes 03:00).
    expect(nextOpening(berlin(['SATURDAY'], '04:00', '06:00'), at('2026-03-27T12:00:00Z'))).toEqual(
      at('2026-03-28T03:00:00Z'),
    );
    expect(nextOpening(berlin(['SUNDAY'], '04:00', '06:00'), at('2026-03-28T12:00:00Z'))).toEqual(
      at('2026-03-29T02:00:00Z'),
    );
    // 02:30 does not happen that night: the window opens when the clocks jump past it.
    expect(nextOpening(berlin(['SUNDAY'], '02:30', '05:00'), at('2026-03-28T12:00:00Z'))).toEqual(
      at('2026-03-29T01:00:00Z'),
    );
    // Winter time begins on 2026-10-25 (03:00 becomes 02:00): 02:30 happens twice, the first opens it,
    // and a window closed in between opens again at the second.
    expect(nextOpening(berlin(['SUNDAY'], '02:30', '05:00'), at('2026-10-24T12:00:00Z'))).toEqual(
      at('2026-10-25T00:30:00Z'),
    );
    expect(nextOpening(berlin(['SUNDAY'], '02:00', '02:30'), at('2026-10-25T00:40:00Z'))).toEqual(
      at('2026-10-25T01:00:00Z'),
    );
    // Far from UTC: Auckland (+12, +13 from Sunday 2026-09-27 02:00, which becomes 03:00).
    const auckland = validateWindow(
      { days: ['SUNDAY'], start: '02:30', end: '05:00', timeZone: 'Pacific/Auckland' },
      ['w'],
    );
    expect(nextOpening(auckland, at('2026-09-25T00:00:00Z'))).toEqual(at('2026-09-26T14:00:00Z'));
    expect(nextOpening(auckland, at('2026-09-30T00:00:00Z'))).toEqual(at('2026-10-03T13:30:00Z'));
  });

  it('is a week on when the day is today and its start has passed, and never for a window always open', () => {
    const friday = validateWindow({ days: ['FRIDAY'], start: '22:00', end: '02:00' }, ['w']);
    expect(nextOpening(friday, at('2026-12-04T23:00:00Z'))).toEqual(at('2026-12-11T22:00:00Z'));
    expect(nextOpening(friday, at('2026-12-04T22:00:00Z'))).toEqual(at('2026-12-11T22:00:00Z'));
    const weekend = validateWindow({ days: ['SATURDAY', 'SUNDAY'], start: '00:00', end: '24:00' }, ['w']);
    // Saturday 00:00 opens it; Sunday 00:00 only goes on with it.
    expect(nextOpening(weekend, at('2026-12-04T23:00:00Z'))).toEqual(at('2026-12-05T00:00:00Z'));
    expect(nextOpening(weekend, at('2026-12-05T00:00:00Z'))).toEqual(at('2026-12-12T00:00:00Z'));
    const always = validateWindow({ days: [...WEEKDAYS], start: '00:00', end: '24:00' }, ['w']);
    expect(nextOpening(always, at('2026-12-04T23:00:00Z'))).toBeNull();
  });
});

/** A timer the test fires by hand: one armed at a time, as the service keeps it. */
class ManualTimer implements WindowTimer {
  armed: { fire: () => void; ms: number; handle: number } | null = null;
  #handles = 0;

  set(fire: () => void, ms: number): unknown {
    this.armed = { fire, ms, handle: ++this.#handles };
    return this.armed.handle;
  }

  clear(handle: unknown): void {
    if (this.armed?.handle === handle) this.armed = null;
  }

  fire(): void {
    const armed = this.armed;
    if (!armed) throw new Error('no timer armed');
    this.armed = null;
    armed.fire();
  }
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('AutoUpdateService at a window opening (a manual timer and clock stand in for time)', () => {
  let dataDir: string;
  let database: BerthDatabase;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'berth-auto-update-'));
    database = BerthDatabase.open({ dataDir });
  });

  afterEach(() => {
    database.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function setUp(now: Date, options: { checkOverdue?: boolean } = {}) {
    const clock = { now };
    const timer = new ManualTimer();
    const web = {
      id: 'a'.repeat(64),
      name: 'web',
      image: '127.0.0.1:5000/t/web:v1',
      imageId: 'sha256:old',
      labels: [],
    };
    const finding = {
      update: { reference: web.image },
      runningDigest: 'sha256:1',
      remoteDigest: 'sha256:2',
      behind: true,
    } as unknown as ContainerImageFinding;
    const done: string[] = [];
    const actions: AutoUpdateActions = {
      containers: () => [web as unknown as Container],
      pull: async (reference) => void done.push(`pull ${reference}`),
      redeployContainer: async (id, image) => {
        done.push(`redeploy ${id.slice(0, 4)} onto ${image}`);
        return { containerId: 'b'.repeat(64) };
      },
      findStack: async () => ({}),
      audit: () => undefined,
    };
    let checks = 0;
    let onChecked: ((updates: ImageUpdate[]) => void) | undefined;
    const updates = {
      onChecked: (listener: (updates: ImageUpdate[]) => void) => {
        onChecked = listener;
        return () => {
          onChecked = undefined;
        };
      },
      findingFor: () => finding,
      recheckLocally: async () => null,
      checkOverdue: () => options.checkOverdue ?? false,
      check: async () => {
        checks += 1;
        onChecked?.([]);
        return [];
      },
    };
    const service = new AutoUpdateService(new AutoUpdateStore(database), updates, actions, silent, {
      now: () => clock.now,
      timer,
    });
    return { service, timer, clock, done, checks: () => checks };
  }

  it('arms the timer for the next opening (DST-correct in Europe/Berlin) and re-arms it on each change', async () => {
    // Saturday noon, the day before summer time begins.
    const { service, timer } = setUp(at('2026-03-28T12:00:00Z'));
    service.start();
    expect(timer.armed).toBeNull();
    await service.set({
      container: 'web',
      enabled: true,
      window: { days: ['SUNDAY'], start: '04:00', end: '06:00', timeZone: 'Europe/Berlin' },
    });
    // 04:00 CEST is 02:00 UTC: 14 hours on, not the 15 a CET reading would give.
    expect(service.nextWindowOpening()).toEqual(at('2026-03-29T02:00:00Z'));
    expect(timer.armed?.ms).toBe(14 * 3_600_000);

    await service.set({ container: 'web', enabled: false });
    expect(timer.armed).toBeNull();
    expect(service.nextWindowOpening()).toBeNull();
    await service.stop();
  });

  it('arms again for what is left when the timer wakes before the opening, acting on nothing', async () => {
    // Saturday noon; the window opens on Fridays.
    const { service, timer, clock, done } = setUp(at('2026-12-05T12:00:00Z'));
    service.start();
    await service.set({
      container: 'web',
      enabled: true,
      window: { days: ['FRIDAY'], start: '01:00', end: '02:00' },
    });
    expect(service.nextWindowOpening()).toEqual(at('2026-12-11T01:00:00Z'));
    // A weekly window opens within 8 days, under setTimeout's 2^31-1 ms (24.8 days): one wait.
    expect(timer.armed?.ms).toBe(at('2026-12-11T01:00:00Z').getTime() - clock.now.getTime());
    expect(timer.armed?.ms).toBeLessThan(MAX_TIMER_MS);
    // Woken a day early (a clamped delay, a suspended host): it waits on for the rest.
    clock.now = at('2026-12-10T01:00:00Z');
    timer.fire();
    await waitFor(async () => timer.armed !== null);
    expect(timer.armed?.ms).toBe(24 * 3_600_000);
    expect(done).toEqual([]);
    await service.stop();
  });

  it('applies an update the last check found pending when the timer fires at the opening, and arms the next', async () => {
    const { service, timer, clock, done, checks } = setUp(at('2026-12-05T12:00:00Z'));
    service.start();
    await service.set({
      container: 'web',
      enabled: true,
      window: { days: ['SATURDAY'], start: '22:00', end: '23:00' },
    });
    expect(service.nextWindowOpening()).toEqual(at('2026-12-05T22:00:00Z'));
    expect(done).toEqual([]);

    clock.now = at('2026-12-05T22:00:00Z');
    timer.fire();
    await waitFor(async () => service.list()[0]?.lastOutcome !== null);
    expect(done).toEqual(['pull 127.0.0.1:5000/t/web:v1', 'redeploy aaaa onto 127.0.0.1:5000/t/web:v1']);
    expect(service.list()[0]).toMatchObject({ lastOutcome: { result: 'UPDATED', toDigest: 'sha256:2' } });
    // The last check was recent: nothing asked a registry.
    expect(checks()).toBe(0);
    await waitFor(
      async () => service.nextWindowOpening()?.getTime() === at('2026-12-12T22:00:00Z').getTime(),
    );
    await service.stop();
    expect(timer.armed).toBeNull();
  });

  it('checks first when the schedule’s check is overdue at the opening', async () => {
    const { service, timer, clock, done, checks } = setUp(at('2026-12-05T12:00:00Z'), { checkOverdue: true });
    service.start();
    await service.set({
      container: 'web',
      enabled: true,
      window: { days: ['SATURDAY'], start: '22:00', end: '23:00' },
    });
    clock.now = at('2026-12-05T22:00:00Z');
    timer.fire();
    await waitFor(async () => service.list()[0]?.lastOutcome !== null);
    expect(checks()).toBe(1);
    expect(done).toHaveLength(2);
    await service.stop();
  });
});
