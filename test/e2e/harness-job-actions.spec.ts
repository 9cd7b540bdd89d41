import { dispatchOffered } from '../../electron/core/kernel/dispatch';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BAD_PHOTOS, GOOD_PHOTOS, auditState, dropFiles, expect, screenshot, signInWithChatGpt, test } from './fixtures';

// A longer undo window than the app's, so a slow, shared machine still clicks Undo inside it.
test.use({ harnessOptions: { standInOptions: { api: { latencyMs: 3000 } }, options: { cancelGraceMs: 15_000 } } });

const good = () =>
  readdirSync(GOOD_PHOTOS)
    .sort()
    .slice(0, 4)
    .map((f) => join(GOOD_PHOTOS, f));

test('staged problems before the job, then cancel with Undo, Analyse remaining and Remove from list', async ({ page, harness }) => {
  test.setTimeout(120_000);
  await signInWithChatGpt(page, harness);
  await page.getByRole('tab', { name: 'Analyse' }).click();

  // The core checks what was added: the text file can't be analysed, and the button counts real photos.
  await dropFiles(page, [...good(), join(BAD_PHOTOS, 'not-an-image.txt')]);
  const start = page.getByRole('button', { name: 'Analyse 4 photos' });
  await expect(start).toBeEnabled({ timeout: 15_000 });
  await expect(page.getByTestId('staged-title')).toHaveText('Ready to analyse: 4 photos');
  await expect(page.getByTestId('staged-problems')).toContainText('not-an-image.txt: Not an image Loupe can read (text file).');
  // Each staged photo shows a preview the core made (analysis.getStagedThumbnails); the text file a broken image saying why.
  const staged = page.getByTestId('staged-item');
  const thumbnails = page.getByTestId('staged-thumbnail');
  await expect(thumbnails).toHaveCount(4, { timeout: 15_000 });
  await expect(page.getByTestId('staged-placeholder')).toHaveCount(0);
  for (const img of await thumbnails.all()) {
    await expect(img).toHaveAttribute('src', /^data:image\/jpeg;base64,/);
    await expect(img).toHaveAttribute('alt', '');
    expect(await img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0 && el.naturalWidth <= 112)).toBe(true);
  }
  await expect(
    staged.filter({ hasText: 'not-an-image.txt' }).getByRole('img', { name: 'Can’t be analysed: Not an image Loupe can read (text file).' }),
  ).toBeVisible();
  const stagedProblems = await auditState(page, 'staged-problems');
  await screenshot(page, 'staged-problems');
  await page.setViewportSize({ width: 640, height: 480 });
  await screenshot(page, 'staged-thumbnails-minimum');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'staged-thumbnails-minimum-dark');
  await page.setViewportSize({ width: 420, height: 640 });
  await screenshot(page, 'staged-thumbnails-narrow-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1000, height: 700 });

  // One request at a time, so photos are still waiting when the job is cancelled.
  await page.getByText('Options').click();
  await page.getByLabel('Most requests at once').fill('1');
  await start.click();
  const job = page.getByTestId('job').first();
  await expect(job.getByTestId('job-status')).toHaveText('Running');
  await expect(job.getByRole('heading', { level: 3 })).toHaveText(/^4 photos · \d{1,2} [A-Z][a-z]{2} \d{2}:\d{2}$/);

  // Cancel pauses at once and offers Undo for a few seconds.
  await job.getByRole('button', { name: 'Cancel' }).click();
  const undo = job.getByTestId('undo-cancel');
  await expect(undo).toContainText(/cancelled in \d+ s/);
  await expect(job.getByRole('button', { name: 'Resume' })).toHaveCount(0);
  await screenshot(page, 'undo-cancel');
  await undo.getByRole('button', { name: 'Undo' }).click();
  await expect(undo).toHaveCount(0);
  await expect(job.getByTestId('job-status')).toHaveText(/Running|Queued/);

  // Cancel for good: the photos not done can be analysed as a new job; the cancelled one leaves the list, its files stay.
  await job.getByRole('button', { name: 'Cancel' }).click();
  await expect(undo).toBeVisible();
  const undoProblems = await auditState(page, 'undo-cancel');
  await expect(job.getByTestId('job-status')).toHaveText('Cancelled', { timeout: 30_000 });
  const cancelled = harness.core.getState().analysis.jobs[0]!;
  await job.getByRole('button', { name: 'Analyse remaining' }).click();
  await expect(page.getByTestId('job')).toHaveCount(2);
  const rest = page.getByTestId('job').first();
  await expect(rest.getByRole('heading', { level: 3 })).toHaveText(`${cancelled.name} (remaining)`);
  await screenshot(page, 'analyse-remaining');
  await page.getByTestId('job').nth(1).getByRole('button', { name: 'Remove from list' }).click();
  await expect(page.getByTestId('job')).toHaveCount(1);
  expect(readdirSync(cancelled.outputDir)).toContain('summary.json');

  // Rename the job that is left.
  await rest.getByRole('button', { name: 'Rename…' }).click();
  await rest.getByLabel('Job name').fill('Kitchen, second half');
  await rest.getByRole('button', { name: 'Save' }).click();
  await expect(rest.getByRole('heading', { level: 3 })).toHaveText('Kitchen, second half');

  expect([...stagedProblems, ...undoProblems]).toEqual([]);
});

test.describe('retries', () => {
  test.use({ harnessOptions: { options: { analysisTuning: { backoffBaseMs: 30_000, backoffMaxMs: 30_000 }, cancelGraceMs: 0 } } });

  test('a job says while it waits to retry, with a countdown', async ({ page, harness }) => {
    await signInWithChatGpt(page, harness);
    await page.getByRole('tab', { name: 'Analyse' }).click();
    harness.stack.api.faults.next({ type: 'server_error', status: 503 });
    await dropFiles(page, good().slice(0, 1));
    await page.getByRole('button', { name: 'Analyse 1 photo' }).click();
    const job = page.getByTestId('job').first();
    await expect(job.getByTestId('job-retrying')).toHaveText(/^The server is having trouble — retrying in \d+ s$/, { timeout: 15_000 });
    const problems = await auditState(page, 'retrying');
    await screenshot(page, 'retrying');
    await job.getByRole('button', { name: 'Cancel' }).click();
    await expect(job.getByTestId('job-status')).toHaveText('Cancelled');
    await expect(job.getByTestId('job-retrying')).toHaveCount(0);
    expect(problems).toEqual([]);
  });
});

test('a staged folder shows its first photos; a photo that can’t be decoded shows why; other paths are refused', async ({ page, harness }) => {
  await signInWithChatGpt(page, harness);
  await page.getByRole('tab', { name: 'Analyse' }).click();
  const folder = GOOD_PHOTOS.replace(/[\\/]$/, '');
  // A drop of a folder and a broken photo: what the preload's drop channel hands the core.
  const result = await dispatchOffered(harness.core, { paths: [folder, join(BAD_PHOTOS, 'truncated.jpg')] });
  expect(result.ok).toBe(true);
  const item = page.getByTestId('staged-item').filter({ hasText: 'good' });
  await expect(item).toContainText('5 photos', { timeout: 15_000 });
  await expect(item.getByTestId('staged-thumbnail')).toHaveCount(3, { timeout: 15_000 });
  await expect(
    page
      .getByTestId('staged-item')
      .filter({ hasText: 'truncated.jpg' })
      .getByRole('img', { name: /^Can’t be analysed: / }),
  ).toBeVisible();
  await page.setViewportSize({ width: 640, height: 480 });
  await screenshot(page, 'staged-folder-minimum');
  // Anything not staged is refused, whatever the window asks.
  const refused = await page.evaluate((paths) => window.loupe.invoke('analysis.getStagedThumbnails', { paths }), [join(BAD_PHOTOS, 'empty.jpg')]);
  expect(refused.ok).toBe(false);
});

test('a long staging list asks only for the previews it shows, and the rest as they scroll into view', async ({ page, harness }) => {
  await signInWithChatGpt(page, harness);
  await page.getByRole('tab', { name: 'Analyse' }).click();
  const dir = mkdtempSync(join(tmpdir(), 'loupe-e2e-many-'));
  const paths = Array.from({ length: 60 }, (_, i) => {
    const path = join(dir, `photo-${String(i).padStart(2, '0')}.jpg`);
    copyFileSync(join(GOOD_PHOTOS, '01-sunset.jpg'), path);
    return path;
  });
  try {
    expect((await dispatchOffered(harness.core, { paths })).ok).toBe(true);
    await expect(page.getByTestId('staged-title')).toHaveText('Ready to analyse: 60 photos', { timeout: 15_000 });
    const thumbnails = page.getByTestId('staged-thumbnail');
    await expect(thumbnails.first()).toBeVisible({ timeout: 15_000 });
    await page.waitForTimeout(500);
    const shown = await thumbnails.count();
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(60);
    const last = page.getByTestId('staged-item').last();
    await last.scrollIntoViewIfNeeded();
    await expect(last.getByTestId('staged-thumbnail')).toBeVisible({ timeout: 15_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
