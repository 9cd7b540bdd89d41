import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, screenshot, signInWithChatGpt, test } from './fixtures';

const GOOD = fileURLToPath(new URL('../fixtures/good/', import.meta.url));

test.use({ harnessOptions: { standInOptions: { api: { latencyMs: 1500 } } } });

/** Drops files onto the drop zone the way a person drags them from the file manager. */
async function dropFiles(page: Page, paths: string[]) {
  const files = paths.map((p) => ({ name: p.split('/').pop()!, b64: readFileSync(p).toString('base64'), type: p.endsWith('.png') ? 'image/png' : p.endsWith('.webp') ? 'image/webp' : 'image/jpeg' }));
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    return dt;
  }, files);
  await page.getByTestId('dropzone').dispatchEvent('dragover', { dataTransfer });
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });
}

test('drop five photos, watch the job run, read the results on disk', async ({ page, harness }) => {
  await signInWithChatGpt(page, harness);
  await page.getByRole('button', { name: 'Analyse', exact: true }).click();

  const photos = readdirSync(GOOD).filter((f) => /\.(jpe?g|png|webp)$/.test(f)).sort().slice(0, 5).map((f) => join(GOOD, f));
  expect(photos).toHaveLength(5);
  await dropFiles(page, photos);
  await expect(page.getByRole('list', { name: 'Photos to analyse' }).getByRole('listitem')).toHaveCount(5);

  await page.getByRole('button', { name: 'Analyse 5 items' }).click();
  const job = page.getByTestId('job').first();
  await expect(job.getByTestId('job-status')).toHaveText('Running');
  await page.getByRole('button', { name: 'Show results' }).click();
  await expect(job.locator('.thumb img').first()).toBeVisible();
  await screenshot(page, 'analysis-running');

  await expect(job.getByTestId('job-status')).toHaveText('Finished', { timeout: 30_000 });
  await expect(job.getByTestId('job-done')).toHaveText('5');
  await job.locator('.thumb').first().click();
  await expect(page.locator('.result')).toContainText('description');
  await page.locator('.result').scrollIntoViewIfNeeded();
  await screenshot(page, 'analysis-finished');

  const summary = harness.core.getState().analysis.jobs[0]!;
  const files = readdirSync(summary.outputDir).sort();
  expect(files.filter((f) => f.endsWith('.json') && f !== 'summary.json' && !f.startsWith('.'))).toHaveLength(5);
  expect(files).toContain('summary.json');
  expect(files).toContain('results.csv');
  for (const f of files.filter((name) => name.endsWith('.json'))) expect(() => JSON.parse(readFileSync(join(summary.outputDir, f), 'utf8'))).not.toThrow();
  const csv = readFileSync(join(summary.outputDir, 'results.csv'), 'utf8').trim().split('\n');
  expect(csv.length).toBe(6);
});
