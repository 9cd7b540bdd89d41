/**
 * Half-price batches (issue #12 item 5): a job through the Batch API against
 * the stand-in's /v1/files and /v1/batches — submitted, polled, every result
 * mapped back by custom_id into the per-photo JSON, summary.json and
 * results.csv; a failed line retried; a batch waiting at OpenAI beside the
 * live queue; ChatGPT-plan sign-ins are not offered it. Restarts:
 * batch-restart.test.ts; cancelling: batch-cancel.test.ts. (Splitting at
 * the limits: test/unit/core/analysis/batch/jsonl.test.ts; who is offered
 * it: test/unit/core/accounts/readiness.test.ts.)
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BatchOptions } from '../../servers/openai/batches';
import { isSettled, openEngine, readJson, resultFiles, waitForJob } from '../../support/analysis-fixture';
import { calls, fast, openBatchEngine, pollsOf, setupBatch, startBatchJob, useBatchCleanups } from './batch-support';

const cleanups = useBatchCleanups();
const setup = (batch: BatchOptions) => setupBatch(cleanups, batch);

describe('Batch API jobs', () => {
  it('complete through /v1/files and /v1/batches, map every result back, retry a failed line, cost half', async () => {
    const failing = new Set(['i3']);
    const t = await setup({ steps: 2, failCustomIds: failing });
    const h = await openBatchEngine(t);
    cleanups.push(() => h.engine.dispose());
    const id = await startBatchJob(h, t);
    let job = await waitForJob(h.engine, id, isSettled);
    expect(job.counts).toMatchObject({ total: 6, done: 5, failed: 1 });
    // Nothing went through the live route; one file, one batch.
    expect(calls(t.signedIn, 'POST', /\/responses$/)).toBe(0);
    expect(calls(t.signedIn, 'POST', /\/files$/)).toBe(1);
    expect(calls(t.signedIn, 'POST', /\/batches$/)).toBe(1);
    const uploaded = [...t.signedIn.stack.api.batches!.batches.values()][0]!;
    expect(uploaded.endpoint).toBe('/v1/responses');

    const files = await resultFiles(t.out);
    expect(files).toHaveLength(6);
    const docs = await Promise.all(
      files.map((f) => readJson<{ status: string; loupe: { item_id: string }; result: unknown; usage: unknown }>(join(t.out, f))),
    );
    const byItem = new Map(docs.map((d) => [d.loupe.item_id, d]));
    expect(byItem.get('i3')!.status).toBe('failed');
    expect(docs.map((d) => d.status).sort()).toEqual(['duplicate', 'failed', 'ok', 'ok', 'ok', 'ok']);
    for (const doc of docs.filter((d) => d.status === 'ok')) expect(doc.result).toMatchObject({ description: expect.any(String) });
    const summary = await readJson<{ counts: { done: number } }>(join(t.out, 'summary.json'));
    expect(summary.counts.done).toBe(5);
    expect((await readFile(join(t.out, 'results.csv'), 'utf8')).split('\n').filter(Boolean).length).toBe(7);
    expect(h.engine.priceFactor(id)).toBe(0.5);

    // The failed line is retried normally: a second batch round for it alone.
    failing.clear();
    await h.engine.retryFailed(id);
    job = await waitForJob(h.engine, id, (j) => isSettled(j) && j.counts.failed === 0 && j.status === 'done');
    expect(job.counts.done).toBe(6);
    expect(calls(t.signedIn, 'POST', /\/batches$/)).toBe(2);
  });

  it('a batch waiting at OpenAI does not hold the live queue: a live job started after it runs and finishes meanwhile', async () => {
    const t = await setup({ steps: 1_000_000 });
    const h = await openBatchEngine(t);
    cleanups.push(() => h.engine.dispose());
    const batchId = await startBatchJob(h, t);
    // The batch is created and polled: from here it waits at OpenAI (this one never finishes).
    await pollsOf(t.signedIn, 'GET', /\/batches\//, 2);
    const liveId = await h.engine.createJob({
      paths: [t.photos],
      preset: 'describe',
      model: 'gpt-6.1-sol',
      detail: 'auto',
      outputDir: join(t.dir, 'live'),
    });
    const live = await waitForJob(h.engine, liveId, isSettled);
    expect(live).toMatchObject({ status: 'done', counts: { done: 6, failed: 0 } });
    expect(calls(t.signedIn, 'POST', /\/responses$/)).toBe(5);
    expect(h.engine.summary(batchId)?.status).toBe('running');
    expect(h.engine.batchOf(batchId)?.phase).toBe('waiting');
    // Only the live job counts against the governor's requests in flight.
    expect(h.engine.summary(batchId)?.concurrency).toBe(0);
  });

  it('is not offered to ChatGPT-plan sign-ins, whose server has no Batch API', async () => {
    const t = await setup({});
    const h = await openEngine(t.signedIn, t.data, { tuning: fast });
    cleanups.push(() => h.engine.dispose());
    await expect(startBatchJob(h, t)).rejects.toMatchObject({
      code: 'batch_unavailable',
    });
    const token = await t.signedIn.session.accessToken();
    const res = await fetch(`${t.signedIn.stack.endpoints.apiBase}/batches`, { headers: { authorization: `Bearer ${token}` } });
    // The plan's "route not supported" refusal.
    expect([403, 404]).toContain(res.status);
  });
});
