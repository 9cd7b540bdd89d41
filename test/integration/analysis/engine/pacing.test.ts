/**
 * Pacing through real sockets (issue #12): the engine against the stand-in
 * with no rate headers draws few 429s, and against a tokens-per-minute limit
 * stays under it. Counts only — no timing is asserted.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isSettled, makePhotos, openEngine, signedInStandIns, tempDir, waitForJob } from '../../../support/analysis-fixture';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function run(
  rateLimit: { requestsPerMinute: number; burst: number; rateHeaders?: boolean; tokensPerMinute?: number; tokenBurst?: number },
  photos: number,
) {
  const signedIn = await signedInStandIns({ latencyMs: 100, rateLimit });
  const dir = await tempDir('loupe-pacing-');
  cleanups.push(
    () => dir.remove(),
    () => signedIn.close(),
  );
  await mkdir(join(dir.path, 'in'));
  await makePhotos(join(dir.path, 'in'), photos, { baseWidth: 64, height: 48 });
  const h = await openEngine(signedIn, join(dir.path, 'data'));
  cleanups.push(() => h.engine.dispose());
  const id = await h.engine.createJob({
    paths: [join(dir.path, 'in')],
    preset: 'describe',
    model: 'gpt-6.1-sol',
    detail: 'low',
    outputDir: join(dir.path, 'out'),
  });
  const job = await waitForJob(h.engine, id, isSettled, 60_000);
  return { job, stats: signedIn.stack.api.stats() };
}

describe('engine pacing against the stand-in', () => {
  it('a server without rate headers: at most 5 % of requests draw a 429', async () => {
    const { job, stats } = await run({ requestsPerMinute: 1200, burst: 4, rateHeaders: false }, 60);
    expect(job.counts).toMatchObject({ done: 60, failed: 0 });
    expect(stats.rateLimited).toBeLessThanOrEqual(Math.floor(0.05 * (stats.responses + stats.rateLimited)));
  });

  it('a tokens-per-minute limit is honoured from x-ratelimit-*-tokens', async () => {
    const { job, stats } = await run({ requestsPerMinute: 6000, burst: 100, tokensPerMinute: 120_000, tokenBurst: 2000 }, 24);
    expect(job.counts).toMatchObject({ done: 24, failed: 0 });
    expect(stats.tokensCounted).toBeGreaterThan(2000);
    expect(stats.rateLimited).toBeLessThanOrEqual(1);
  });
});
