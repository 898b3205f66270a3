import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type BerthClient, type RunningBerth } from '../support/berth.js';
import { startGitDaemon, WorkingRepo, type GitServer } from '../support/git-server.js';
import { RemoveStack, StackSource, StackWebhookQuery } from '../support/operations/index.js';
import { waitFor } from '../support/wait.js';
import { ensureDashboardBuilt, launchChromium, type Browser } from './browser.js';

/**
 * Stacks from git in a real headless Chromium against a real berth and a real `git daemon` on
 * loopback: the new-stack page's "Deploy from git" plans and deploys a repository; the stack's
 * view shows its source and the commit it runs, Sync now answers unchanged and then, after a
 * push, changed with the deploy followed to DONE; an admin makes and rotates the push webhook,
 * whose secret is shown once and works (the old one no longer does). Each step is checked in the
 * page and against berth's API or Docker.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOT = fileURLToPath(new URL('../../test-results/dashboard-git.png', import.meta.url));
const LABEL = 'dashboard-git';
const STACK = uniqueName('dash-git').replace(/^berth-test-/, 'bt-');

let berth: RunningBerth;
let operator: BerthClient & { token: string };
let admin: BerthClient & { token: string };
let docker: Docker;
let daemon: GitServer;
let repo: WorkingRepo;
let browser: Browser;
let page: Page;
/** The commits pushed, in order. */
const commits: string[] = [];

function compose(greeting: string): string {
  return `services:
  web:
    image: ${inject('testImage')}
    command: ["sleep", "3600"]
    init: true
    environment:
      GREETING: ${greeting}
    labels:
      ${TEST_LABEL}: ${LABEL}
`;
}

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  const build = await ensureDashboardBuilt(ROOT);
  if (build === 'built')
    console.info('[dashboard git e2e] built the dashboard (web/dist was older than web/)');
  berth = await startBerth(
    {
      BERTH_AUTH: 'on',
      BERTH_AUTH_FAILURES_PER_MINUTE: '1000',
      BERTH_SECRET_KEY: randomBytes(32).toString('base64'),
    },
    { label: LABEL },
  );
  operator = berth.asRole('operator', 'dashboard-git-operator');
  admin = berth.asRole('admin', 'dashboard-git-admin');
  daemon = await startGitDaemon();
  repo = await WorkingRepo.create(daemon.root, `dash-git-${process.pid}`);
  await repo.write({ 'compose.yaml': compose('first') });
  commits.push(await repo.commitAndPush('first'));
  browser = await launchChromium();
  page = browser.page;
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: new URL(berth.url).origin,
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await operator?.graphql(RemoveStack, { name: STACK, volumes: true }).catch(() => undefined);
  await berth?.stop();
  await daemon?.stop();
  await repo?.remove();
  if (docker) await cleanupLabelled(docker, `${TEST_LABEL}=${LABEL}`);
});

const url = (path: string) => `${berth.url}${path}`;

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

async function sourceInTheApi() {
  return (await operator.query(StackSource, { name: STACK })).stack?.source;
}

async function greetingInDocker(): Promise<string | undefined> {
  const [container] = await docker.listContainers({
    filters: { label: [`com.docker.compose.project=${STACK}`] },
  });
  if (!container) return undefined;
  const env = (await docker.getContainer(container.Id).inspect()).Config.Env;
  return env.find((entry) => entry.startsWith('GREETING='))?.slice('GREETING='.length);
}

/** Posts a push of main to the stack's webhook as GitHub signs it; answers the status. */
async function deliverPush(secret: string): Promise<number> {
  const body = JSON.stringify({ ref: 'refs/heads/main', after: commits.at(-1), repository: { name: 'r' } });
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const response = await fetch(url(`/hooks/stacks/${STACK}`), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-hub-signature-256': signature,
    },
    body,
  });
  await response.body?.cancel();
  return response.status;
}

describe('stacks from git in Chromium', () => {
  it('plans a repository from the new-stack page, then deploys it, followed to DONE', async () => {
    await signIn(operator.token, '/#/stacks');
    const form = page.getByRole('region', { name: 'Deploy from git' });
    await form.getByLabel('Stack name', { exact: true }).fill(STACK);
    await form.getByLabel('Repository', { exact: true }).fill(daemon.url(repo.name));
    await form.getByLabel('Branch or tag', { exact: true }).fill('main');
    await form.getByLabel('Poll every (minutes)', { exact: true }).fill('0');
    const deploy = form.getByRole('button', { name: 'Deploy from git' });
    expect(await deploy.isDisabled()).toBe(true);
    await form.getByRole('button', { name: 'Check and plan' }).click();

    const plan = form.getByRole('region', { name: 'Plan' });
    await plan.locator('tr[data-service="web"][data-action="CREATE"]').waitFor({ timeout: 60_000 });
    expect(
      await docker.listContainers({ filters: { label: [`com.docker.compose.project=${STACK}`] } }),
    ).toEqual([]);

    await deploy.click();
    await form
      .getByRole('region', { name: 'Deploy progress' })
      .and(page.locator('[data-progress-end="DONE"]'))
      .waitFor({ timeout: 90_000 });
    await form.locator('.outcomes[data-ok="true"]').waitFor();
    expect(await sourceInTheApi()).toMatchObject({
      repository: daemon.url(repo.name),
      ref: 'main',
      path: 'compose.yaml',
      commit: commits[0],
      pollMinutes: 0,
      auth: 'NONE',
    });
    expect(await greetingInDocker()).toBe('first');
  });

  it('shows the stack’s source, the commit it runs and when it was synced', async () => {
    await page.getByRole('link', { name: `open ${STACK}` }).click();
    const card = page.getByRole('region', { name: 'Git source' });
    await card.waitFor({ timeout: 15_000 });
    expect(await card.locator('code.repository').textContent()).toBe(daemon.url(repo.name));
    expect(await card.locator('code.ref').textContent()).toBe('main');
    expect(await card.locator('code.path').textContent()).toBe('compose.yaml');
    const commit = card.locator('dd [data-commit]');
    expect(await commit.textContent()).toBe(commits[0]!.slice(0, 7));
    expect(await commit.getAttribute('title')).toBe(commits[0]);
    expect(await card.locator('dd.synced-at').textContent()).not.toBe('never');
  });

  it('Sync now says unchanged when nothing was pushed, and touches nothing', async () => {
    const card = page.getByRole('region', { name: 'Git source' });
    const [before] = await docker.listContainers({
      filters: { label: [`com.docker.compose.project=${STACK}`] },
    });
    await card.getByRole('button', { name: 'Sync now' }).click();
    const result = card.locator('.sync-result[data-changed="false"]');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toContain(commits[0]!.slice(0, 7));
    const [after] = await docker.listContainers({
      filters: { label: [`com.docker.compose.project=${STACK}`] },
    });
    expect(after?.Id).toBe(before?.Id);
  });

  it('Sync now after a push deploys the new commit, following the deploy, and the view shows it', async () => {
    await repo.write({ 'compose.yaml': compose('second') });
    commits.push(await repo.commitAndPush('second'));
    const card = page.getByRole('region', { name: 'Git source' });
    await card.getByRole('button', { name: 'Sync now' }).click();
    await card
      .getByRole('region', { name: 'Sync progress' })
      .and(page.locator('[data-progress-end="DONE"]'))
      .waitFor({ timeout: 90_000 });
    const result = card.locator('.sync-result[data-changed="true"]');
    await result.waitFor();
    expect(
      await result
        .locator('[data-commit]')
        .evaluateAll((items) => items.map((item) => item.getAttribute('data-commit'))),
    ).toEqual(commits);
    await page
      .locator(`section[aria-label="Git source"][data-commit="${commits[1]}"]`)
      .waitFor({ timeout: 15_000 });
    expect((await sourceInTheApi())?.commit).toBe(commits[1]);
    expect(await greetingInDocker()).toBe('second');
    await page
      .getByRole('region', { name: 'History' })
      .locator('tr[data-action="SYNC"][data-ok="true"]')
      .waitFor({ timeout: 15_000 });
  });

  it('shows an operator berth’s refusal to make the webhook: that is an admin’s', async () => {
    const webhook = page.getByRole('region', { name: 'Push webhook' });
    await webhook.getByText('No webhook yet').waitFor();
    await webhook.getByRole('button', { name: 'Create webhook' }).click();
    await expect(webhook.getByRole('alert').textContent()).resolves.toMatch(/^FORBIDDEN: /);
    expect(await admin.query(StackWebhookQuery, { stack: STACK })).toEqual({ stackWebhook: null });
    // Not a read-only token: Sync now stays.
    expect(await page.getByRole('button', { name: 'Sync now' }).count()).toBe(1);
  });

  it('gives an admin the webhook URL and its secret once, with copy buttons; the secret works', async () => {
    await signOut();
    await signIn(admin.token, `/#/stacks/${STACK}`);
    const webhook = page.getByRole('region', { name: 'Push webhook' });
    await webhook.getByRole('button', { name: 'Create webhook' }).click();
    const secretField = webhook.getByLabel('Secret (shown this once)', { exact: true });
    await secretField.waitFor({ timeout: 15_000 });
    const secret = await secretField.inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(32);

    const { stackWebhook } = await admin.query(StackWebhookQuery, { stack: STACK });
    expect(stackWebhook?.url).toMatch(new RegExp(`/hooks/stacks/${STACK}$`));
    expect(await webhook.getByLabel('Payload URL', { exact: true }).inputValue()).toBe(
      new URL(stackWebhook!.url, berth.url).href,
    );
    await webhook.getByRole('button', { name: 'Copy secret' }).click();
    await webhook.getByText('Secret copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await webhook.getByRole('button', { name: 'Copy URL' }).click();
    await webhook.getByText('URL copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      await webhook.getByLabel('Payload URL', { exact: true }).inputValue(),
    );

    const status = await deliverPush(secret);
    expect(status).toBeGreaterThanOrEqual(200);
    expect(status).toBeLessThan(300);
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await writeFile(SCREENSHOT, await page.screenshot({ fullPage: true }));

    // Done: the secret leaves the page.
    await webhook.getByRole('button', { name: 'Done' }).click();
    expect(await page.content()).not.toContain(secret);

    // Rotating asks first; the new secret works, the old one no longer does.
    await webhook.getByRole('button', { name: 'Rotate secret' }).click();
    await webhook.getByRole('button', { name: /^Really rotate/ }).click();
    await secretField.waitFor();
    const rotated = await secretField.inputValue();
    expect(rotated).not.toBe(secret);
    expect(await deliverPush(secret)).toBe(401);
    expect(await deliverPush(rotated)).toBeLessThan(300);
    // Each accepted push syncs the stack: let that end before the stack is removed.
    await waitFor(async () => !berth.app.context.environments.local.webhooks.syncing(STACK), 60_000);
    expect((await admin.query(StackWebhookQuery, { stack: STACK })).stackWebhook?.lastOutcome).toMatch(
      /^up to date at /,
    );
  });
});
