import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { RemoveStack } from '../support/operations/index.js';
import { startBerth, type BerthClient, type RunningBerth } from '../support/berth.js';
import { ensureDashboardBuilt, launchChromium, type Browser } from './browser.js';

/**
 * The dashboard's Stacks page in a real headless Chromium against a real berth (authentication
 * on) and the real engine: a compose file typed into the editor, its problem marked at its line,
 * the plan of a dry run, a deploy followed live to DONE, a scale, a stop and start, a viewer's
 * refused change, and the removal; each checked in the page and against Docker itself.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOT = fileURLToPath(new URL('../../test-results/dashboard-stacks.png', import.meta.url));
const LABEL = 'dashboard-stacks';
const image = inject('testImage');
// A stack name is a Compose project name: lowercase, digits, dashes and underscores.
const STACK = `bt-dash-${process.pid}-${Date.now().toString(36)}`;

// `init: true`: busybox httpd as PID 1 would ignore SIGTERM, and every stop would wait out its grace.
const FIXED = `services:
  web:
    image: ${image}
    init: true
    labels:
      ${TEST_LABEL}: ${LABEL}
    deploy:
      replicas: 1
`;
// The same with a key berth does not implement, on line 5 (its value at column 5).
const UNSUPPORTED = FIXED.replace('    init: true\n', '    init: true\n    privileged: true\n');

let berth: RunningBerth;
let operator: BerthClient & { token: string };
let docker: Docker;
let browser: Browser;
let page: Page;
/** What the page did, in order: progress subscriptions sent, their first answers, deploys posted. */
let timeline: string[] = [];

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  const build = await ensureDashboardBuilt(ROOT);
  if (build === 'built')
    console.info('[dashboard stacks e2e] built the dashboard (web/dist was older than web/)');
  berth = await startBerth({ BERTH_AUTH: 'on', BERTH_AUTH_FAILURES_PER_MINUTE: '1000' }, { label: LABEL });
  operator = berth.asRole('operator', 'dashboard-stacks-e2e');
  browser = await launchChromium();
  page = browser.page;
  page.on('websocket', (socket) => {
    const progressIds = new Set<string>();
    socket.on('framesent', ({ payload }) => {
      const message = JSON.parse(String(payload)) as {
        id?: string;
        type: string;
        payload?: { query?: string };
      };
      if (message.type === 'subscribe' && message.payload?.query?.includes('stackDeployProgress')) {
        progressIds.add(message.id!);
        timeline.push('subscribe');
      }
    });
    socket.on('framereceived', ({ payload }) => {
      const message = JSON.parse(String(payload)) as {
        id?: string;
        type: string;
        payload?: { data?: { stackDeployProgress?: { step: string } } };
      };
      const step = message.payload?.data?.stackDeployProgress?.step;
      if (message.type === 'next' && progressIds.has(message.id!) && step) timeline.push(`step:${step}`);
    });
  });
  page.on('request', (request) => {
    if (!request.url().endsWith('/graphql') || request.method() !== 'POST') return;
    const body = request.postDataJSON() as { query: string; variables: Record<string, unknown> };
    if (body.query.includes('DashboardDeployStack')) {
      const input = body.variables['input'] as { dryRun: boolean };
      timeline.push(input.dryRun ? 'dry-run' : 'deploy');
    } else if (body.query.includes('DashboardScaleStackService')) timeline.push('scale');
  });
});

afterAll(async () => {
  await browser?.close();
  // Whatever a failed step left: the stack with its network and volumes, then anything labelled.
  await operator?.graphql(RemoveStack, { name: STACK, volumes: true }).catch(() => undefined);
  await berth?.stop();
  if (docker) await cleanupLabelled(docker, `${TEST_LABEL}=${LABEL}`);
});

const url = (path: string) => `${berth.url}${path}`;

async function containersOf(stack: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${stack}`] } });
}

async function signIn(token: string, path: string): Promise<void> {
  await page.goto(url(path));
  await page.locator('input[name="token"]').fill(token);
  await page.getByRole('button', { name: 'Open dashboard' }).click();
  await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
}

async function signOut(): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('input[name="token"]').waitFor();
}

/** The caret's line and column (1-based) in the compose editor, and whether it has the focus. */
function caret(): Promise<{ line: number; column: number; focused: boolean }> {
  return page.evaluate(() => {
    const textarea = document.querySelector<HTMLTextAreaElement>('textarea[name="compose"]')!;
    const before = textarea.value.slice(0, textarea.selectionStart).split('\n');
    return {
      line: before.length,
      column: before[before.length - 1]!.length + 1,
      focused: document.activeElement === textarea,
    };
  });
}

describe('the Stacks page in Chromium', () => {
  it('opens from the top bar on an empty editor for a new stack', async () => {
    await signIn(operator.token, '/');
    await page.getByRole('link', { name: 'Stacks' }).click();
    await page.waitForURL(/#\/stacks$/);
    const list = page.getByRole('region', { name: 'Stacks' });
    await list.getByRole('columnheader', { name: 'services' }).waitFor();
    await page
      .getByRole('region', { name: 'Compose file' })
      .getByRole('heading', { name: 'New stack' })
      .waitFor();
    // The Containers page is one link away, on the same WebSocket.
    expect(await page.getByRole('link', { name: 'Containers' }).getAttribute('href')).toBe('#/');
  });

  it('marks an unsupported key at its line, and choosing it puts the caret there', async () => {
    const editor = page.getByRole('region', { name: 'Compose file' });
    await editor.locator('input[name="stack-name"]').fill(STACK);
    await editor.locator('textarea[name="compose"]').fill(UNSUPPORTED);
    await editor.getByRole('button', { name: 'Check and plan' }).click();

    await expect(editor.getByRole('alert').textContent()).resolves.toMatch(/^INVALID_COMPOSE: /);
    const problem = editor.locator('.problems li[data-key="privileged"]');
    await problem.waitFor();
    expect(await problem.getAttribute('data-line')).toBe('5');
    expect(await problem.textContent()).toContain('services.web.privileged');
    // The gutter marks line 5, and only it, with the message as its title.
    const marked = editor.locator('.gutter-line.problem');
    expect(await marked.count()).toBe(1);
    expect(await marked.getAttribute('data-line')).toBe('5');
    expect(await marked.getAttribute('title')).toContain('privileged');

    await problem.getByRole('button', { name: /^line 5/ }).click();
    const at = await caret();
    expect(at.focused).toBe(true);
    expect(at.line).toBe(5);
    expect(at.column).toBeGreaterThanOrEqual(1);
    // Nothing ran: the file was refused before any plan.
    expect(await containersOf(STACK)).toEqual([]);
  });

  it('plans the fixed file on a dry run, changing nothing', async () => {
    const editor = page.getByRole('region', { name: 'Compose file' });
    const deploy = editor.getByRole('button', { name: 'Deploy' });
    // Applying is offered only for a file that was planned as it is.
    expect(await deploy.isDisabled()).toBe(true);
    await editor.locator('textarea[name="compose"]').fill(FIXED);
    await editor.getByRole('button', { name: 'Check and plan' }).click();

    const plan = editor.getByRole('region', { name: 'Plan' });
    const web = plan.locator('tr[data-service="web"]');
    await web.waitFor({ timeout: 30_000 });
    expect(await web.getAttribute('data-action')).toBe('CREATE');
    expect(await web.locator('td.replicas').textContent()).toBe('0→1');
    expect((await web.locator('td.reason').textContent())?.length).toBeGreaterThan(0);
    expect(await plan.getAttribute('data-changes')).toBe('true');
    // The stack's default network, to be created.
    await plan.locator(`tr[data-resource="${STACK}_default"]`, { hasText: 'create' }).waitFor();
    expect(await editor.locator('.problems').count()).toBe(0);
    expect(await editor.locator('.gutter-line.problem').count()).toBe(0);
    expect(await containersOf(STACK)).toEqual([]);

    // An edit makes the plan stale until it is planned again.
    await editor.locator('textarea[name="compose"]').fill(`${FIXED}\n`);
    expect(await deploy.isDisabled()).toBe(true);
    await plan.getByText('plan it again').waitFor();
    await editor.locator('textarea[name="compose"]').fill(FIXED);
    expect(await deploy.isDisabled()).toBe(false);
  });

  it('deploys it, following stackDeployProgress from before the deploy to DONE', async () => {
    const editor = page.getByRole('region', { name: 'Compose file' });
    timeline = [];
    await editor.getByRole('button', { name: 'Deploy' }).click();

    const progress = editor.getByRole('region', { name: 'Deploy progress' });
    await progress.and(page.locator('[data-progress-end="DONE"]')).waitFor({ timeout: 90_000 });
    const steps = await progress
      .locator('li[data-step]')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-step')));
    expect(steps[0]).toBe('PLANNED');
    expect(steps).toEqual(expect.arrayContaining(['NETWORK_CREATED', 'CREATING', 'SERVICE_DONE']));
    expect(steps.at(-1)).toBe('DONE');
    // Subscribed, took IDLE, and only then deployed: the first step came after, and nothing was missed.
    expect(timeline.slice(0, 4)).toEqual(['subscribe', 'step:IDLE', 'deploy', 'step:PLANNED']);

    const outcome = editor.locator('.outcomes li[data-service="web"]');
    await outcome.waitFor();
    expect(await outcome.getAttribute('data-outcome')).toBe('APPLIED');
    expect(await editor.locator('.outcomes').getAttribute('data-ok')).toBe('true');

    const running = await containersOf(STACK);
    expect(running.map((container) => [container.Names[0], container.State])).toEqual([
      [`/${STACK}-web-1`, 'running'],
    ]);
    expect(running[0]!.Labels[TEST_LABEL]).toBe(LABEL);
  });

  it('lists the stack with its status and services, and opens its view with the replicas', async () => {
    const row = page.getByRole('region', { name: 'Stacks' }).locator(`tr[data-stack="${STACK}"]`);
    await row.locator('[data-stack-status="RUNNING"]').waitFor({ timeout: 15_000 });
    expect(await row.locator('td.services').textContent()).toBe('1');
    expect(await row.textContent()).toContain('deployed by berth');

    await page
      .getByRole('region', { name: 'Compose file' })
      .getByRole('link', { name: `open ${STACK}` })
      .click();
    await page.waitForURL(new RegExp(`#/stacks/${STACK}$`));
    const view = page.getByRole('region', { name: 'Stack', exact: true });
    const web = view.locator('tr[data-service="web"]');
    await web.waitFor();
    expect(await web.getAttribute('data-desired')).toBe('1');
    expect(await web.getAttribute('data-running')).toBe('1');
    expect(await web.locator('td.replicas').textContent()).toBe('1/1');
    await web.locator(`[data-container="${STACK}-web-1"] [data-status="RUNNING"]`).waitFor();
    // The deployed file is in the editor, ready for the next change.
    expect(await page.locator('textarea[name="compose"]').inputValue()).toBe(FIXED);
    await page
      .getByRole('region', { name: 'History' })
      .locator('tr[data-action="DEPLOY"][data-ok="true"]')
      .waitFor();
  });

  it('scales the service from its row, following the scale', async () => {
    const view = page.getByRole('region', { name: 'Stack', exact: true });
    const web = view.locator('tr[data-service="web"]');
    timeline = [];
    await web.locator('input[name="replicas"]').fill('2');
    await web.getByRole('button', { name: 'Scale' }).click();

    const progress = view.getByRole('region', { name: 'Scaling web to 2' });
    await progress.and(page.locator('[data-progress-end="DONE"]')).waitFor({ timeout: 60_000 });
    await progress.locator('li[data-step="CREATING"]', { hasText: `${STACK}-web-2` }).waitFor();
    // What runs now. (desiredReplicas is the file's deploy.replicas as berth answers it today, not
    // the scaled count, so the row's data-desired is not checked here.)
    await view.locator('tr[data-service="web"][data-running="2"]').waitFor({ timeout: 15_000 });
    await view
      .locator(`[data-container="${STACK}-web-2"] [data-status="RUNNING"]`)
      .waitFor({ timeout: 15_000 });
    expect(timeline.slice(0, 3)).toEqual(['subscribe', 'step:IDLE', 'scale']);
    const names = (await containersOf(STACK)).map((container) => container.Names[0]).sort();
    expect(names).toEqual([`/${STACK}-web-1`, `/${STACK}-web-2`]);
    await page
      .getByRole('region', { name: 'History' })
      .locator('tr[data-action="SCALE"]')
      .waitFor({ timeout: 15_000 });
    const row = page.getByRole('region', { name: 'Stacks' }).locator(`tr[data-stack="${STACK}"]`);
    await row.getByText(/^2\//).waitFor({ timeout: 15_000 });
    // For a look at the page (git ignores test-results/).
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await writeFile(SCREENSHOT, await page.screenshot({ fullPage: true }));
  });

  it('stops and starts it from its buttons', async () => {
    const view = page.getByRole('region', { name: 'Stack', exact: true });
    await view.getByRole('button', { name: 'Stop' }).click();
    await view.locator('h2 [data-stack-status="STOPPED"]').waitFor({ timeout: 60_000 });
    expect((await containersOf(STACK)).map((container) => container.State)).toEqual(['exited', 'exited']);

    await view.getByRole('button', { name: 'Start' }).click();
    await view.locator('h2 [data-stack-status="RUNNING"]').waitFor({ timeout: 60_000 });
    expect((await containersOf(STACK)).map((container) => container.State)).toEqual(['running', 'running']);
  });

  it('gives a viewer the stack to read and, once berth refuses a change, no controls', async () => {
    await signOut();
    const viewer = berth.asRole('viewer', 'dashboard-stacks-e2e-viewer').token;
    await signIn(viewer, `/#/stacks/${STACK}`);
    const view = page.getByRole('region', { name: 'Stack', exact: true });
    await view.locator('tr[data-service="web"][data-running="2"]').waitFor({ timeout: 15_000 });

    // berth has no query naming a token's role: the first refusal tells the page.
    await view.getByRole('button', { name: 'Stop' }).click();
    await expect(view.getByRole('alert').textContent()).resolves.toMatch(/^FORBIDDEN: /);
    await view.locator('.read-only').waitFor();
    expect(await view.getByRole('button', { name: /^(Start|Stop|Remove)$/ }).count()).toBe(0);
    expect(await view.locator('input[name="replicas"]').count()).toBe(0);
    const editor = page.getByRole('region', { name: 'Compose file' });
    expect(await editor.getByRole('button', { name: /Check and plan|Deploy/ }).count()).toBe(0);
    expect(await editor.locator('textarea[name="compose"]').getAttribute('readonly')).not.toBeNull();
    expect((await containersOf(STACK)).map((container) => container.State)).toEqual(['running', 'running']);
  });

  it('removes it after asking whether its volumes go too, and it leaves the list', async () => {
    await signOut();
    await signIn(operator.token, `/#/stacks/${STACK}`);
    const view = page.getByRole('region', { name: 'Stack', exact: true });
    await view.getByRole('button', { name: 'Remove' }).click();
    await view.getByLabel('also remove its volumes').check();
    await view.getByRole('button', { name: 'Really remove' }).click();

    await page.waitForURL(/#\/stacks$/, { timeout: 60_000 });
    await page.locator(`tr[data-stack="${STACK}"]`).waitFor({ state: 'detached', timeout: 15_000 });
    expect(await containersOf(STACK)).toEqual([]);
    const networks = await docker.listNetworks({
      filters: { label: [`com.docker.compose.project=${STACK}`] },
    });
    expect(networks).toEqual([]);
  });
});
