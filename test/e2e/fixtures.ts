import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, test as base } from '@playwright/test';
import { type Harness, type HarnessOptions, startHarness } from '../harness/server';
import { launchChromium } from './chromium';

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
mkdirSync(SCREENSHOT_DIR, { recursive: true });

/** Saves a full-window screenshot under test-results/screenshots/ and returns its path. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled', fullPage: options.fullPage ?? false });
  return path;
}

type Fixtures = { harnessOptions: HarnessOptions; harness: Harness; page: Page };
type WorkerFixtures = { sharedBrowser: Browser };

export const test = base.extend<Fixtures, WorkerFixtures>({
  sharedBrowser: [
    async ({}, use) => {
      const browser = await launchChromium();
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
  harnessOptions: [{}, { option: true }],
  harness: async ({ harnessOptions }, use) => {
    const harness = await startHarness(harnessOptions);
    await use(harness);
    await harness.close();
  },
  page: async ({ sharedBrowser, harness }, use) => {
    const context = await sharedBrowser.newContext({ viewport: { width: 1100, height: 760 }, colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(harness.url);
    await use(page);
    await context.close();
  },
});

export { expect } from '@playwright/test';
