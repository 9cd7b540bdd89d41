import { approveInBrowser, auditState, expect, screenshot, test } from './fixtures';

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
  await expect(page).toHaveTitle('Loupe — Signing in');
  await screenshot(page, 'signing-in');
  const problems = await auditState(page, 'signing-in');

  await expect.poll(() => harness.opened.length).toBe(1);
  await approveInBrowser(page, harness.opened[0]!);

  const welcome = page.getByRole('dialog', { name: "You're using your ChatGPT plan" });
  await expect(welcome).toBeVisible();
  // A real modal: the rest of the window is inert, focus starts on "Got it", Escape answers it.
  expect(await welcome.evaluate((d) => d.matches(':modal'))).toBe(true);
  await expect(welcome.getByRole('button', { name: 'Got it' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(welcome).toBeHidden();
  expect(harness.core.getState().account.showPlanWelcome).toBe(false);
  await expect(page.getByRole('heading', { name: 'Alice Example' })).toBeVisible();
  await expect(page.getByRole('tabpanel').getByText('alice@example.com', { exact: true }).first()).toBeVisible();
  await expect(page.getByTestId('renews-at')).toContainText('renews at');
  await expect(page.getByTestId('account-pill')).toHaveAttribute('data-tone', 'fine');
  await expect(page.getByTestId('account-pill')).toContainText('left');
  await expect(page.getByTestId('plan-indicator')).toContainText('Using ChatGPT plan');
  const ring = page.getByTestId('expiry-countdown');
  const before = await ring.textContent();
  await expect(ring).not.toHaveText(before ?? '');
  await expect(page.getByLabel('Default model')).toContainText('GPT');
  await screenshot(page, 'signed-in');
  problems.push(...(await auditState(page, 'signed-in')));
  expect(problems).toEqual([]);

  // The renderer's state never holds a token.
  const state = await page.evaluate(() => window.loupe.invoke('app.getState', {}));
  const serialized = JSON.stringify(state);
  const secrets = [await harness.session.accessToken(), ...harnessTokens(harness)];
  expect(secrets.length).toBeGreaterThanOrEqual(3);
  for (const token of secrets) expect(serialized).not.toContain(token);
  const dom = await page.content();
  for (const token of secrets) expect(dom).not.toContain(token);

  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(1);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Continue with ChatGPT' })).toBeVisible();
  await expect(page.getByTestId('account-status')).toHaveText('Not signed in');
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
  const reason = harness.core.getState().account.can.listModels.reason;
  expect(reason).toBeTruthy();
  await expect(page.getByTestId('cannot-list-models')).toContainText(reason!);
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
