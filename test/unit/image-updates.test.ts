import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Container } from '../../src/domain/containers/model.js';
import type { RegistryManifests, RemoteDigest } from '../../src/domain/updates/ports.js';
import { ImageUpdateService } from '../../src/domain/updates/service.js';
import { ImageUpdateStore } from '../../src/domain/updates/store.js';
import { BerthDatabase } from '../../src/platform/store/database.js';

/**
 * ImageUpdateService's bookkeeping with fake ports (the real engine and a real registry are in
 * test/integration/image-updates.test.ts): a registry that fails once, and a changing clock.
 */

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const digest = (n: number) => `sha256:${String(n).repeat(64)}`;

function setUp(intervalMinutes = 0) {
  const containers = [
    { image: '127.0.0.1:5000/t/app:v1' },
    { image: '127.0.0.1:5000/t/app:v1' },
  ] as Container[];
  const answers: RemoteDigest[] = [];
  const asked: string[] = [];
  const registry: RegistryManifests = {
    manifestDigest: async (image) => {
      asked.push(`${image.registry}/${image.repository}:${image.tag}`);
      return answers.shift() ?? { ok: false, reason: 'no answer left' };
    },
  };
  let minute = 0;
  const service = new ImageUpdateService(
    { list: () => containers },
    { repoDigests: async () => [`127.0.0.1:5000/t/app@${digest(1)}`] },
    registry,
    { intervalMinutes, log: silent, now: () => new Date(Date.UTC(2026, 0, 1, 0, minute++)) },
  );
  return { service, answers, asked };
}

describe('ImageUpdateService (fake ports)', () => {
  it('asks once per reference, keeps `since` across a failed check, and resets it when up to date', async () => {
    const { service, answers, asked } = setUp();
    answers.push({ ok: true, digest: digest(2) });
    const [first] = await service.check();
    expect(asked).toEqual(['127.0.0.1:5000/t/app:v1']);
    expect(first).toMatchObject({ status: 'AVAILABLE', since: new Date(Date.UTC(2026, 0, 1, 0, 0)) });

    answers.push({ ok: false, reason: 'the registry 127.0.0.1:5000 could not be reached: ECONNREFUSED' });
    const [failed] = await service.check();
    expect(failed).toMatchObject({
      status: 'UNKNOWN',
      since: null,
      error: expect.stringContaining('ECONNREFUSED'),
    });

    answers.push({ ok: true, digest: digest(3) });
    const [back] = await service.check();
    expect(back).toMatchObject({ status: 'AVAILABLE', remoteDigest: digest(3), since: first?.since });

    answers.push({ ok: true, digest: digest(1) });
    expect((await service.check())[0]).toMatchObject({ status: 'UP_TO_DATE', since: null });
    answers.push({ ok: true, digest: digest(2) });
    expect((await service.check())[0]?.since).toEqual(new Date(Date.UTC(2026, 0, 1, 0, 4)));
  });

  it('answers null for a reference never checked and for what no tag names', async () => {
    const { service, answers } = setUp();
    expect(service.forImage('127.0.0.1:5000/t/app:v1')).toBeNull();
    answers.push({ ok: true, digest: digest(1) });
    await service.check();
    expect(service.forImage('127.0.0.1:5000/t/app:v1')?.status).toBe('UP_TO_DATE');
    expect(service.forImage(`127.0.0.1:5000/t/app@${digest(1)}`)).toBeNull();
  });

  it('emits only changes, and releases a subscriber that leaves', async () => {
    const { service, answers } = setUp();
    const updates = service.watch('127.0.0.1:5000/t/app:v1');
    const next = updates.next();
    answers.push(
      { ok: true, digest: digest(1) },
      { ok: true, digest: digest(1) },
      { ok: true, digest: digest(2) },
    );
    await service.check();
    expect((await next).value).toMatchObject({ status: 'UP_TO_DATE' });
    await service.check(); // nothing new: nothing sent
    await service.check();
    expect((await updates.next()).value).toMatchObject({ status: 'AVAILABLE' });
    expect(service.watchers()).toBe(1);
    await updates.return?.();
    expect(service.watchers()).toBe(0);
  });

  it('checks once an interval after start, and not after stop (fake timers)', async () => {
    vi.useFakeTimers();
    try {
      const { service, answers, asked } = setUp(5);
      answers.push({ ok: true, digest: digest(1) }, { ok: true, digest: digest(1) });
      service.start();
      expect(asked).toEqual([]); // not at start
      await vi.advanceTimersByTimeAsync(5 * 60_000);
      expect(asked).toHaveLength(1);
      await service.stop();
      await vi.advanceTimersByTimeAsync(60 * 60_000);
      expect(asked).toHaveLength(1);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('compares each container with the image it runs, keeping its since across checks and a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-image-updates-'));
    const database = BerthDatabase.open({ dataDir });
    try {
      // The tag was pulled to digest 2; one container still runs the image of digest 1.
      const old = { image: '127.0.0.1:5000/t/app:v1', imageId: 'sha256:old' };
      const fresh = { image: '127.0.0.1:5000/t/app:v1', imageId: 'sha256:new' };
      const digests: Record<string, number> = {
        '127.0.0.1:5000/t/app:v1': 2,
        'sha256:old': 1,
        'sha256:new': 2,
      };
      let minute = 0;
      const make = () =>
        new ImageUpdateService(
          { list: () => [old, fresh] as Container[] },
          { repoDigests: async (reference) => [`127.0.0.1:5000/t/app@${digest(digests[reference] ?? 9)}`] },
          { manifestDigest: async () => ({ ok: true, digest: digest(2) }) },
          {
            intervalMinutes: 60,
            log: silent,
            now: () => new Date(Date.UTC(2026, 0, 1, 0, minute)),
            store: new ImageUpdateStore(database),
          },
        );
      const service = make();
      expect(service.checkOverdue()).toBe(true);
      const [tag] = await service.check();
      expect(tag).toMatchObject({ status: 'UP_TO_DATE', localDigest: digest(2), since: null });
      expect(service.checkOverdue()).toBe(false);
      const firstSeen = new Date(Date.UTC(2026, 0, 1, 0, 0));
      expect(service.forContainer(old)).toMatchObject({
        status: 'AVAILABLE',
        localDigest: digest(1),
        remoteDigest: digest(2),
        since: firstSeen,
      });
      expect(service.forContainer(fresh)).toMatchObject({ status: 'UP_TO_DATE', since: null });

      minute = 30;
      await service.check();
      expect(service.forContainer(old)?.since).toEqual(firstSeen);
      minute = 100;
      expect(service.checkOverdue()).toBe(true);

      const restarted = make();
      expect(restarted.forContainer(old)).toMatchObject({ status: 'AVAILABLE', since: firstSeen });
      await restarted.check();
      expect(restarted.forContainer(old)?.since).toEqual(firstSeen);
      // Once it runs the registry's image, it is up to date and its since is gone.
      digests['sha256:old'] = 2;
      await restarted.check();
      expect(restarted.forContainer(old)).toMatchObject({ status: 'UP_TO_DATE', since: null });
    } finally {
      database.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
