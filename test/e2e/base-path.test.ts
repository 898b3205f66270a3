import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import type { Page } from 'playwright-core';
import { editorText, typeInto } from './graphiql-editor.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { CreateContainer } from '../support/operations/index.js';
import { ensureDashboardBuilt, launchChromium, type Browser } from './browser.js';

/**
 * The dashboard and GraphiQL in Chromium with berth under BERTH_BASE_PATH=/berth, as behind a
 * proxy that keeps its prefix: the dashboard loads its assets, queries and WebSocket under the
 * prefix and shows the containers; GraphiQL posts to the prefixed endpoint, and after it wrote the
 * query into its URL a reload loads the page again. Every request the pages make stays under
 * the prefix.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LABEL = 'base-path-e2e';

let berth: RunningBerth;
let docker: Docker;
let browser: Browser;
let page: Page;
let token: string;
/** The container the dashboard must list. */
const containerName = uniqueName('base-path');
/** Every URL the pages asked for (WebSockets included). */
const requested: string[] = [];

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  await ensureDashboardBuilt(ROOT);
  berth = await startBerth(
    { BERTH_AUTH: 'on', BERTH_AUTH_FAILURES_PER_MINUTE: '1000', BERTH_BASE_PATH: '/berth' },
    { label: LABEL },
  );
  token = berth.asRole('viewer', 'base-path-e2e').token;
  const { createContainer } = await berth.asRole('operator', 'base-path-creator').query(CreateContainer, {
    input: {
      name: containerName,
      image: inject('testImage'),
      command: ['sleep', '600'],
      labels: [{ name: TEST_LABEL, value: LABEL }],
    },
  });
  expect(createContainer.__typename).toBe('CreateContainerSuccess');
  browser = await launchChromium();
  page = browser.page;
  page.on('request', (request) => requested.push(request.url()));
  page.on('websocket', (socket) => requested.push(socket.url()));
});

afterAll(async () => {
  await browser?.close();
  await berth?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=${LABEL}`);
});

describe('under BERTH_BASE_PATH=/berth in Chromium', () => {
  it('the dashboard loads under the prefix and shows the containers, live', async () => {
    // Without the trailing slash, as a person types it: redirected to /berth/.
    await page.goto(berth.url);
    expect(page.url()).toBe(`${berth.url}/`);
    await page.locator('input[name="token"]').fill(token);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
    await page
      .locator(`tr[data-name="${containerName}"] [data-status="RUNNING"]`)
      .waitFor({ timeout: 15_000 });

    const origin = new URL(berth.url).origin;
    const own = requested.filter((url) => new URL(url).host === new URL(origin).host);
    expect(own.some((url) => url.startsWith(`${origin.replace(/^http/, 'ws')}/berth/graphql`))).toBe(true);
    expect(own.some((url) => url === `${origin}/berth/graphql`)).toBe(true);
    // Only the address typed in (redirected) lacks the slash; everything else is under /berth/.
    expect(own.filter((url) => !new URL(url).pathname.startsWith('/berth/'))).toEqual([berth.url]);
    // The top bar's GraphiQL link stays under the prefix too.
    const graphiql = await page.locator('a.graphiql').evaluate((link) => (link as HTMLAnchorElement).href);
    expect(graphiql).toBe(`${origin}/berth/graphql`);
  });

  it('GraphiQL runs a query at the prefixed endpoint, and loads again on a reload', async () => {
    await page.goto(`${berth.url}/graphql`);
    const queryEditor = page.locator('.graphiql-query-editor .monaco-editor');
    await queryEditor.waitFor({ timeout: 30_000 });
    await typeInto(page, queryEditor, '{ system { engine { up } statsSource');
    const headersEditor = page.locator('.graphiql-editor-tool .monaco-editor').last();
    await typeInto(page, headersEditor, `{"Authorization": "Bearer ${token}`);
    await expect
      .poll(async () => JSON.parse((await editorText(page, 'headers.json')) || '{}'))
      .toEqual({
        Authorization: `Bearer ${token}`,
      });
    const ran = page.waitForResponse(
      (response) => response.url() === `${berth.url}/graphql` && response.request().method() === 'POST',
    );
    await page.keyboard.press('ControlOrMeta+Enter');
    expect((await ran).status()).toBe(200);
    const result = page.locator('.graphiql-response');
    await expect.poll(() => result.innerText(), { timeout: 15_000 }).toMatch(/"up":\s*true/);

    // GraphiQL keeps the query in the page's URL; a reload asks for that URL again.
    await expect.poll(() => page.url()).toContain('query=');
    const reloaded = await page.reload();
    expect(reloaded?.status()).toBe(200);
    await queryEditor.waitFor({ timeout: 30_000 });
    await expect
      .poll(async () => (await editorText(page, 'operation.graphql')).replace(/\s+/g, ''))
      .toContain('statsSource');
  });
});
