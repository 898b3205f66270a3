import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import type { Page, WebSocket as PageWebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { ensureDashboardBuilt, launchChromium, type Browser } from './browser.js';

/**
 * The web dashboard in a real headless Chromium against a real berth (authentication on, with a
 * token made here) and the real engine: what a person does with it, checked in the page and
 * against Docker itself.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Written on every run where git ignores it; docs/dashboard.png is one of these, committed by hand
// so that a test run does not change a tracked file.
const SCREENSHOT = fileURLToPath(new URL('../../test-results/dashboard.png', import.meta.url));
const LABEL = 'dashboard';
const image = inject('testImage');

let berth: RunningBerth;
let docker: Docker;
let browser: Browser;
let page: Page;
let token: string;
/** WebSockets the page opened since its last load, and the subscriptions sent on them. */
let sockets: PageWebSocket[] = [];
let subscriptions: string[] = [];

const busyName = uniqueName('dash-busy');
// A busy loop for the CPU chart, a line a second for the logs pane, and a quick exit on SIGTERM
// (busybox sh as PID 1 would otherwise ignore it and the stop would wait out its grace period).
const BUSY_COMMAND = `sh -c "trap 'exit 0' TERM; (while :; do :; done) & while :; do echo dashboard-tick; sleep 1; done"`;

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  const build = await ensureDashboardBuilt(ROOT);
  if (build === 'built') console.info('[dashboard e2e] built the dashboard (web/dist was older than web/)');
  berth = await startBerth({ BERTH_AUTH: 'on', BERTH_AUTH_FAILURES_PER_MINUTE: '1000' }, { label: LABEL });
  token = berth.asRole('operator', 'dashboard-e2e').token;
  browser = await launchChromium();
  page = browser.page;
  page.on('framenavigated', (frame) => {
    if (frame !== page.mainFrame()) return;
    sockets = [];
    subscriptions = [];
  });
  page.on('websocket', (socket) => {
    sockets.push(socket);
    socket.on('framesent', ({ payload }) => {
      const message = JSON.parse(String(payload)) as { type: string; payload?: { query?: string } };
      if (message.type === 'subscribe') subscriptions.push(message.payload?.query ?? '');
    });
  });
});

afterAll(async () => {
  await browser?.close();
  await berth?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=${LABEL}`);
});

const url = (path: string) => `${berth.url}${path}`;

describe('serving the dashboard', () => {
  it('answers the page without a token, never cached, with a content security policy', async () => {
    const response = await fetch(url('/'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).toContain('<div id="app">');
    // Built and shipped with berth: nothing is loaded from anywhere else.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);

    const again = await fetch(url('/'), { headers: { 'if-none-match': response.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const head = await fetch(url('/'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers the hashed assets with their types, cached for good', async () => {
    const html = await (await fetch(url('/'))).text();
    // Relative (./assets/…) since the page can be served under BERTH_BASE_PATH.
    const assets = [...html.matchAll(/(?:src|href)="\.?(\/assets\/[^"]+)"/g)].map((match) => match[1]!);
    expect(assets.some((path) => path.endsWith('.js'))).toBe(true);
    expect(assets.some((path) => path.endsWith('.css'))).toBe(true);
    for (const path of assets) {
      const response = await fetch(url(path));
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe(
        path.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      );
      expect(response.headers.get('cache-control'), path).toBe('public, max-age=31536000, immutable');
    }
  });

  it('reaches no file outside its build, however the path is spelled', async () => {
    const attempts = [
      '/assets/..%2f..%2f..%2fpackage.json',
      '/assets/%2e%2e/%2e%2e/%2e%2e/package.json',
      '/assets/..%5c..%5c..%5cpackage.json',
      '/assets/.%2e/.%2e/.%2e/package.json',
      '/assets/%252e%252e%252fpackage.json',
      '/assets/..',
      '/assets/',
      '/assets/.vite',
      '/index.html/../../package.json',
      '/assets/x%00.js',
      '/assets/no-such-file.js',
      '/package.json',
      '/web/dist/index.html',
    ];
    const indexHtml = await (await fetch(url('/'))).text();
    for (const path of attempts) {
      // Without a token, anything the dashboard does not serve goes on to authentication (401).
      // (`/assets/..` is `/` once the URL is normalized: the page itself.)
      const response = await fetch(url(path));
      const body = await response.text();
      if (response.status === 200) expect(body, path).toBe(indexHtml);
      expect(body, path).not.toContain('"devDependencies"');
    }
    // With one, it reaches the REST shim, which has no such route.
    const authorized = await berth.as(token).fetch('/assets/..%2f..%2f..%2fpackage.json');
    expect(authorized.status).toBe(404);
  });

  it('leaves a token put in the URL to authentication, which refuses it', async () => {
    const response = await fetch(url(`/?token=${token}`));
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('TOKEN_IN_URL');
  });
});

describe('the dashboard in Chromium', () => {
  beforeAll(async () => {
    // Neighbours for the list (and the screenshot): a healthy web server, an idle one, an exited one.
    const neighbours: ({ name: string } & Docker.ContainerCreateOptions)[] = [
      {
        name: uniqueName('dash-web'),
        Healthcheck: {
          Test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1/ || exit 1'],
          Interval: 1e9,
        },
      },
      { name: uniqueName('dash-idle'), Cmd: ['sleep', '3600'] },
      { name: uniqueName('dash-done'), Cmd: ['sh', '-c', 'exit 3'] },
    ];
    for (const { name, ...spec } of neighbours) {
      const container = await docker.createContainer({
        name,
        Image: image,
        Labels: { [TEST_LABEL]: LABEL },
        HostConfig: { Init: true },
        ...spec,
      });
      await container.start();
    }
  });

  it('asks for a token, refuses a wrong one, and keeps a good one for the tab', async () => {
    await page.goto(url('/'));
    const tokenInput = page.locator('input[name="token"]');
    await tokenInput.fill('berth_000000000000_not-a-real-token-at-all-aaaaaaaaaaaaaaaaaa');
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('UNAUTHENTICATED');

    await tokenInput.fill(token);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => sessionStorage.getItem('berth.token'))).toBe(token);

    // A reload opens straight on the dashboard: the token is asked once per tab.
    await page.reload();
    await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
    expect(await tokenInput.count()).toBe(0);
  });

  it('lists the containers with status and health badges, over one WebSocket and one stats subscription', async () => {
    const rows = page.locator('tbody tr');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length >= 3);
    const healthy = page.locator('tr[data-name*="dash-web"] [data-health="HEALTHY"]');
    await healthy.waitFor({ timeout: 30_000 });
    await expect(
      page.locator('tr[data-name*="dash-done"] [data-status]').getAttribute('data-status'),
    ).resolves.toBe('EXITED');
    await expect(
      page.locator('tr[data-name*="dash-idle"] [data-status]').getAttribute('data-status'),
    ).resolves.toBe('RUNNING');
    expect(await rows.count()).toBeGreaterThanOrEqual(3);

    const graphqlSockets = sockets.filter((socket) => socket.url().endsWith('/graphql'));
    expect(graphqlSockets).toHaveLength(1);
    expect(subscriptions.filter((query) => query.includes('containersStats'))).toHaveLength(1);
    expect(subscriptions.filter((query) => query.includes('containerEvents'))).toHaveLength(1);
  });

  it('creates a container from the form; its CPU chart moves and its logs follow', async () => {
    await page.getByRole('button', { name: /Create a container/ }).click();
    const form = page.getByRole('region', { name: 'Create a container' });
    await form.locator('[name="image"]').fill(image);
    await form.locator('[name="name"]').fill(busyName);
    await form.locator('[name="command"]').fill(BUSY_COMMAND);
    await form.locator('[name="env"]').fill('MODE=busy');
    await form.locator('[name="labels"]').fill(`${TEST_LABEL}=${LABEL}`);
    await form.getByRole('button', { name: 'Create and start' }).click();

    // The new container is selected: its detail pane opens.
    const detail = page.locator(`section.detail[data-id]`);
    await detail.getByRole('heading', { name: busyName }).waitFor({ timeout: 30_000 });
    const inspected = await docker.getContainer(busyName).inspect();
    expect(inspected.State.Running).toBe(true);
    expect(inspected.Config.Env).toContain('MODE=busy');
    expect(inspected.Config.Labels[TEST_LABEL]).toBe(LABEL);
    await page.locator(`tr[data-name="${busyName}"] [data-status="RUNNING"]`).waitFor();

    // The chart grows by the live ticks, and shows the busy loop's CPU.
    const cpuChart = page.locator('[data-chart="CPU"]');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-chart="CPU"]')?.getAttribute('data-points')) >= 2,
      null,
      {
        timeout: 20_000,
      },
    );
    const before = Number(await cpuChart.getAttribute('data-points'));
    await page.waitForFunction(
      ([at]) => {
        const chart = document.querySelector('[data-chart="CPU"]');
        return (
          Number(chart?.getAttribute('data-points')) >= at! + 3 &&
          Number(chart?.getAttribute('data-latest')) > 10
        );
      },
      [before],
      { timeout: 20_000 },
    );
    expect(await page.locator('.chart .readout').first().textContent()).toMatch(/^\d+(\.\d)?%$/);
    // The row shows the same figures, updated by the same ticks.
    expect(await page.locator(`tr[data-name="${busyName}"] td.cpu`).textContent()).toMatch(/\d%/);
    // History loads (or says why not) and never stays loading.
    await page.locator('.history-note:not([data-history="loading"])').waitFor();

    // The logs pane follows: the tail, then new lines as they are written.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('.log-view .log-line')].filter((line) =>
          line.textContent?.includes('dashboard-tick'),
        ).length >= 3,
      null,
      { timeout: 20_000 },
    );
    const lines = await page.locator('.log-view .log-line').count();
    await page.waitForFunction(
      (count) => document.querySelectorAll('.log-view .log-line').length > count,
      lines,
      {
        timeout: 10_000,
      },
    );

    // The events feed saw it start.
    await page.locator('.events li.event-start', { hasText: busyName }).first().waitFor();

    // The screenshot for the README: this file's containers alone (the engine may be shared), the
    // form folded, and a few more seconds of chart.
    const toggle = page.getByRole('button', { name: /Create a container/ });
    await toggle.click();
    await page.getByPlaceholder('Filter by name, image or id').fill('dash-');
    await page.waitForFunction(
      (at) => Number(document.querySelector('[data-chart="CPU"]')?.getAttribute('data-points')) >= at,
      before + 10,
      { timeout: 20_000 },
    );
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await writeFile(SCREENSHOT, await page.screenshot({ fullPage: false }));
    await page.getByPlaceholder('Filter by name, image or id').fill('');
    await toggle.click();
  });

  it('shows typed errors from the mutation payload: a taken name, a bad port', async () => {
    const form = page.getByRole('region', { name: 'Create a container' });
    await form.locator('[name="image"]').fill(image);
    await form.locator('[name="name"]').fill(busyName);
    await form.getByRole('button', { name: 'Create and start' }).click();
    await expect(form.getByRole('alert').textContent()).resolves.toMatch(/^NAME_CONFLICT: /);

    await form.locator('[name="name"]').fill(uniqueName('dash-bad'));
    await form.locator('[name="ports"]').fill('127.0.0.1:99999:80');
    await form.getByRole('button', { name: 'Create and start' }).click();
    await expect(form.getByRole('alert').textContent()).resolves.toMatch(
      /^INVALID_INPUT: .*\(input\.ports\.0\.hostPort\)$/,
    );
  });

  it('restarts it from its button, and its logs follow the new run', async () => {
    const detail = page.locator('section.detail[data-id]');
    const startedAt = (await docker.getContainer(busyName).inspect()).State.StartedAt;
    await detail.getByRole('button', { name: 'Restart' }).click();
    await detail.locator('.log-line.system', { hasText: 'started again' }).waitFor({ timeout: 30_000 });
    expect((await docker.getContainer(busyName).inspect()).State.StartedAt).not.toBe(startedAt);
    // A line written by the new run, after the marker.
    await page.waitForFunction(
      () => {
        const lines = [...document.querySelectorAll('.log-view .log-line')];
        const marker = lines.findIndex((line) => line.classList.contains('system'));
        return (
          marker >= 0 && lines.slice(marker + 1).some((line) => line.textContent?.includes('dashboard-tick'))
        );
      },
      null,
      { timeout: 15_000 },
    );
  });

  it('stops it from its button, and its badges change', async () => {
    const detail = page.locator('section.detail[data-id]');
    await detail.getByRole('button', { name: 'Stop' }).click();
    await page.locator(`tr[data-name="${busyName}"] [data-status="EXITED"]`).waitFor({ timeout: 30_000 });
    await detail.locator('h2 [data-status="EXITED"]').waitFor();
    expect((await docker.getContainer(busyName).inspect()).State.Running).toBe(false);
    // Its following ended with it; the row shows no stale figures.
    await detail.getByText('the container stopped').waitFor({ timeout: 10_000 });
    expect(await page.locator(`tr[data-name="${busyName}"] td.cpu`).textContent()).toBe('—');
    await page.locator('.events li.event-die', { hasText: busyName }).first().waitFor();
  });

  it('removes it after asking, and it leaves the list', async () => {
    const detail = page.locator('section.detail[data-id]');
    await detail.getByRole('button', { name: 'Remove' }).click();
    await detail.getByRole('button', { name: 'Really remove' }).click();
    await page.locator(`tr[data-name="${busyName}"]`).waitFor({ state: 'detached', timeout: 15_000 });
    await expect(docker.getContainer(busyName).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('signs out, and with a viewer token shows the FORBIDDEN its buttons answer', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.evaluate(() => sessionStorage.getItem('berth.token'))).toBeNull();
    const viewer = berth.asRole('viewer', 'dashboard-e2e-viewer').token;
    await page.locator('input[name="token"]').fill(viewer);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });

    const idle = page.locator('tr[data-name*="dash-idle"]');
    await idle.click();
    const detail = page.locator('section.detail[data-id]');
    await detail.getByRole('button', { name: 'Stop' }).click();
    await expect(detail.getByRole('alert').textContent()).resolves.toMatch(/^FORBIDDEN: /);
    const name = (await idle.getAttribute('data-name'))!;
    expect((await docker.getContainer(name).inspect()).State.Running).toBe(true);
  });
});
