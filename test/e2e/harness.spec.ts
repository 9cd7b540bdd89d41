import { existsSync, statSync } from 'node:fs';
import { expect, screenshot, seriousA11yViolations, test } from './fixtures';

test('the app loads in the harness and shows its first screen', async ({ page, harness }) => {
  await expect(page.getByRole('heading', { name: 'Welcome to Loupe' })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Account' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('account-status')).toHaveText('Not signed in');

  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });

  // A round trip through the bridge: change a setting, see the state come back.
  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.getByLabel('Theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(harness.core.getState().settings.theme).toBe('dark');
  await page.getByRole('tab', { name: 'Account' }).click();

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

test('the accessibility check finds a real contrast problem (so its silence elsewhere means something)', async ({ page }) => {
  await expect(page.getByRole('heading', { name: 'Welcome to Loupe' })).toBeVisible();
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.evaluate(() => {
    const faint = document.createElement('p');
    faint.textContent = 'Barely readable';
    faint.style.cssText = 'color:#bbb;background:#fff';
    document.querySelector('main')!.append(faint);
  });
  expect((await seriousA11yViolations(page)).join('\n')).toContain('color-contrast');
});

test('keyboard: tabs move with arrow keys, Ctrl+number switches screens, the account menu traps arrows and returns focus', async ({ page }) => {
  const account = page.getByRole('tab', { name: 'Account' });
  await account.focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Models' })).toBeFocused();
  await expect(page.getByRole('tab', { name: 'Models' })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Control+3');
  await expect(page.getByRole('heading', { name: 'Analyse photos' })).toBeVisible();
  // Linux and Windows dialogs pick photos or a folder, not both: two buttons (one on macOS).
  await expect(page.getByRole('button', { name: 'Add photos…' })).toHaveAttribute('title', /Ctrl\+O/);
  await expect(page.getByRole('button', { name: 'Add folder…' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add photos or folders…' })).toHaveCount(0);

  const pill = page.getByTestId('account-pill');
  await pill.focus();
  await page.keyboard.press('Enter');
  const item = page.getByRole('menuitem', { name: 'Add or manage accounts…' });
  await expect(item).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toHaveCount(0);
  await expect(pill).toBeFocused();

  // With no account yet, "Add or manage accounts…" still leads somewhere: the sign-in screen, focused.
  await pill.click();
  await item.click();
  await expect(page.getByRole('heading', { name: 'Welcome to Loupe' })).toBeFocused();
});

test('buttons that need the desktop say so in the browser harness', async ({ page }) => {
  await page.getByRole('tab', { name: 'Analyse' }).click();
  await page.getByRole('button', { name: 'Add folder…' }).click();
  await expect(page.getByRole('alert')).toContainText('no file dialog');
});

test("the bridge's own event does not collide with EventSource's connect event", async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Welcome to Loupe' })).toBeVisible();
  // Connected, and no "open the sign-in page" banner nor a parse error from the connect event.
  await expect(page.locator('#harness-browser')).toHaveCount(0);
  expect(errors).toEqual([]);
});
