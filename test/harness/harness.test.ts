// The harness itself: the engine, the test image, and the registry the globalSetup
// provides really work, verified through Docker directly.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, describe, expect, inject, test } from 'vitest';

import { TEST_LABEL, cleanupLabelled, followProgress, statusCodeOf, testDocker } from './docker.js';
import { TEST_PAGE, pingEngine, pingRegistry, pushToRegistry, startEngine, stopEngine } from './engine.js';

const dockerHost = inject('dockerHost');
const testImage = inject('testImage');
const registry = inject('registry');
const docker = testDocker(dockerHost);
const label = `${TEST_LABEL}=harness`;

afterAll(async () => {
  await cleanupLabelled(docker, label);
});

describe('test harness', () => {
  test('the engine answers /_ping', async () => {
    expect(await pingEngine(dockerHost)).toBe(true);
    expect((await docker.version()).ApiVersion).toMatch(/^1\.\d+$/);
  });

  test('the test image serves its page over a port published on 127.0.0.1', async () => {
    const container = await docker.createContainer({
      Image: testImage,
      Labels: { [TEST_LABEL]: 'harness' },
      ExposedPorts: { '80/tcp': {} },
      HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    });
    try {
      await container.start();
      const info = await container.inspect();
      const hostPort = info.NetworkSettings.Ports['80/tcp']?.[0]?.HostPort;
      expect(hostPort).toMatch(/^\d+$/);
      expect(await fetchWithRetry(`http://127.0.0.1:${String(hostPort)}/`)).toContain(TEST_PAGE);
    } finally {
      await container.remove({ force: true, v: true });
    }
  });

  test('the registry answers /v2/', async () => {
    expect(await pingRegistry(registry)).toBe(true);
  });

  test('pushToRegistry leaves an image that must be pulled, and the pull works', async () => {
    const tag = `harness-${randomBytes(4).toString('hex')}`;
    const repo = `${registry}/berth-test/pullme`;
    await pushToRegistry(dockerHost, testImage, `${repo}:${tag}`);

    const missing = await docker
      .getImage(`${repo}:${tag}`)
      .inspect()
      .catch((error: unknown) => error);
    expect(statusCodeOf(missing)).toBe(404);

    const progress = await followProgress(await docker.pull(`${repo}:${tag}`));
    expect(progress.some((message) => message.status?.startsWith('Digest:'))).toBe(true);
    const pulled = await docker.getImage(`${repo}:${tag}`).inspect();
    expect(pulled.Id).toBe((await docker.getImage(testImage).inspect()).Id);
    await docker.getImage(`${repo}:${tag}`).remove();
  });
});

test('a private engine that stops takes its networks’ bridges down with it', async () => {
  const engine = await startEngine({ isolatedBridge: true, extraArgs: ['--shutdown-timeout=2'] });
  let bridge = '';
  try {
    const network = await testDocker(engine.dockerHost).createNetwork({
      Name: `harness-${randomBytes(3).toString('hex')}`,
    });
    bridge = `br-${network.id.slice(0, 12)}`;
    await execFileAsync('ip', ['link', 'show', bridge]);
  } finally {
    await stopEngine(engine);
  }
  // Left up, its address range would stay taken from the pools later engines pick networks from.
  await expect(execFileAsync('ip', ['link', 'show', bridge])).rejects.toThrow();
}, 60_000);

const execFileAsync = promisify(execFile);

/** httpd may need a moment after start before it accepts connections. */
async function fetchWithRetry(url: string, attempts = 50): Promise<string> {
  let lastError: unknown;
  for (let i = 0; i < attempts; i += 1) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return await response.text();
    } catch (error) {
      lastError = error;
      await sleep(100);
    }
  }
  throw lastError;
}
