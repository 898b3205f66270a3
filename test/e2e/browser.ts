import { execFile } from 'node:child_process';
import { access, constants, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * What the dashboard's end-to-end test and benchmark share: a real headless Chromium (Debian's,
 * driven by playwright-core, which cannot download browsers here) and a dashboard build that
 * matches web/'s sources.
 */

export const CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface Browser {
  page: Page;
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh profile in a temporary directory, removed again by close(). */
export async function launchChromium(viewport = { width: 1440, height: 900 }): Promise<Browser> {
  try {
    await access(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(
      `no Chromium at ${CHROMIUM}: the dashboard's browser tests need Debian's chromium ` +
        '(apt-get install -y chromium; bash .ci/run installs it when missing)',
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'berth-chromium-'));
  let context: BrowserContext;
  try {
    // launchPersistentContext is playwright's way to give Chromium its --user-data-dir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    page,
    context,
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

async function newestChange(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const entry of await readdir(path)) {
    if (entry === 'dist' || entry === 'node_modules') continue;
    newest = Math.max(newest, await newestChange(join(path, entry)));
  }
  return newest;
}

/**
 * Builds the dashboard (`npm run build`) in `root` unless web/dist/ is newer than every source
 * under web/: `npm test` has just built it, while a test run on its own after an edit must not
 * test the previous build.
 */
export async function ensureDashboardBuilt(root: string): Promise<'fresh' | 'built'> {
  const built = await stat(join(root, 'web/dist/index.html')).then(
    (info) => info.mtimeMs,
    () => 0,
  );
  if (built > (await newestChange(join(root, 'web')))) return 'fresh';
  await promisify(execFile)(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts'],
    { cwd: root },
  );
  return 'built';
}
