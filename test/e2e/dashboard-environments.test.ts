import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import {
  ensureTestImage,
  haltEngine,
  restartEngine,
  startEngine,
  stopEngine,
  type StartedEngine,
} from '../harness/engine.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { addSocketEnvironment } from '../support/environments.js';
import { waitFor } from '../support/wait.js';
import { ensureDashboardBuilt, launchChromium, type Browser } from './browser.js';

/**
 * The environment switcher in a real headless Chromium against a real berth (authentication on)
 * with two real engines: the shared one (`local`) and a private one with its own bridge, added
 * through berth's registry in process, plus a third environment whose socket nobody listens on
 * (down from the start). What the page shows and does on the second engine is checked against
 * that engine itself.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOT = fileURLToPath(new URL('../../test-results/dashboard-environments.png', import.meta.url));
const LABEL = uniqueName('dash-envs');
const SECOND = uniqueName('second').toLowerCase();
const GONE = uniqueName('gone').toLowerCase();
const LATE = uniqueName('late').toLowerCase();
const localName = uniqueName('dash-env-local');
const secondName = uniqueName('dash-env-second');
// A quick exit on SIGTERM: busybox sh as PID 1 would otherwise ignore it and the stop would wait.
const COMMAND = ['sh', '-c', "trap 'exit 0' TERM; echo hello from $HOSTNAME; while :; do sleep 1; done"];

let second: StartedEngine;
let berth: RunningBerth;
let localDocker: Docker;
let secondDocker: Docker;
let browser: Browser;
let page: Page;
let token: string;
let secondId: string;

async function run(docker: Docker, name: string, image: string): Promise<string> {
  const container = await docker.createContainer({
    name,
    Image: image,
    Cmd: COMMAND,
    Labels: { [TEST_LABEL]: LABEL },
  });
  await container.start();
  return container.id;
}

beforeAll(async () => {
  const build = await ensureDashboardBuilt(ROOT);
  if (build === 'built')
    console.info('[dashboard environments e2e] built the dashboard (web/dist was older than web/)');
  second = await startEngine({ isolatedBridge: true, extraArgs: ['--shutdown-timeout=2'] });
  const secondImage = await ensureTestImage(second.dockerHost);
  localDocker = testDocker(inject('dockerHost'));
  secondDocker = testDocker(second.dockerHost);
  await run(localDocker, localName, inject('testImage'));
  secondId = await run(secondDocker, secondName, secondImage);

  berth = await startBerth({ BERTH_AUTH: 'on', BERTH_AUTH_FAILURES_PER_MINUTE: '1000' }, { label: LABEL });
  token = berth.asRole('operator', 'dashboard-environments-e2e').token;
  await addSocketEnvironment(berth.app, SECOND, second.dockerHost);
  // Nothing listens on this socket: an environment that is down from the start.
  await addSocketEnvironment(berth.app, GONE, `unix://${join(tmpdir(), `${GONE}.sock`)}`, {
    waitForSync: false,
  });

  browser = await launchChromium();
  page = browser.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await berth?.stop();
  if (localDocker) await cleanupLabelled(localDocker, `${TEST_LABEL}=${LABEL}`);
  if (second) await stopEngine(second);
}, 120_000);

const switcher = () => page.locator('select[aria-label="Environment"]');
const row = (name: string) => page.locator(`tr[data-name="${name}"]`);

/** berth's open WebSocket subscriptions (its /metrics gauge), once the count holds for a second. */
async function settledSubscriptions(): Promise<number> {
  const read = async () => {
    const response = await fetch(`${berth.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    const found = /^berth_subscriptions_active\{transport="websocket"\} (\d+)$/m.exec(await response.text());
    if (!found) throw new Error('no berth_subscriptions_active in /metrics');
    return Number(found[1]);
  };
  return waitFor(async () => {
    const first = await read();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await read()).toBe(first);
    return first;
  }, 20_000);
}

describe('the environment switcher in Chromium', () => {
  it('lists All hosts and every environment, the down one with its state', async () => {
    await page.goto(`${berth.url}/`);
    await page.locator('input[name="token"]').fill(token);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
    // `#/` is the local engine, as before environments.
    await row(localName).waitFor({ timeout: 15_000 });
    expect(await row(secondName).count()).toBe(0);
    expect(await switcher().inputValue()).toBe('local');

    const labels = await waitFor(async () => {
      const texts = await switcher().locator('option').allTextContents();
      expect(texts).toContain(`${GONE} (DOWN)`);
      return texts;
    }, 15_000);
    expect(labels).toEqual(['All hosts', 'local', ...[SECOND, `${GONE} (DOWN)`].sort()]);
  });

  it('shows every host’s containers with their host under All hosts, and names the one left out', async () => {
    await switcher().selectOption({ label: 'All hosts' });
    await row(secondName).waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).hash).toBe('#/all');
    expect(await row(localName).locator('td.host').textContent()).toBe('local');
    expect(await row(secondName).locator('td.host').textContent()).toBe(SECOND);
    expect(await row(secondName).getAttribute('data-id')).toBe(secondId);
    const notice = page.locator('.hosts-notice');
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.getAttribute('data-left-out')).toBe(GONE);
    expect(await notice.textContent()).toContain(`${GONE} (down)`);
    // Both engines' figures arrive in the one stats stream.
    await page
      .locator(`tr[data-name="${secondName}"] td.cpu`)
      .filter({ hasText: '%' })
      .waitFor({ timeout: 20_000 });
    await page
      .locator(`tr[data-name="${localName}"] td.cpu`)
      .filter({ hasText: '%' })
      .waitFor({ timeout: 20_000 });
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await writeFile(SCREENSHOT, await page.screenshot({ fullPage: true }));
  });

  it('shows only the second engine’s containers when it is picked, and keeps the choice in the URL', async () => {
    await switcher().selectOption(SECOND);
    expect(new URL(page.url()).hash).toBe(`#/env/${SECOND}`);
    await row(secondName).waitFor({ timeout: 15_000 });
    await waitFor(async () => expect(await row(localName).count()).toBe(0), 15_000);
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('.hosts-notice').count()).toBe(0);
    // A container made from the form goes to the environment shown.
    expect(await page.locator('[data-target-environment]').getAttribute('data-target-environment')).toBe(
      SECOND,
    );

    await page.reload();
    await row(secondName).waitFor({ timeout: 15_000 });
    expect(await switcher().inputValue()).toBe(SECOND);
    expect(await row(localName).count()).toBe(0);
  });

  it('stops the second engine’s container from the page, as that engine sees it', async () => {
    await row(secondName).click();
    const detail = page.getByRole('region', { name: 'Container', exact: true });
    await detail.locator(`.host[data-environment="${SECOND}"]`).waitFor({ timeout: 15_000 });
    // Its logs are read from its own engine: the hostname is the container's short id.
    await detail
      .locator('.log-line')
      .filter({ hasText: `hello from ${secondId.slice(0, 12)}` })
      .waitFor({ timeout: 15_000 });
    await detail.getByRole('button', { name: 'Stop', exact: true }).click();
    await row(secondName).locator('[data-status="EXITED"]').waitFor({ timeout: 30_000 });
    expect((await secondDocker.getContainer(secondId).inspect()).State.Running).toBe(false);
    // The local engine has no such container, and its own one still runs.
    const locals = await localDocker.listContainers({ filters: { label: [`${TEST_LABEL}=${LABEL}`] } });
    expect(locals.map((container) => container.Names[0])).toEqual([`/${localName}`]);
    expect(locals[0]?.State).toBe('running');
    expect(await detail.locator('[role="alert"]').count()).toBe(0);
  });

  it('names the second engine while it is halted, and lists its containers again once it is back', async () => {
    await switcher().selectOption({ label: 'All hosts' });
    await row(secondName).waitFor({ timeout: 15_000 });
    const notice = page.locator('.hosts-notice');
    const open = await settledSubscriptions();
    await haltEngine(second);
    await page
      .locator(`.hosts-notice[data-left-out="${[GONE, SECOND].sort().join(' ')}"]`)
      .waitFor({ timeout: 30_000 });
    // Read while it is away, the list has only what answers.
    await page.reload();
    await row(localName).waitFor({ timeout: 15_000 });
    expect(await row(secondName).count()).toBe(0);
    expect(await notice.textContent()).toContain(SECOND);

    second = await restartEngine(second);
    await row(secondName).waitFor({ timeout: 60_000 });
    await page.locator(`.hosts-notice[data-left-out="${GONE}"]`).waitFor({ timeout: 30_000 });
    expect(await row(secondName).locator('td.host').textContent()).toBe(SECOND);
    // The event stream said the engine was gone and went on: the page did not open another one.
    expect(await settledSubscriptions()).toBe(open);
  });

  it('follows environmentChanged: one added while the page is open joins the switcher, removed it leaves', async () => {
    // The page's one stream of changes is what tells it, not a poll.
    await waitFor(async () => expect(berth.app.context.environments.listeners()).toBe(1), 15_000);
    await addSocketEnvironment(berth.app, LATE, `unix://${join(tmpdir(), `${LATE}.sock`)}`, {
      waitForSync: false,
    });
    await waitFor(
      async () => expect(await switcher().locator('option').allTextContents()).toContain(`${LATE} (DOWN)`),
      15_000,
    );
    await berth.app.context.environments.remove(LATE);
    await waitFor(
      async () =>
        expect((await switcher().locator('option').allTextContents()).join('\n')).not.toContain(LATE),
      15_000,
    );
  });
});
