import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type RunningBerth } from '../support/berth.js';
import { RegistryCredentials } from '../support/operations/index.js';
import { ensureDashboardBuilt, launchChromium, type Browser } from './browser.js';

/**
 * The Registries page in a real headless Chromium against a real berth with a secret key (and one
 * without): an admin saves, replaces and removes credentials and sees what berth's API lists, never
 * a password; an operator sees the page is an admin's; berth's typed refusals are shown as they come.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOT = fileURLToPath(new URL('../../test-results/dashboard-registries.png', import.meta.url));
const LABEL = 'dashboard-registries';
// Random per run, so a match anywhere can only be this run's.
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const REGISTRY = `registry-${process.pid}.example.test:5000`;

let withKey: RunningBerth;
let withoutKey: RunningBerth;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const build = await ensureDashboardBuilt(ROOT);
  if (build === 'built')
    console.info('[dashboard registries e2e] built the dashboard (web/dist was older than web/)');
  const auth = { BERTH_AUTH: 'on', BERTH_AUTH_FAILURES_PER_MINUTE: '1000' };
  withKey = await startBerth(
    { ...auth, BERTH_SECRET_KEY: randomBytes(32).toString('base64') },
    { label: LABEL },
  );
  withoutKey = await startBerth(auth, { label: LABEL });
  browser = await launchChromium();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await withKey?.stop();
  await withoutKey?.stop();
});

async function signIn(berth: RunningBerth, token: string, path: string): Promise<void> {
  await page.goto(`${berth.url}${path}`);
  await page.locator('input[name="token"]').fill(token);
  await page.getByRole('button', { name: 'Open dashboard' }).click();
  await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
}

async function signOut(): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('input[name="token"]').waitFor();
}

/** The rows the page lists, as [registry, username]. */
function listed(): Promise<string[][]> {
  return page
    .getByRole('region', { name: 'Registries' })
    .locator('tr[data-registry]')
    .evaluateAll((rows) =>
      rows.map((row) => [row.getAttribute('data-registry')!, row.querySelector('td.username')!.textContent!]),
    );
}

/** What berth's API lists, in the same shape. */
async function inTheApi(berth: RunningBerth, token: string): Promise<string[][]> {
  const { registryCredentials } = await berth.as(token).query(RegistryCredentials, {});
  return registryCredentials.map((credential) => [credential.registry, credential.username]);
}

/** Nothing the page holds or shows has the password: its DOM, its form, its storage. */
async function expectNoPassword(): Promise<void> {
  expect(await page.content()).not.toContain(PASSWORD);
  const stored = await page.evaluate(() => JSON.stringify([{ ...sessionStorage }, { ...localStorage }]));
  expect(stored).not.toContain(PASSWORD);
}

describe('the Registries page in Chromium', () => {
  it('saves a credential from the form: listed as the API lists it, the password cleared and shown nowhere', async () => {
    const admin = withKey.asRole('admin', 'dashboard-registries-admin').token;
    await signIn(withKey, admin, '/');
    await page.getByRole('link', { name: 'Registries' }).click();
    await page.waitForURL(/#\/registries$/);
    const list = page.getByRole('region', { name: 'Registries' });
    await list.getByText('No credential saved').waitFor();

    const form = page.getByRole('region', { name: 'Save a credential' });
    await form.getByLabel('Registry').fill(REGISTRY);
    await form.getByLabel('Username').fill('ci-bot');
    const password = form.getByLabel('Password or access token');
    expect(await password.getAttribute('type')).toBe('password');
    await password.fill(PASSWORD);
    // Keyboard only: Enter in the form submits it.
    await password.press('Enter');

    await expect(form.getByRole('status').textContent()).resolves.toBe(
      `Saved: berth pulls from ${REGISTRY} as ci-bot.`,
    );
    expect(await password.inputValue()).toBe('');
    await list.locator(`tr[data-registry="${REGISTRY}"]`).waitFor();
    expect(await listed()).toEqual([[REGISTRY, 'ci-bot']]);
    expect(await inTheApi(withKey, admin)).toEqual([[REGISTRY, 'ci-bot']]);
    expect(await list.locator(`tr[data-registry="${REGISTRY}"]`).textContent()).toContain('never');
    await expectNoPassword();
  });

  it('replaces it when saved again for the same registry, and shows berth’s typed refusal of a bad one', async () => {
    const admin = withKey.asRole('admin', 'dashboard-registries-admin-2').token;
    const form = page.getByRole('region', { name: 'Save a credential' });
    await form.getByLabel('Registry').fill(REGISTRY);
    await form.getByLabel('Username').fill('ci-bot-2');
    await form.getByLabel('Password or access token').fill(`${PASSWORD}-2`);
    await form.getByRole('button', { name: 'Save credential' }).click();
    await page.locator(`tr[data-registry="${REGISTRY}"] td.username`, { hasText: 'ci-bot-2' }).waitFor();
    expect(await listed()).toEqual([[REGISTRY, 'ci-bot-2']]);
    expect(await inTheApi(withKey, admin)).toEqual([[REGISTRY, 'ci-bot-2']]);

    await form.getByLabel('Registry').fill('not a host!');
    await form.getByLabel('Username').fill('someone');
    await form.getByLabel('Password or access token').fill(PASSWORD);
    await form.getByRole('button', { name: 'Save credential' }).click();
    await expect(form.getByRole('alert').textContent()).resolves.toMatch(/^INVALID_INPUT: .*\(registry\)$/);
    expect(await form.getByLabel('Password or access token').inputValue()).toBe('');
    expect(await inTheApi(withKey, admin)).toEqual([[REGISTRY, 'ci-bot-2']]);
    await expectNoPassword();
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await writeFile(SCREENSHOT, await page.screenshot({ fullPage: true }));
  });

  it('removes it only after a confirmation', async () => {
    const admin = withKey.asRole('admin', 'dashboard-registries-admin-3').token;
    const row = page.locator(`tr[data-registry="${REGISTRY}"]`);
    await row.getByRole('button', { name: `Remove the credential of ${REGISTRY}` }).click();
    await row.getByRole('button', { name: 'Keep' }).click();
    expect(await inTheApi(withKey, admin)).toHaveLength(1);

    await row.getByRole('button', { name: `Remove the credential of ${REGISTRY}` }).click();
    await row.getByRole('button', { name: `Really remove the credential of ${REGISTRY}` }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByText('No credential saved').waitFor();
    expect(await inTheApi(withKey, admin)).toEqual([]);
  });

  it('tells an operator the page is an admin’s, with no form', async () => {
    await signOut();
    const operator = withKey.asRole('operator', 'dashboard-registries-operator').token;
    await signIn(withKey, operator, '/#/registries');
    const registries = page.getByRole('region', { name: 'Registries' });
    await registries.and(page.locator('[data-admin-only]')).waitFor();
    expect(await registries.textContent()).toContain('Registry credentials are for admin tokens only');
    expect(await registries.textContent()).toContain('FORBIDDEN');
    expect(await page.getByRole('region', { name: 'Save a credential' }).count()).toBe(0);
    // Not a read-only token: its container and stack controls stay.
    await page.getByRole('link', { name: 'Containers' }).click();
    expect(await page.getByRole('button', { name: 'Check for updates' }).isDisabled()).toBe(false);
  });

  it('shows SECRET_KEY_MISSING from a berth without a secret key, and stores nothing', async () => {
    await signOut();
    const admin = withoutKey.asRole('admin', 'dashboard-registries-nokey').token;
    await signIn(withoutKey, admin, '/#/registries');
    const form = page.getByRole('region', { name: 'Save a credential' });
    await form.getByLabel('Registry').fill(REGISTRY);
    await form.getByLabel('Username').fill('ci-bot');
    await form.getByLabel('Password or access token').fill(PASSWORD);
    await form.getByRole('button', { name: 'Save credential' }).click();
    await expect(form.getByRole('alert').textContent()).resolves.toMatch(/^SECRET_KEY_MISSING: /);
    expect(await form.getByLabel('Password or access token').inputValue()).toBe('');
    expect(await inTheApi(withoutKey, admin)).toEqual([]);
    expect(await listed()).toEqual([]);
    await expectNoPassword();
  });
});
