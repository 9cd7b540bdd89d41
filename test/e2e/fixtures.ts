import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import sharp from 'sharp';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, test as base, expect } from '@playwright/test';
import { type Harness, type HarnessOptions, startHarness } from '../harness/server';
import { launchChromium } from './chromium';

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
/** The screenshots README shows: committed, made by the tour spec. */
export const README_SCREENSHOT_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));
mkdirSync(SCREENSHOT_DIR, { recursive: true });

/** Saves a window screenshot under test-results/screenshots/ (or README's folder) and returns its path. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean; readme?: boolean } = {}): Promise<string> {
  const path = join(options.readme ? README_SCREENSHOT_DIR : SCREENSHOT_DIR, `${name}.png`);
  const picture = await page.screenshot({ animations: 'disabled', fullPage: options.fullPage ?? false, caret: 'hide' });
  // README's pictures are committed: a palette PNG is a third of the size and looks the same.
  if (options.readme) await sharp(picture).png({ palette: true, quality: 90, effort: 7 }).toFile(path);
  else writeFileSync(path, picture);
  return path;
}

export const GOOD_PHOTOS = fileURLToPath(new URL('../fixtures/good/', import.meta.url));
export const EDGE_PHOTOS = fileURLToPath(new URL('../fixtures/edge/', import.meta.url));
export const BAD_PHOTOS = fileURLToPath(new URL('../fixtures/bad/', import.meta.url));

/** Drops files onto the window (anywhere) the way a person drags them from the file manager. */
export async function dropFiles(page: Page, paths: string[], target = 'body') {
  const files = paths.map((p) => ({
    name: p.split('/').pop()!,
    b64: readFileSync(p).toString('base64'),
    type: p.endsWith('.png') ? 'image/png' : p.endsWith('.webp') ? 'image/webp' : p.endsWith('.txt') ? 'text/plain' : 'image/jpeg',
  }));
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    return dt;
  }, files);
  const where = page.locator(target).first();
  await where.dispatchEvent('dragenter', { dataTransfer });
  await where.dispatchEvent('dragover', { dataTransfer });
  await where.dispatchEvent('drop', { dataTransfer });
}

/** axe-core on the page as it is: the serious and critical WCAG 2.2 AA violations, as readable lines. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => `${n.target.join(' ')}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, ' ')}]` : ''}`)
          .slice(0, 4)
          .join('; ')}`,
    );
}

/** How far the window's content sticks out sideways, in CSS pixels (0 = no horizontal overflow). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const widest = [document.documentElement, document.body, ...document.querySelectorAll('main, header, main > *')].reduce(
      (most, el) => Math.max(most, el.scrollWidth - el.clientWidth),
      0,
    );
    return widest;
  });
}

export const SIZES = {
  regular: { width: 1000, height: 700 },
  minimum: { width: 640, height: 480 },
  narrow: { width: 420, height: 640 },
} as const;

/**
 * Looks at the current state the way the issue asks: at the regular and the
 * minimum window size, light and dark, axe finds nothing serious; at the
 * minimum size and 420 px nothing overflows sideways. Returns every problem
 * found, so one assertion shows them all.
 */
export async function auditState(page: Page, name: string, options: { screenshot?: boolean } = {}): Promise<string[]> {
  const problems: string[] = [];
  // A resting pointer would leave hover styles in the pictures.
  await page.mouse.move(0, 0);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [sizeName, size] of Object.entries(SIZES)) {
      await page.setViewportSize(size);
      if (sizeName !== 'regular') {
        const overflow = await horizontalOverflow(page);
        if (overflow > 0) problems.push(`${name} ${sizeName} ${scheme}: content overflows sideways by ${overflow}px`);
      }
      if (sizeName !== 'narrow') for (const v of await seriousA11yViolations(page)) problems.push(`${name} ${sizeName} ${scheme}: ${v}`);
      if (options.screenshot && sizeName === 'minimum') await screenshot(page, `${name}-${scheme}`, { readme: true });
      // The narrow pictures are for review, not for README.
      if (options.screenshot && sizeName === 'narrow') await screenshot(page, `${name}-${scheme}-narrow`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SIZES.regular);
  return problems;
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
  // The tab waits for Loupe's own outcome (issuer, code exchange, identity), then says it.
  await expect(browserTab.locator('body')).toContainText('Return to Loupe');
  await expect(browserTab.locator('h1')).toHaveText('Signed in');
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
  await page.getByRole('button', { name: 'Continue with ChatGPT' }).first().click();
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
    const context = await sharedBrowser.newContext({ viewport: { width: 1000, height: 700 }, colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(harness.url);
    await use(page);
    await context.close();
  },
});

export { expect };
