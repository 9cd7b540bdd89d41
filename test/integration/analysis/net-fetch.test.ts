/**
 * Issue #8 item 5 (analysis side) and issue #10 item 2 (wording): Electron's
 * `net.fetch` rejects with a plain `net::ERR_…` Error; an analysis request
 * that meets one is a network error (retried with backoff), and a photo that
 * failed for good after them says so, without promising another retry.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalysisError } from '../../../electron/core/analysis/records/analysis-error';
import { CapabilityMemory } from '../../../electron/core/analysis/api/capabilities';
import { classifySdkError } from '../../../electron/core/analysis/api/classify';
import { realClock } from '../../support/real-clock';
import { AnalysisClient } from '../../../electron/core/analysis/api/request';
import { resolvePreset } from '../../../electron/core/analysis/records/presets';
import { type SignedIn, isSettled, makePhotos, openEngine, signedInStandIns, tempDir, waitForJob } from '../../support/analysis-fixture';
import { netFetchFailing } from '../../support/net-fetch';

const silent = { info() {}, warn() {}, error() {} };
let s: SignedIn;
const dirs: string[] = [];
beforeAll(async () => {
  s = await signedInStandIns();
});
afterAll(async () => {
  await s.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('isNetworkError', () => {
  it('classify.ts treats a bare net::ERR error as a network error with backoff', () => {
    const error = classifySdkError(new Error('net::ERR_CONNECTION_RESET'), false, '', undefined, 0);
    expect(error.code).toBe('network');
    expect(error.details.disposition).toBe('backoff');
    expect(error.message).not.toMatch(/will retry/i);
  });
});

describe('an analysis request through a net.fetch that fails', () => {
  it('is a network error with backoff', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'loupe-netfetch-'));
    dirs.push(dataDir);
    const client = new AnalysisClient({
      apiBase: new URL(s.stack.endpoints.apiBase),
      fetch: netFetchFailing(() => true),
      session: s.session,
      capabilities: new CapabilityMemory(dataDir, Date.now, silent),
      accountKind: 'chatgpt',
      log: silent,
      clock: realClock,
    });
    const image = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#345' } })
      .jpeg()
      .toBuffer();
    const error = await client
      .analyse({ model: 'gpt-6.1-sol', preset: resolvePreset({ preset: 'describe' }), image: { mime: 'image/jpeg', data: image }, detail: 'low' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AnalysisError);
    expect((error as AnalysisError).code).toBe('network');
    expect((error as AnalysisError).details.disposition).toBe('backoff');
  });

  it('a photo that failed for good says how many attempts were made, never "it will retry"', async () => {
    const photos = await tempDir('loupe-photos-');
    const out = await tempDir('loupe-out-');
    const data = await tempDir('loupe-data-');
    const h = await openEngine(s, data.path, { fetch: netFetchFailing((url) => url.endsWith('/responses')) });
    try {
      await makePhotos(photos.path, 1);
      const id = await h.engine.createJob({ paths: [photos.path], preset: 'describe', model: 'gpt-6.1-sol', detail: 'low', outputDir: out.path });
      const job = await waitForJob(h.engine, id, (j) => isSettled(j) && j.counts.failed === 1);
      expect(job.counts.failed).toBe(1);
      const item = (await h.engine.items(id, 0, 10_000))!.items[0]!;
      expect(item.error?.code).toBe('network');
      expect(item.error?.message).toBe('Loupe couldn’t reach the API after 6 attempts.');
    } finally {
      await h.engine.dispose();
      await photos.remove();
      await out.remove();
      await data.remove();
    }
  });
});
