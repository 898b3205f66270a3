import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type BerthClient, type RunningBerth } from '../support/berth.js';
import { DeployStack, RemoveStack } from '../support/operations/index.js';
import { CheckImageUpdates, ContainerImageUpdate, StackImageUpdates } from '../support/operations/updates.js';
import { commitImage, pushAs, pushNewerElsewhere } from '../support/registry-images.js';
import { ensureDashboardBuilt, launchChromium, type Browser } from './browser.js';

/**
 * Update badges in a real headless Chromium against a real berth (authentication on, no scheduled
 * check) and the harness's local registry: two images pushed under one tag are "a newer image in
 * the registry". A check asked from the page, and one asked by someone else (heard over the
 * imageUpdates subscription), each put their result on the container's row, its view and the
 * stack's service, and berth's API says the same.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOT = fileURLToPath(new URL('../../test-results/dashboard-updates.png', import.meta.url));
const LABEL = 'dashboard-updates';
const unique = `${Date.now().toString(36)}${process.pid}`;
const repository = `${inject('registry')}/berth-test/dash-upd-${unique}`;
/** The container's tag and the stack's: each gets its newer image at its own step. */
const CONTAINER_REF = `${repository}:v1`;
const STACK_REF = `${repository}:v2`;
const STACK = `bt-upd-${unique}`;
const containerName = uniqueName('dash-upd');

let berth: RunningBerth;
let operator: BerthClient & { token: string };
let docker: Docker;
let browser: Browser;
let page: Page;
let imageA: string;
let imageB: string;
let containerId: string;

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  const build = await ensureDashboardBuilt(ROOT);
  if (build === 'built')
    console.info('[dashboard updates e2e] built the dashboard (web/dist was older than web/)');
  berth = await startBerth(
    { BERTH_AUTH: 'on', BERTH_AUTH_FAILURES_PER_MINUTE: '1000', BERTH_IMAGE_UPDATE_CHECK_MINUTES: '0' },
    { label: LABEL },
  );
  operator = berth.asRole('operator', 'dashboard-updates-e2e');

  imageA = await commitImage(docker, inject('testImage'), LABEL, 'echo a > /version');
  imageB = await commitImage(docker, inject('testImage'), LABEL, 'echo b > /version');
  await pushAs(docker, imageA, CONTAINER_REF);
  await pushAs(docker, imageA, STACK_REF);
  const container = await docker.createContainer({
    name: containerName,
    Image: CONTAINER_REF,
    Cmd: ['sleep', '3600'],
    Labels: { [TEST_LABEL]: LABEL },
    HostConfig: { Init: true },
  });
  await container.start();
  containerId = container.id;
  const compose = `services:
  app:
    image: ${STACK_REF}
    command: ["sleep", "3600"]
    init: true
    labels:
      ${TEST_LABEL}: ${LABEL}
`;
  const { deployStack } = await operator.query(DeployStack, { input: { name: STACK, compose } });
  expect(deployStack).toMatchObject({ __typename: 'DeployStackResult', ok: true });

  browser = await launchChromium();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await operator?.graphql(RemoveStack, { name: STACK, volumes: true }).catch(() => undefined);
  await berth?.stop();
  if (docker) {
    await cleanupLabelled(docker, `${TEST_LABEL}=${LABEL}`);
    for (const id of [imageA, imageB])
      if (id)
        await docker
          .getImage(id)
          .remove({ force: true })
          .catch(() => undefined);
  }
});

const url = (path: string) => `${berth.url}${path}`;

async function signIn(token: string, path: string): Promise<void> {
  await page.goto(url(path));
  await page.locator('input[name="token"]').fill(token);
  await page.getByRole('button', { name: 'Open dashboard' }).click();
  await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
}

async function containerUpdate() {
  return (await operator.query(ContainerImageUpdate, { id: containerId })).container?.imageUpdate;
}

describe('update badges in Chromium', () => {
  it('shows no badge before any check; Check for updates finds the tag up to date, in the page and the API', async () => {
    await signIn(operator.token, '/');
    const row = page.locator(`tr[data-name="${containerName}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('[data-update]').count()).toBe(0);
    expect(await containerUpdate()).toBeNull();

    const list = page.getByRole('region', { name: 'Containers' });
    await list.getByRole('button', { name: 'Check for updates' }).click();
    await expect(list.getByRole('status').textContent()).resolves.toMatch(/^\d+ tags? checked: /);
    expect(await containerUpdate()).toMatchObject({ reference: CONTAINER_REF, status: 'UP_TO_DATE' });

    // The container had no result before this check: it is read again with its own.
    await row.click();
    const detail = page.getByRole('region', { name: 'Container' });
    await detail.locator('[data-update-note="UP_TO_DATE"]').waitFor({ timeout: 15_000 });
    expect(await detail.locator('[data-update-note]').textContent()).toContain(CONTAINER_REF);
    expect(await row.locator('[data-update]').count()).toBe(0);
  });

  it('badges the row and the view live when a newer image is pushed under the tag and someone else checks', async () => {
    await pushNewerElsewhere(docker, CONTAINER_REF, imageA, imageB);
    // Not from the page: the page hears of it over imageUpdates.
    const { checkImageUpdates } = await operator.query(CheckImageUpdates, {});
    expect(checkImageUpdates.__typename).toBe('CheckImageUpdatesSuccess');
    const update = await containerUpdate();
    expect(update).toMatchObject({ reference: CONTAINER_REF, status: 'AVAILABLE' });
    expect(update?.since).toBeTruthy();

    const badge = page.locator(`tr[data-name="${containerName}"] [data-update="AVAILABLE"]`);
    await badge.waitFor({ timeout: 15_000 });
    expect(await badge.textContent()).toBe('update available');
    expect(await badge.getAttribute('data-reference')).toBe(CONTAINER_REF);
    expect(await badge.getAttribute('title')).toMatch(new RegExp(`under ${CONTAINER_REF}, seen since `));
    const detail = page.getByRole('region', { name: 'Container' });
    await detail.locator('h2 [data-update="AVAILABLE"]').waitFor();
    expect(await detail.locator('[data-update-note]').textContent()).toMatch(
      new RegExp(`^Update available: A newer image is in the registry under ${CONTAINER_REF}, seen since `),
    );
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await writeFile(SCREENSHOT, await page.screenshot({ fullPage: true }));
  });

  it('badges a stack’s service after Check for updates in the stack’s view', async () => {
    await page.goto(url(`/#/stacks/${STACK}`));
    const view = page.getByRole('region', { name: 'Stack', exact: true });
    const service = view.locator('tr[data-service="app"]');
    await service.waitFor({ timeout: 15_000 });
    expect(await service.locator('[data-update]').count()).toBe(0);

    await pushNewerElsewhere(docker, STACK_REF, imageA, imageB);
    await view.getByRole('button', { name: 'Check for updates' }).click();
    await expect(view.getByRole('status').textContent()).resolves.toMatch(/with an update$/);
    await service.locator('[data-update="AVAILABLE"]').waitFor({ timeout: 15_000 });
    expect(await service.locator('[data-update]').getAttribute('data-reference')).toBe(STACK_REF);
    const { stack } = await operator.query(StackImageUpdates, { name: STACK });
    expect(stack?.services).toEqual([
      expect.objectContaining({ name: 'app', imageUpdate: expect.objectContaining({ status: 'AVAILABLE' }) }),
    ]);
  });

  it('shows a viewer the badges, and berth’s refusal when it asks for a check', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    const viewer = berth.asRole('viewer', 'dashboard-updates-e2e-viewer').token;
    await signIn(viewer, '/');
    await page
      .locator(`tr[data-name="${containerName}"] [data-update="AVAILABLE"]`)
      .waitFor({ timeout: 15_000 });
    const list = page.getByRole('region', { name: 'Containers' });
    const button = list.getByRole('button', { name: 'Check for updates' });
    await button.click();
    await expect(list.getByRole('alert').textContent()).resolves.toMatch(/^FORBIDDEN: /);
    expect(await button.isDisabled()).toBe(true);
  });
});
