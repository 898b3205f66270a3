import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type RunningBerth } from '../support/berth.js';
import { ensureDashboardBuilt, launchChromium, type Browser } from './browser.js';

/**
 * The dashboard told to slow down: its token is past its rate when the tab opens, so berth closes
 * the WebSocket with 1013. The top bar says it is waiting, and the tab does not ask for another
 * token (the token is good, only busy).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let berth: RunningBerth;
let browser: Browser;

beforeAll(async () => {
  await ensureDashboardBuilt(ROOT);
  berth = await startBerth({ BERTH_AUTH: 'on', BERTH_RATE_LIMIT_PER_MINUTE: '2' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await berth?.stop();
});

describe('the dashboard backing off', () => {
  it('shows "waiting" in its top bar when berth closes with 1013, and keeps its token', async () => {
    const busy = berth.asRole('viewer', 'backoff-e2e');
    // The token's rate spent before the tab opens.
    for (;;) if ((await busy.fetch('/containers')).status === 429) break;

    const { page } = browser;
    // playwright reports a WebSocket's close without its code: the page's own WebSocket has it.
    await page.addInitScript(() => {
      const Native = window.WebSocket;
      const codes: number[] = [];
      (window as unknown as { closeCodes: number[] }).closeCodes = codes;
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          this.addEventListener('close', (event) => codes.push(event.code));
        }
      };
    });
    await page.goto(`${berth.url}/`);
    await page.evaluate((token) => sessionStorage.setItem('berth.token', token), busy.token);
    await page.reload();

    const waiting = page.locator('[data-connection="waiting"]');
    await waiting.waitFor({ timeout: 15_000 });
    expect(await waiting.textContent()).toBe('waiting: berth asked to retry later');
    const closes = await page.evaluate(() => (window as unknown as { closeCodes: number[] }).closeCodes);
    expect(closes).toContain(1013);
    // Not sent back to the token form: the token is good, only past its rate.
    expect(await page.evaluate(() => sessionStorage.getItem('berth.token'))).toBe(busy.token);
    expect(await page.locator('[data-connection]').count()).toBe(1);
  });
});
