import { expect, screenshot, signInWithChatGpt, test } from './fixtures';

const API_KEY = 'sk-test-e2e-key-1234567890';

test.use({ harnessOptions: { standInOptions: { api: { apiKeys: [API_KEY] } } } });

test('add an API-key account, switch between it and a ChatGPT account', async ({ page, harness }) => {
  // A ChatGPT account first.
  await signInWithChatGpt(page, harness);

  // Then an API key against the stand-in API: a wrong key is refused and saves nothing.
  // Adding another account is a secondary action on the signed-in screen.
  await page.getByText('Add an account').click();
  await page.getByRole('button', { name: 'Use an API key' }).click();
  const form = page.getByRole('form', { name: 'Add an API key' });
  await form.getByLabel('Name (optional)').fill('Work key');
  await form.getByLabel('Base URL').fill(harness.stack.endpoints.apiBase);
  await form.getByLabel('API key').fill('sk-test-wrong-key-000000');
  await form.getByRole('button', { name: 'Check and save' }).click();
  await expect(form.getByRole('alert')).toContainText('rejected');
  await form.getByLabel('API key').fill(API_KEY);
  await form.getByRole('button', { name: 'Check and save' }).click();
  await expect(page.getByRole('heading', { name: 'Work key' })).toBeVisible();
  await expect(page.getByTestId('account-status')).toHaveText('API key account');

  // The switcher lists both with their status; switch back to ChatGPT.
  await page.getByTestId('account-pill').click();
  const menu = page.getByRole('menu', { name: 'Accounts' });
  await expect(menu.getByRole('menuitemradio')).toHaveCount(2);
  await expect(menu.getByRole('menuitemradio', { name: /Work key/ })).toHaveAttribute('aria-checked', 'true');
  await expect(menu.getByRole('menuitemradio', { name: /alice@example.com/ })).toContainText('left');
  await screenshot(page, 'account-switcher');
  await menu.getByRole('menuitemradio', { name: /alice@example.com/ }).click();
  await expect(page.getByRole('heading', { name: 'Alice Example' })).toBeVisible();
  expect(harness.core.getState().account.kind).toBe('chatgpt');

  // The key never reaches the page.
  expect(await page.content()).not.toContain(API_KEY);
  expect(JSON.stringify(harness.core.getState())).not.toContain(API_KEY);
});
