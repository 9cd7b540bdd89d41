import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GOOD_PHOTOS, auditState, dropFiles, expect, signInWithChatGpt, test } from './fixtures';

const three = () =>
  readdirSync(GOOD_PHOTOS)
    .sort()
    .slice(0, 3)
    .map((f) => join(GOOD_PHOTOS, f));

test.describe('usage limit', () => {
  test('a stopped job puts "Manage usage" first, on every screen', async ({ page, harness }) => {
    test.setTimeout(120_000);
    await signInWithChatGpt(page, harness);
    harness.stack.api.faults.next({ type: 'failed_mid_stream', code: 'subscription_sharing_usage_limit_exceeded', afterDeltas: 2 });
    await dropFiles(page, three());
    await page.getByRole('button', { name: 'Analyse 3 photos' }).click();
    const job = page.getByTestId('job').first();
    await expect(job.getByTestId('job-status')).toHaveText('Stopped', { timeout: 30_000 });

    const notice = page.getByTestId('usage-limit');
    for (const tab of ['Account', 'Models', 'Settings', 'Analyse']) {
      await page.getByRole('tab', { name: tab }).click();
      await expect(notice, `on ${tab}`).toBeVisible();
    }
    const problems = await auditState(page, 'usage-limit');
    const opened = harness.opened.length;
    await notice.getByRole('button', { name: 'Manage usage' }).click();
    await expect.poll(() => harness.opened.slice(opened)).toEqual([harness.core.getState().links.manageUsage]);

    // No price for this model yet: the card offers to set one, and the link lands on the price table.
    await job.getByRole('button', { name: 'Set prices' }).click();
    await expect(page.getByRole('heading', { name: 'Prices for the cost estimate' })).toBeFocused();
    expect(problems).toEqual([]);
  });
});

test.describe('a session near its end', () => {
  test.use({ harnessOptions: { standInOptions: { auth: { accessTokenTtl: 300 } } } });

  test('a session that renews itself stays green; the pill turns amber on every screen only when renewing fails', async ({ page, harness }) => {
    await signInWithChatGpt(page, harness);
    const pill = page.getByTestId('account-pill');
    // Five minutes left, under the ten-minute warning, but the session renews itself: fine.
    await expect(pill).toHaveAttribute('data-tone', 'fine');
    await expect(page.getByTestId('renews-at')).toContainText('renews at');

    // The sign-in server is down: renewing fails, so the session will end.
    harness.stack.auth.faults.tokenStatus(503, 'busy', 100, 'refresh_token');
    await page.getByRole('button', { name: 'Renew now' }).click();
    await expect(pill).toHaveAttribute('data-tone', 'expiring');
    await expect(page.getByTestId('last-refresh')).toContainText('renewing is failing');
    await expect(page.getByTestId('renews-at')).toHaveText('left');
    for (const tab of ['Account', 'Models', 'Analyse', 'Settings']) {
      await page.getByRole('tab', { name: tab }).click();
      await expect(pill, `on ${tab}`).toHaveAttribute('data-tone', 'expiring');
      await expect(pill).toContainText(/\d+ min left/);
    }
  });
});

test('settings explain a wrong value beside the field, go back to the saved one, and confirm a save', async ({ page, harness }) => {
  await page.getByRole('tab', { name: 'Settings' }).click();
  const warn = page.getByLabel('Warn when the session has less than (minutes)');
  const saved = harness.core.getState().settings.expiryWarningMinutes;
  await warn.fill('500');
  await warn.press('Tab');
  await expect(page.getByText('Enter 1–120 minutes.')).toBeVisible();
  await expect(warn).toHaveValue(String(saved));
  await expect(warn).toHaveAttribute('aria-invalid', 'true');
  expect(harness.core.getState().settings.expiryWarningMinutes).toBe(saved);

  await warn.fill('15');
  await warn.press('Tab');
  await expect(page.getByTestId('saved-tick').filter({ hasText: 'Saved' })).toHaveCount(1);
  await expect.poll(() => harness.core.getState().settings.expiryWarningMinutes).toBe(15);
  await expect(page.getByText('Enter 1–120 minutes.')).toHaveCount(0);

  // Expert settings wait under "Advanced".
  await expect(page.getByLabel('Sign-in callback port')).toBeHidden();
  await page.getByText('Advanced').click();
  await expect(page.getByLabel('Sign-in callback port')).toBeVisible();
});

test('image input per model is an explicit Auto / Images / Text only choice', async ({ page, harness }) => {
  await signInWithChatGpt(page, harness);
  await page.getByRole('tab', { name: 'Models' }).click();
  // Rows follow the core's order.
  const choice = page.getByRole('combobox', { name: /^Image input for / }).first();
  await choice.selectOption('text');
  await expect.poll(() => harness.core.getState().models.items[0]).toMatchObject({ vision: false, visionSource: 'override' });
  await choice.selectOption('auto');
  await expect.poll(() => harness.core.getState().models.items[0]?.visionSource).not.toBe('override');
});
