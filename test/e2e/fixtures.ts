import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, test as base, expect } from '@playwright/test';
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

/** Plays the person in their browser: the stand-in's login and consent pages, in Chromium. */
export async function approveInBrowser(page: Page, url: string, options: { planUsage?: boolean } = {}): Promise<void> {
  const browserTab = await page.context().newPage();
  await browserTab.goto(url);
  await browserTab.locator('input[name=email]').fill('alice@example.com');
  await browserTab.locator('input[name=password]').fill('password');
  await browserTab.locator('#login').click();
  if (options.planUsage === false) await browserTab.locator('#plan-usage').uncheck();
  await browserTab.locator('#approve').click();
  await expect(browserTab.locator('body')).toContainText('return to Loupe');
  // The loopback page must not show the code or state it received.
  const html = await browserTab.content();
  const landed = new URL(browserTab.url());
  for (const key of ['code', 'state']) {
    const value = landed.searchParams.get(key);
    if (value) expect(html).not.toContain(value);
  }
  await browserTab.close();
}

/** "Continue with ChatGPT" from the signed-out screen through to the one-time plan notice. */
export async function signInWithChatGpt(page: Page, harness: Harness): Promise<void> {
  const before = harness.opened.length;
  await page.locator('.hero').getByRole('button', { name: 'Continue with ChatGPT' }).click();
  await expect.poll(() => harness.opened.length).toBe(before + 1);
  await approveInBrowser(page, harness.opened[before]!);
  await page.getByRole('button', { name: 'Got it' }).click();
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

export { expect };
