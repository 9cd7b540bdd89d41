import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GOOD_PHOTOS as GOOD, dropFiles, expect, screenshot, signInWithChatGpt, test } from './fixtures';

test.use({ harnessOptions: { standInOptions: { api: { latencyMs: 1500 } } } });

test('drop five photos, watch the job run, read the results on disk', async ({ page, harness }) => {
  await signInWithChatGpt(page, harness);
  await page.getByRole('tab', { name: 'Analyse' }).click();

  const photos = readdirSync(GOOD)
    .filter((f) => /\.(jpe?g|png|webp)$/.test(f))
    .sort()
    .slice(0, 5)
    .map((f) => join(GOOD, f));
  expect(photos).toHaveLength(5);
  await dropFiles(page, photos);
  await expect(page.getByRole('list', { name: 'Photos to analyse' }).getByRole('listitem')).toHaveCount(5);

  await page.getByRole('button', { name: 'Analyse 5 photos' }).click();
  const job = page.getByTestId('job').first();
  await expect(job.getByTestId('job-status')).toHaveText('Running');
  await expect(page).toHaveTitle(/^Loupe — Analysing \d+ \/ 5$/);
  await page.getByRole('button', { name: 'Show results' }).click();
  await expect(job.getByRole('list', { name: 'Photos' }).locator('img').first()).toBeVisible();
  await screenshot(page, 'analysis-running');

  await expect(job.getByTestId('job-status')).toHaveText('Finished', { timeout: 30_000 });
  await expect(job.getByTestId('job-done')).toHaveText('5');
  // Announced politely, once, for screen readers.
  await expect(page.getByTestId('job-announcer')).toContainText('finished, 5 of 5 done');
  await job.getByRole('list', { name: 'Photos' }).getByRole('button').first().click();
  await expect(page.getByRole('dialog').getByRole('region', { name: /^Result for / })).toContainText(/description/i);
  await screenshot(page, 'analysis-finished');

  const summary = harness.core.getState().analysis.jobs[0]!;
  const files = readdirSync(summary.outputDir).sort();
  expect(files.filter((f) => f.endsWith('.json') && f !== 'summary.json' && !f.startsWith('.'))).toHaveLength(5);
  expect(files).toContain('summary.json');
  expect(files).toContain('results.csv');
  for (const f of files.filter((name) => name.endsWith('.json')))
    expect(() => JSON.parse(readFileSync(join(summary.outputDir, f), 'utf8'))).not.toThrow();
  const csv = readFileSync(join(summary.outputDir, 'results.csv'), 'utf8').trim().split('\n');
  expect(csv.length).toBe(6);
});
