/**
 * The whole fixture corpus in one job, as a person would drop it: broken and
 * odd files get their own clear outcome, and every good photo still completes.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SignedIn, isSettled, openEngine, readJson, signedInStandIns, tempDir, waitForJob } from '../../support/analysis-fixture';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
let s: SignedIn;
beforeAll(async () => {
  s = await signedInStandIns();
});
afterAll(async () => {
  await s.close();
});

it('a drop of good, broken and odd files: each gets its own clear result, the rest completes', async () => {
  const out = await tempDir('loupe-corpus-out-');
  const data = await tempDir('loupe-corpus-data-');
  const h = await openEngine(s, data.path);
  try {
    const id = await h.engine.createJob({
      paths: [join(FIXTURES, 'good'), join(FIXTURES, 'bad'), join(FIXTURES, 'edge'), join(FIXTURES, 'folder')],
      preset: 'describe',
      model: 'gpt-6.1-sol',
      detail: 'low',
      outputDir: out.path,
    });
    const job = await waitForJob(h.engine, id, isSettled, 30_000);
    expect(job.status).toBe('done');
    const detail = (await h.engine.items(id, 0, 10_000))!;
    const byName = new Map(detail.items.map((i) => [i.name, i]));

    for (const name of [
      '01-sunset.jpg',
      '02-meadow.webp',
      '03-portrait.jpg',
      '04-shapes.png',
      '05-harbour.webp',
      'animated.gif',
      'alpha.png',
      '16bit.tiff',
      'exif-rotated.jpg',
    ]) {
      expect(byName.get(name)?.status, name).toBe('done');
    }
    const truncated = byName.get('truncated.jpg');
    expect(truncated?.status).toBe('failed');
    expect(truncated?.error?.code).toBe('unreadable_image');
    const huge = byName.get('huge-20000x20000.png');
    expect(huge?.status).toBe('failed');
    expect(huge?.error?.code).toBe('image_too_many_pixels');
    expect(huge?.error?.message).toMatch(/20,000 × 20,000/);
    // Files that are not images never become requests: they are listed as skipped with a reason.
    for (const name of ['text-renamed.jpg', 'not-an-image.txt', 'empty.jpg']) {
      const item = byName.get(name);
      expect(item?.status, name).toBe('skipped');
      expect(item?.error?.message, name).toBeTruthy();
    }
    expect(job.counts.failed).toBe(2);
    expect(job.counts.done).toBeGreaterThanOrEqual(9);

    // One file per photo that was analysed or refused, each valid JSON that says what happened.
    const files = (await readdir(out.path)).filter((f) => f.endsWith('.json') && f !== 'summary.json' && !f.startsWith('.'));
    for (const f of files) {
      const record = await readJson<{ source_path: string; result?: unknown; error?: { code: string } }>(join(out.path, f));
      expect(record.result !== undefined || record.error !== undefined, f).toBe(true);
    }
    const summary = await readJson<{ counts: { done: number; failed: number } }>(join(out.path, 'summary.json'));
    expect(summary.counts.done).toBe(job.counts.done);
  } finally {
    await h.engine.dispose();
    await out.remove();
    await data.remove();
  }
});
