/** Shared set-up of the Batch API tests (batch*.test.ts): an API-key account against the stand-in's /v1/files and /v1/batches. */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { DEFAULT_MODELS } from '../../servers/openai/openai-api';
import type { BatchOptions } from '../../servers/openai/batches';
import { makePhotos, openEngine, type SignedIn, signedInStandIns, tempDir } from '../../support/analysis-fixture';
import { within } from '../../support/within';

export const KEY = 'sk-batch-test';

/** Registers the per-test clean-up in the calling file; returns the list to push onto. */
export function useBatchCleanups(): Array<() => Promise<void>> {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  return cleanups;
}

/** Five photos and a copy of the first (analysed once, recorded twice), and the stand-ins with this Batch API behaviour. */
export async function setupBatch(cleanups: Array<() => Promise<void>>, batch: BatchOptions) {
  const signedIn = await signedInStandIns({ apiKeys: [KEY], batch, models: DEFAULT_MODELS });
  const dir = await tempDir('loupe-batch-');
  cleanups.push(
    () => dir.remove(),
    () => signedIn.close(),
  );
  const photos = join(dir.path, 'photos');
  await mkdir(photos);
  const paths = await makePhotos(photos, 5);
  await copyFile(paths[0]!, join(photos, 'copy-of-first.jpg'));
  return { signedIn, dir: dir.path, photos, out: join(dir.path, 'out'), data: join(dir.path, 'data') };
}

export const apiKeyAccount = (signedIn: SignedIn) => () => ({
  apiBase: new URL(signedIn.stack.endpoints.apiBase),
  kind: 'apiKey' as const,
  session: { accessToken: async () => KEY, afterUnauthorized: async () => KEY },
  batch: { allowed: true, reason: null },
});
export const fast = { backoffBaseMs: 40, backoffMaxMs: 400, batchPollMs: 5, batchMaxPollMs: 20 };
export const calls = (s: SignedIn, method: string, re: RegExp) => s.stack.api.requests.filter((r) => r.method === method && re.test(r.path)).length;
/** Resolves once the stand-in has had `count` such requests. */
export const pollsOf = (s: SignedIn, method: string, re: RegExp, count: number) =>
  within(
    s.stack.api.whenRequests((requests) => requests.filter((r) => r.method === method && re.test(r.path)).length >= count),
    10_000,
    `${count} × ${method} ${re}`,
  );

type BatchTest = Awaited<ReturnType<typeof setupBatch>>;

/** Loupe on the test's data folder with the API-key account and quick polls (again after a restart). */
export const openBatchEngine = (t: BatchTest) => openEngine(t.signedIn, t.data, { account: apiKeyAccount(t.signedIn), tuning: fast });

/** A batch job over the test's photos into its output folder. */
export const startBatchJob = (h: Awaited<ReturnType<typeof openBatchEngine>>, t: BatchTest) =>
  h.engine.createJob({ paths: [t.photos], preset: 'describe', model: 'gpt-6.1-sol', detail: 'auto', outputDir: t.out, mode: 'batch' });
