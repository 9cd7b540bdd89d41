import { approveInBrowser, expect, screenshot, test } from './fixtures';

test('sign in with ChatGPT through the browser, watch the countdown and models, then sign out', async ({ page, harness }) => {
  await expect(page.getByRole('button', { name: 'Continue with ChatGPT' })).toBeVisible();
  await expect(page.getByText('test issuer')).toBeVisible();
  await screenshot(page, 'signed-out');

  await page.getByRole('button', { name: 'Continue with ChatGPT' }).click();
  await expect(page.getByRole('heading', { name: 'Continue in your browser' })).toBeVisible();
  const countdown = page.getByTestId('sign-in-countdown');
  const first = await countdown.textContent();
  await expect(countdown).not.toHaveText(first ?? '');
  await expect(page.getByRole('link', { name: 'Open the sign-in page' })).toBeVisible();
  await screenshot(page, 'signing-in');

  await expect.poll(() => harness.opened.length).toBe(1);
  await approveInBrowser(page, harness.opened[0]!);

  await expect(page.getByRole('dialog', { name: "You're using your ChatGPT plan" })).toBeVisible();
  await page.getByRole('button', { name: 'Got it' }).click();
  await expect(page.getByRole('heading', { name: 'Alice Example' })).toBeVisible();
  await expect(page.locator('.account').getByText('alice@example.com')).toBeVisible();
  await expect(page.getByTestId('plan-indicator')).toContainText('Using ChatGPT plan');
  const ring = page.getByTestId('expiry-countdown');
  const before = await ring.textContent();
  await expect(ring).not.toHaveText(before ?? '');
  await expect(page.getByLabel('Default model')).toContainText('GPT');
  await screenshot(page, 'signed-in');

  // The renderer's state never holds a token.
  const state = await page.evaluate(() => window.loupe.invoke('app.getState', {}));
  const serialized = JSON.stringify(state);
  const secrets = [await harness.session.accessToken(), ...harnessTokens(harness)];
  expect(secrets.length).toBeGreaterThanOrEqual(3);
  for (const token of secrets) expect(serialized).not.toContain(token);
  const dom = await page.content();
  for (const token of secrets) expect(dom).not.toContain(token);

  await page.locator('.account').getByRole('button', { name: 'Sign out' }).click();
  await expect(page.locator('.hero').getByRole('button', { name: 'Continue with ChatGPT' })).toBeVisible();
  await expect(page.locator('.account-status')).toHaveText('Not signed in');
});

test('cancel during sign-in returns to the signed-out screen', async ({ page, harness }) => {
  await page.getByRole('button', { name: 'Continue with ChatGPT' }).click();
  await expect(page.getByRole('button', { name: 'Cancel' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('button', { name: 'Continue with ChatGPT' })).toBeVisible();
  expect(harness.stack.auth.tokenCalls()).toBe(0);
});

test('declining plan usage keeps the person signed in with plan usage off', async ({ page, harness }) => {
  await page.getByRole('button', { name: 'Continue with ChatGPT' }).click();
  await expect.poll(() => harness.opened.length).toBe(1);
  await approveInBrowser(page, harness.opened[0]!, { planUsage: false });
  await expect(page.getByText('ChatGPT plan usage is off.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Enable ChatGPT plan usage' })).toBeVisible();
  expect(harness.stack.api.requests.length).toBe(0);
});

/** The code and PKCE verifier Loupe sent to the stand-in, read from its request log. */
function harnessTokens(harness: { stack: { auth: { requests: Array<{ endpoint: string; params: Record<string, string | string[]> }> } } }) {
  return harness.stack.auth.requests
    .filter((r) => r.endpoint === 'token')
    .flatMap((r) => [r.params.code, r.params.refresh_token, r.params.code_verifier])
    .filter((v): v is string => typeof v === 'string');
}
