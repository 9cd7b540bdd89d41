import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { BAD_PHOTOS, EDGE_PHOTOS, GOOD_PHOTOS, SIZES, approveInBrowser, auditState, dropFiles, expect, test } from './fixtures';

const API_KEY = 'sk-test-first-run-1234567890';
const CLIENT_ID = 'gateway-e2e';

test.use({
  harnessOptions: {
    presentation: 'production',
    standInOptions: { api: { apiKeys: [API_KEY] }, auth: { staticClients: [{ client_id: CLIENT_ID }] } },
  },
});

const photos = (dir: string) =>
  readdirSync(dir)
    .filter((f) => /\.(jpe?g|png|webp|gif|tiff)$/.test(f))
    .sort()
    .map((f) => join(dir, f));

/** Ten photos: nine that work and one truncated file that cannot be read. */
const TEN = [...photos(GOOD_PHOTOS), ...photos(EDGE_PHOTOS).slice(0, 4), join(BAD_PHOTOS, 'truncated.jpg')];

async function analyseAndFinish(page: Page, count: number) {
  await page.getByRole('button', { name: `Analyse ${count} photos` }).click();
  const job = page.getByTestId('job').first();
  await expect(job.getByTestId('job-status')).toHaveText('Finished', { timeout: 45_000 });
  const [done, failed, skipped] = await Promise.all(
    ['job-done', 'job-failed', 'job-skipped'].map(async (id) => Number(await job.getByTestId(id).textContent())),
  );
  expect(done! + failed! + skipped!).toBe(count);
  return job;
}

test('signed out → API key → ten photos analysed, every state accessible at every size', async ({ page, harness }) => {
  test.setTimeout(240_000);
  const problems: string[] = [];

  await expect(page.getByRole('heading', { name: 'Welcome to Loupe' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Continue with ChatGPT' })).toBeVisible();
  // Screenshot mode: nothing that only a development run shows.
  await expect(page.getByText('test issuer')).toHaveCount(0);
  await expect(page.getByText('development build')).toHaveCount(0);
  problems.push(...(await auditState(page, 'signed-out', { screenshot: true })));

  await page.getByRole('button', { name: 'Use an API key' }).click();
  const form = page.getByRole('form', { name: 'Add an API key' });
  await expect(form.getByLabel('Name (optional)')).toBeFocused();
  await form.getByLabel('Base URL').fill('http://example.com/v1');
  await expect(form.getByText('Use https://')).toBeVisible();
  await form.getByLabel('Base URL').fill(harness.stack.endpoints.apiBase);
  await form.getByLabel('Name (optional)').fill('Work key');
  await form.getByLabel('API key').fill('sk-test-wrong-key-000000');
  await form.getByRole('button', { name: 'Check and save' }).click();
  await expect(form.getByRole('alert')).toContainText('rejected');
  // A failed check keeps the key so it can be corrected, not retyped.
  await expect(form.getByLabel('API key')).toHaveValue('sk-test-wrong-key-000000');
  problems.push(...(await auditState(page, 'api-key-form')));
  await form.getByLabel('API key').fill(API_KEY);
  await form.getByRole('button', { name: 'Check and save' }).click();
  await expect(page.getByRole('heading', { name: 'Work key' })).toBeVisible();
  await expect(page.getByTestId('account-status')).toHaveText('API key account');
  await expect(page.getByTestId('account-pill')).toContainText('Work key');

  // Dropped on the Account screen: Loupe switches to Analyse and adds them.
  await dropFiles(page, TEN);
  await expect(page.getByRole('tab', { name: 'Analyse' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('list', { name: 'Photos to analyse' }).getByRole('listitem')).toHaveCount(10);
  const start = page.getByRole('button', { name: 'Analyse 10 photos' });
  for (const size of [SIZES.regular, SIZES.minimum, SIZES.narrow]) {
    await page.setViewportSize(size);
    await expect(start, `visible without scrolling at ${size.width}×${size.height}`).toBeInViewport({ ratio: 1 });
  }
  await page.setViewportSize(SIZES.regular);
  await expect(start).toBeEnabled({ timeout: 15_000 });
  problems.push(...(await auditState(page, 'analyse', { screenshot: true })));

  const job = await analyseAndFinish(page, 10);
  await expect(page).toHaveTitle('Loupe');
  await job.getByRole('button', { name: 'Show results' }).click();
  const tiles = job.getByRole('list', { name: 'Photos' }).getByRole('button');
  await expect(tiles).toHaveCount(10);
  // The unreadable photo says why on its tile, before anyone opens it.
  const broken = job.locator('[data-status=failed], [data-status=skipped]').filter({ hasText: 'truncated.jpg' });
  await expect(broken).toHaveCount(1);
  expect((await broken.getAttribute('title'))?.length ?? 0).toBeGreaterThan(10);
  problems.push(...(await auditState(page, 'finished', { screenshot: true })));

  await tiles.first().click();
  const panel = page.getByRole('dialog', { name: '01-sunset.jpg' });
  await expect(panel).toBeVisible();
  await expect(panel).toBeInViewport();
  await expect(panel.getByRole('region', { name: 'Result for 01-sunset.jpg' })).toContainText(/description/i);
  expect(await panel.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  problems.push(...(await auditState(page, 'result', { screenshot: true })));
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();

  // Opening the broken photo shows its reason, and no empty result box under it.
  await broken.click();
  const brokenPanel = page.getByRole('dialog', { name: 'truncated.jpg' });
  await expect(brokenPanel).toContainText((await broken.getAttribute('title'))!);
  await expect(brokenPanel.getByRole('region')).toHaveCount(0);
  await page.keyboard.press('Escape');

  await page.getByRole('tab', { name: 'Models' }).click();
  await expect(page.getByRole('heading', { name: 'Models' })).toBeVisible();
  problems.push(...(await auditState(page, 'models', { screenshot: true })));

  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  problems.push(...(await auditState(page, 'settings', { screenshot: true })));

  await page.getByRole('tab', { name: 'Account' }).click();
  problems.push(...(await auditState(page, 'account')));

  expect(problems).toEqual([]);
});

test('signed out → custom OAuth provider → photos analysed', async ({ page, harness }) => {
  test.setTimeout(120_000);
  const { issuer, apiBase } = harness.stack.endpoints;
  await page.getByRole('button', { name: 'Use an OAuth provider' }).click();
  const form = page.getByRole('form', { name: 'Add an OAuth provider' });
  await expect(form.getByLabel('Name')).toBeFocused();
  await form.getByLabel('Name').fill('Company gateway');
  await form.getByLabel('Issuer URL').fill(issuer);
  await form.getByLabel('Client ID').fill(CLIENT_ID);
  await form.getByLabel('API base URL').fill(apiBase);
  await form.getByRole('button', { name: 'Save and sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Continue in your browser' })).toBeVisible();
  await expect.poll(() => harness.opened.length).toBe(1);
  expect(new URL(harness.opened[0]!).searchParams.get('client_id')).toBe(CLIENT_ID);
  await approveInBrowser(page, harness.opened[0]!);
  await expect(page.getByTestId('account-status')).toHaveText('Signed in to Company gateway');
  await expect(page.getByTestId('renews-at')).toContainText('renews at');
  const problems = await auditState(page, 'custom-account');

  await dropFiles(page, photos(GOOD_PHOTOS).slice(0, 3));
  await expect(page.getByRole('list', { name: 'Photos to analyse' }).getByRole('listitem')).toHaveCount(3);
  await expect(page.getByRole('button', { name: 'Analyse 3 photos' })).toBeEnabled({ timeout: 15_000 });
  const job = await analyseAndFinish(page, 3);
  await expect(job.getByTestId('job-done')).toHaveText('3');
  expect(harness.stack.api.requests.filter((r) => r.auth === 'apiKey').length).toBeGreaterThanOrEqual(3);
  expect(problems).toEqual([]);
});

test('ChatGPT: the signing-in and signed-in screens as people see them', async ({ page, harness }) => {
  test.setTimeout(120_000);
  await page.getByRole('button', { name: 'Continue with ChatGPT' }).click();
  await expect(page.getByRole('heading', { name: 'Continue in your browser' })).toBeVisible();
  await expect.poll(() => harness.opened.length).toBe(1);
  // The harness's own "open the sign-in page" banner is not part of the app.
  await page.evaluate(() => document.getElementById('harness-browser')?.remove());
  const problems = await auditState(page, 'signing-in', { screenshot: true });
  await approveInBrowser(page, harness.opened[0]!);
  await page.getByRole('button', { name: 'Got it' }).click();
  await expect(page.getByRole('heading', { name: 'Alice Example' })).toBeVisible();
  await expect(page.getByLabel('Default model')).toBeEnabled();
  problems.push(...(await auditState(page, 'signed-in', { screenshot: true })));
  expect(problems).toEqual([]);
});
