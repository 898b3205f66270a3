import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Container } from '../../src/domain/containers/model.js';
import { validateCreateSpec } from '../../src/domain/lifecycle/validation.js';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { waitFor } from '../support/wait.js';
import { ensureDashboardBuilt, launchChromium, type Browser } from './browser.js';

/**
 * The container's Terminal tab in a real headless Chromium against a real berth (authentication
 * on) and the real engine: a person opens it, types a command and reads its answer on screen.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOT = fileURLToPath(new URL('../../test-results/dashboard-terminal.png', import.meta.url));
const LABEL = 'dashboard-terminal';

let berth: RunningBerth;
let docker: Docker;
let browser: Browser;
let page: Page;
let container: Container;

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  const build = await ensureDashboardBuilt(ROOT);
  if (build === 'built')
    console.info('[dashboard terminal e2e] built the dashboard (web/dist was older than web/)');
  berth = await startBerth({ BERTH_AUTH: 'on', BERTH_AUTH_FAILURES_PER_MINUTE: '1000' }, { label: LABEL });
  container = await berth.app.context.environments.local.containers.create(
    validateCreateSpec({
      name: uniqueName(LABEL),
      image: inject('testImage'),
      labels: [{ name: TEST_LABEL, value: LABEL }],
    }),
  );
  browser = await launchChromium();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await berth?.stop();
  if (docker) await cleanupLabelled(docker, `${TEST_LABEL}=${LABEL}`);
});

/** The terminal's screen as xterm.js renders it: one text per row. */
function screenRows(): Promise<string[]> {
  return page
    .locator('section.terminal .xterm-rows > div')
    .evaluateAll((rows) => rows.map((row) => (row.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()));
}

async function waitForRow(pattern: RegExp): Promise<string> {
  return waitFor(async () => {
    const row = (await screenRows()).find((text) => pattern.test(text));
    if (row === undefined)
      throw new Error(`no row matches ${pattern}: ${JSON.stringify(await screenRows())}`);
    return row;
  }, 20_000);
}

describe("the container's terminal in Chromium", () => {
  it('opens on the Terminal tab, runs what is typed and shows the answer on screen', async () => {
    const operator = berth.asRole('operator', 'dashboard-terminal-operator').token;
    await page.goto(`${berth.url}/`);
    await page.locator('input[name="token"]').fill(operator);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
    await page.locator(`tr[data-name="${container.name}"]`).click();
    const detail = page.locator('section.detail[data-id]');
    await detail.getByRole('tab', { name: 'Terminal' }).click();
    await page.locator('section.terminal[data-terminal="open"]').waitFor({ timeout: 20_000 });
    // Detection fell back to /bin/sh: busybox has no bash.
    await expect(page.locator('section.terminal h3 small').textContent()).resolves.toMatch(/^\/bin\/sh/);

    await page.locator('section.terminal .xterm').click();
    await page.keyboard.type('echo $((6*7))');
    await page.keyboard.press('Enter');
    await waitForRow(/^42$/);

    // Fitted to the pane: the shell's terminal has as many rows and columns as the screen shows.
    await page.keyboard.type('stty size');
    await page.keyboard.press('Enter');
    const size = await waitForRow(/^\d+ \d+$/);
    const [rows] = size.split(' ').map(Number);
    expect(rows).toBe((await screenRows()).length);

    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await writeFile(SCREENSHOT, await page.screenshot({ fullPage: false }));
  });

  it('says when the shell exits and starts a new session on request', async () => {
    await page.keyboard.type('exit 5');
    await page.keyboard.press('Enter');
    const terminal = page.locator('section.terminal[data-terminal="ended"]');
    await terminal.waitFor({ timeout: 20_000 });
    await expect(terminal.locator('h3 small').textContent()).resolves.toBe('The shell exited with code 5.');
    await terminal.getByRole('button', { name: 'New session' }).click();
    await page.locator('section.terminal[data-terminal="open"]').waitFor({ timeout: 20_000 });
  });

  it('says when the connection drops (the container stopped) and offers to reconnect', async () => {
    await docker.getContainer(container.id).stop({ t: 0 });
    const terminal = page.locator('section.terminal[data-terminal="dropped"]');
    await terminal.waitFor({ timeout: 20_000 });
    await expect(terminal.locator('h3 small').textContent()).resolves.toMatch(/INVALID_STATE/);
    await expect(terminal.getByRole('button', { name: 'Reconnect' }).isVisible()).resolves.toBe(true);
  });
});
