/**
 * Batch mode and the concurrency choice in the window (issue #12): an API-key
 * account is offered "Batch: half price, results within 24 h" (a ChatGPT
 * sign-in is not: the core's `account.can.batch`); a batch job's card says it
 * is a batch, where it is at OpenAI and what the discount saved; cancelling it
 * keeps the answers the batch had finished. Settings offers "Automatic
 * (recommended)" or a ceiling. Keyboard only, axe-checked, light and dark at
 * every size (the pictures go to test/e2e/screenshots/).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { GOOD_PHOTOS, SIZES, auditState, dropFiles, expect, screenshot, signInWithChatGpt, test } from './fixtures';

const API_KEY = 'sk-test-batch-e2e-1234567890';
const MODEL = 'gpt-6.1-sol';

test.use({
  harnessOptions: {
    presentation: 'production',
    // A slow batch: one request finishes, the rest wait until it is cancelled. Polls every few hundred ms, not every 10 s.
    standInOptions: { api: { apiKeys: [API_KEY], batch: { steps: 1, stallAfter: 1 } } },
    options: { analysisTuning: { batchPollMs: 200, batchMaxPollMs: 400 }, cancelGraceMs: 0 },
  },
});

/** README's pictures of one part of a screen: at the smallest window, light and dark, scrolled to it. */
async function pictures(page: Page, name: string, target: Locator): Promise<void> {
  await page.mouse.move(0, 0);
  await page.setViewportSize(SIZES.minimum);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await target.evaluate((el) => {
      el.scrollIntoView({ block: 'center' });
      // Only the screen scrolls; the window's frame (top bar, footer) stays where it is.
      document.documentElement.scrollTop = 0;
      document.body.scrollTop = 0;
    });
    await screenshot(page, `${name}-${scheme}`, { readme: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SIZES.regular);
}

const photos = readdirSync(GOOD_PHOTOS)
  .filter((f) => /\.(jpe?g|png|webp)$/.test(f))
  .sort()
  .slice(0, 3)
  .map((f) => join(GOOD_PHOTOS, f));

test('Batch mode: offered to an API key, half price on the card, cancel keeps the finished answers; Automatic concurrency in Settings', async ({
  page,
  harness,
}) => {
  test.setTimeout(180_000);
  const problems: string[] = [];

  // A ChatGPT sign-in has no Batch API: the form does not offer it.
  await signInWithChatGpt(page, harness);
  await dropFiles(page, photos);
  await expect(page.getByRole('button', { name: 'Analyse 3 photos' })).toBeEnabled({ timeout: 15_000 });
  await expect(page.getByRole('group', { name: 'Send' })).toHaveCount(0);
  expect(harness.core.getState().account.can.batch.allowed).toBe(false);

  // An API key is offered it.
  await page.getByRole('tab', { name: 'Account' }).click();
  await page.getByText('Add an account').click();
  await page.getByRole('button', { name: 'Use an API key' }).click();
  const form = page.getByRole('form', { name: 'Add an API key' });
  await form.getByLabel('Name (optional)').fill('Work key');
  await form.getByLabel('Base URL').fill(harness.stack.endpoints.apiBase);
  await form.getByLabel('API key').fill(API_KEY);
  await form.getByRole('button', { name: 'Check and save' }).click();
  await expect(page.getByRole('heading', { name: 'Work key' })).toBeVisible();
  await harness.core.commands['settings.update']({ prices: [{ model: MODEL, inputPerMillion: 2, outputPerMillion: 8 }] });

  await page.getByRole('tab', { name: 'Analyse' }).click();
  const send = page.getByRole('group', { name: 'Send' });
  await expect(send).toBeVisible();
  const live = send.getByRole('radio', { name: /^Live/ });
  const batch = send.getByRole('radio', { name: /^Batch: half price, results within 24 h/ });
  await expect(live).toBeChecked();
  // Keyboard only: the arrow keys move the choice.
  await live.focus();
  await page.keyboard.press('ArrowDown');
  await expect(batch).toBeChecked();
  await expect(batch).toBeFocused();
  await expect(page.getByTestId('action-bar')).toContainText('batch, half price, within 24 h');
  problems.push(...(await auditState(page, 'batch-choice')));
  await pictures(page, 'batch-choice', send);

  await page.keyboard.press('Control+Enter');
  const job = page.getByTestId('job').first();
  await expect(job.getByTestId('job-mode')).toHaveText('Batch ·');
  // Where it is at OpenAI, from the core: one of three answered, the others waiting.
  await expect(job.getByTestId('job-batch')).toHaveText(
    /Waiting for OpenAI \(results within 24 h\) — OpenAI has answered 1 of 3; Loupe collects them when the batch ends/,
    { timeout: 30_000 },
  );
  await expect(job.getByTestId('job-discount')).toHaveText('50 % off as a batch');
  problems.push(...(await auditState(page, 'batch-job')));
  await pictures(page, 'batch-job', job.getByTestId('job-batch'));

  // Cancel: the batch is cancelled at OpenAI and the answer it had finished is still collected.
  await job.getByRole('button', { name: 'Cancel' }).focus();
  await page.keyboard.press('Enter');
  await expect(job.getByTestId('job-status')).toHaveText('Cancelled');
  await expect(job.getByTestId('job-batch')).toHaveCount(0, { timeout: 30_000 });
  await expect(job.getByTestId('job-done')).toHaveText('1');
  // The two photos the batch never ran are not analysed (nothing was paid for them), as after cancelling a live job: none waits.
  await expect(job.getByTestId('job-failed')).toHaveText('0');
  await expect(job.getByTestId('job-waiting')).toHaveText('0');
  await expect(job.getByTestId('job-not-run')).toHaveText('2');
  const summary = harness.core.getState().analysis.jobs[0]!;
  expect(summary).toMatchObject({ mode: 'batch', status: 'cancelled', batch: { phase: null, priceFactor: 0.5 } });
  expect(summary.costUsd).toBeCloseTo(summary.batch!.liveCostUsd! / 2, 10);
  expect(summary.costUsd).toBeGreaterThan(0);
  await expect(job.getByTestId('job-discount')).toHaveText(/^50 % off as a batch \(\$0\.\d{4} live\)$/);
  expect(harness.stack.api.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/responses'))).toHaveLength(0);
  await expect(job.getByRole('button', { name: 'Analyse remaining' })).toBeVisible();
  problems.push(...(await auditState(page, 'batch-cancelled')));
  await pictures(page, 'batch-cancelled', job.getByTestId('job-discount'));

  // Settings: Automatic by default; a ceiling is the other choice, with its number.
  await page.keyboard.press('Control+4');
  const choice = page.getByRole('group', { name: 'Requests at once' });
  const auto = choice.getByRole('radio', { name: /^Automatic \(recommended\)/ });
  await expect(auto).toBeChecked();
  await expect(page.getByLabel('Most requests at once')).toHaveCount(0);
  await auto.focus();
  await page.keyboard.press('ArrowDown');
  await expect(choice.getByRole('radio', { name: /^At most a number I choose/ })).toBeChecked();
  await expect.poll(() => harness.core.getState().settings.analysisConcurrency).toBe(16);
  const ceiling = page.getByLabel('Most requests at once');
  await expect(ceiling).toHaveValue('16');
  await ceiling.fill('8');
  await page.keyboard.press('Enter');
  await expect.poll(() => harness.core.getState().settings.analysisConcurrency).toBe(8);
  problems.push(...(await auditState(page, 'settings-concurrency')));
  await pictures(page, 'settings-concurrency', choice);
  await page.getByRole('radio', { name: /^At most a number I choose/ }).focus();
  await page.keyboard.press('ArrowUp');
  await expect.poll(() => harness.core.getState().settings.analysisConcurrency).toBe('auto');
  await expect(page.getByLabel('Most requests at once')).toHaveCount(0);

  expect(problems).toEqual([]);
});
