import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { editorText, typeInto } from './graphiql-editor.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type RunningBerth } from '../support/berth.js';
import { ensureDashboardBuilt, launchChromium, type Browser } from './browser.js';

/**
 * GraphiQL as berth serves it, in a real headless Chromium with every request to anywhere but berth
 * cut off: its assets are berth's own (nothing from a CDN), a query typed into its editor runs, and
 * opened from the dashboard it starts with the session's token in its headers.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Written on every run, where git ignores it.
const SCREENSHOT = fileURLToPath(new URL('../../test-results/graphiql.png', import.meta.url));
const QUERY = '{ system { engine { up } statsSource';
/** The query as the editor holds it, Monaco having closed its brackets, without white space. */
const QUERY_HELD = '{system{engine{up}statsSource}}';

let berth: RunningBerth;
let browser: Browser;
let page: Page;
let token: string;
/** Every URL the page asked for, and those that were not berth's (cut off). */
const requested: string[] = [];
const outside: string[] = [];
/** What the console said about the content security policy (a refused script, worker or style). */
const policyViolations: string[] = [];

beforeAll(async () => {
  await ensureDashboardBuilt(ROOT);
  berth = await startBerth({ BERTH_AUTH: 'on', BERTH_AUTH_FAILURES_PER_MINUTE: '1000' });
  token = berth.asRole('viewer', 'graphiql-e2e').token;
  browser = await launchChromium();
  page = browser.page;
  const origin = new URL(berth.url).origin;
  await browser.context.route('**/*', async (route) => {
    const url = route.request().url();
    requested.push(url);
    if (new URL(url).origin === origin) await route.continue();
    else {
      outside.push(url);
      await route.abort('internetdisconnected');
    }
  });
  page.on('console', (message) => {
    if (/content security policy/i.test(message.text())) policyViolations.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await berth?.stop();
});

/** Runs the query as GraphiQL's shortcut does (the run button may be under the completion list). */
async function run(): Promise<void> {
  await page.keyboard.press('ControlOrMeta+Enter');
}

describe('GraphiQL served by berth', () => {
  it('answers the page with every asset inlined, nothing from another host, under a policy that lets it run', async () => {
    const response = await fetch(`${berth.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('renderYogaGraphiQL');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="(https?:)?\/\//);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toMatch(/script-src 'self' 'sha256-/);
    expect(policy).not.toContain("'unsafe-eval'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('runs a query typed into its editor, with the token typed under Headers, offline', async () => {
    await page.goto(`${berth.url}/graphql`);
    const queryEditor = page.locator('.graphiql-query-editor .monaco-editor');
    await queryEditor.waitFor({ timeout: 30_000 });
    // Not signed in to the dashboard in this tab: the headers start empty.
    expect(await editorText(page, 'headers.json')).not.toContain('Bearer');

    await typeInto(page, queryEditor, QUERY);
    await expect
      .poll(async () => (await editorText(page, 'operation.graphql')).replace(/\s+/g, ''))
      .toBe(QUERY_HELD);
    const headersEditor = page.locator('.graphiql-editor-tool .monaco-editor').last();
    await typeInto(page, headersEditor, `{"Authorization": "Bearer ${token}`);
    await expect
      .poll(async () => JSON.parse((await editorText(page, 'headers.json')) || '{}'))
      .toEqual({
        Authorization: `Bearer ${token}`,
      });

    await run();
    const result = page.locator('.graphiql-response');
    await expect.poll(() => result.innerText(), { timeout: 15_000 }).toMatch(/"up":\s*true/);
    await page.screenshot({ path: SCREENSHOT });

    expect(outside).toEqual([]);
    expect(requested.every((url) => url.startsWith(berth.url))).toBe(true);
    expect(policyViolations).toEqual([]);
  });

  it('starts with the dashboard session token in its headers when opened from the dashboard', async () => {
    await page.goto(`${berth.url}/`);
    await page.locator('input[name="token"]').fill(token);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });

    await page.getByRole('link', { name: 'GraphiQL' }).click();
    await page.waitForURL(`${berth.url}/graphql`);
    const queryEditor = page.locator('.graphiql-query-editor .monaco-editor');
    await queryEditor.waitFor({ timeout: 30_000 });
    // No token in the URL, in localStorage, or in any request but GraphiQL's own with its header.
    expect(page.url()).not.toContain(token);
    await expect
      .poll(async () => JSON.parse((await editorText(page, 'headers.json')) || '{}'))
      .toEqual({
        Authorization: `Bearer ${token}`,
      });
    await expect(page.locator('.graphiql-editor-tool').innerText()).resolves.toContain('Authorization');

    await typeInto(page, queryEditor, QUERY);
    await run();
    const result = page.locator('.graphiql-response');
    await expect.poll(() => result.innerText(), { timeout: 15_000 }).toMatch(/"up":\s*true/);
    await expect(result.innerText()).resolves.not.toContain('UNAUTHENTICATED');
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
    expect(stored).not.toContain(token);

    expect(outside).toEqual([]);
    expect(requested.some((url) => url.includes(token))).toBe(false);
    expect(policyViolations).toEqual([]);
  });
});
