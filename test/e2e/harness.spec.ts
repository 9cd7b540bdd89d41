import { existsSync, statSync } from 'node:fs';
import { expect, screenshot, test } from './fixtures';

test('the app loads in the harness and shows its first screen', async ({ page, harness }) => {
  await expect(page.getByRole('heading', { name: 'Welcome to Loupe' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Account', exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(page.locator('.account-status')).toHaveText('Not signed in');

  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });

  // A round trip through the bridge: change a setting, see the state come back.
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(harness.core.getState().settings.theme).toBe('dark');
  await page.getByRole('button', { name: 'Account', exact: true }).click();

  const path = await screenshot(page, 'first-screen');
  expect(existsSync(path) && statSync(path).size > 5_000).toBe(true);
  expect(errors).toEqual([]);
});

test('the harness serves the app CSP and refuses cross-origin commands', async ({ page, harness }) => {
  const response = await page.request.get(harness.url);
  expect(response.headers()['content-security-policy']).toContain("script-src 'self'");
  const forged = await page.request.post(`${harness.url}__harness/invoke`, {
    headers: { origin: 'http://evil.example' },
    data: { command: 'settings.update', input: { theme: 'light' } },
  });
  expect(forged.status()).toBe(403);
});

test('malformed commands from the page get invalid_input', async ({ page }) => {
  const result = await page.evaluate(() => window.loupe.invoke('settings.update', { theme: 'neon' } as never));
  expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'theme' } });
});
