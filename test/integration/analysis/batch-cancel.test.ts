/**
 * Cancelling a Batch API job (issue #12 item 5): the batch is cancelled at
 * OpenAI and the answers it had finished (paid for) are still collected,
 * once, whether the job was running or paused, and after a restart.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../support/csv';
import type { BatchOptions } from '../../servers/openai/batches';
import { readJson, resultFiles, waitForJob } from '../../support/analysis-fixture';
import { calls, openBatchEngine, pollsOf, setupBatch, startBatchJob, useBatchCleanups } from './batch-support';

const cleanups = useBatchCleanups();
const setup = (batch: BatchOptions) => setupBatch(cleanups, batch);

describe('Batch API jobs cancelled', () => {
  it('cancel cancels the batch', async () => {
    const t = await setup({ steps: 1_000_000 });
    const h = await openBatchEngine(t);
    cleanups.push(() => h.engine.dispose());
    const id = await startBatchJob(h, t);
    await pollsOf(t.signedIn, 'GET', /\/batches\//, 2);
    await h.engine.cancel(id);
    await waitForJob(h.engine, id, (j) => j.status === 'cancelled');
    await pollsOf(t.signedIn, 'POST', /\/cancel$/, 1);
    const server = [...t.signedIn.stack.api.batches!.batches.values()][0]!;
    expect(['cancelling', 'cancelled']).toContain(server.status);
  });

  it('cancel: the batch is cancelled at OpenAI, the answers it had finished are collected once, the rest are not analysed as after a live cancel', async () => {
    // A slow batch: two of its requests finished, the others not yet run.
    const t = await setup({ steps: 1, stallAfter: 2 });
    const h = await openBatchEngine(t);
    cleanups.push(() => h.engine.dispose());
    const id = await startBatchJob(h, t);
    const store = t.signedIn.stack.api.batches!;
    const server = () => [...store.batches.values()][0];
    await waitForJob(h.engine, id, () => server()?.request_counts.completed === 2);
    expect(h.engine.batchOf(id)?.phase).toBe('waiting');

    await h.engine.cancel(id);
    expect(h.engine.jobs().find((j) => j.id === id)!.status).toBe('cancelled');
    const job = await waitForJob(h.engine, id, (j) => j.counts.inFlight === 0 && h.engine.batchOf(id)?.phase === null);
    expect(job.status).toBe('cancelled');
    // Like the real Batch API: cancelling, then cancelled with an output file of the finished requests.
    const batch = server()!;
    expect(batch.status).toBe('cancelled');
    expect(calls(t.signedIn, 'POST', /\/cancel$/)).toBe(1);
    const lines = (id: string | null) =>
      id
        ? store.files
            .get(id)!
            .content.toString('utf8')
            .split('\n')
            .filter(Boolean)
            .map(
              (l) =>
                JSON.parse(l) as {
                  custom_id: string;
                  response: { body: { usage: { input_tokens: number; output_tokens: number } } } | null;
                  error: { code: string } | null;
                },
            )
        : [];
    const answered = lines(batch.output_file_id);
    expect(answered).toHaveLength(2);
    expect(lines(batch.error_file_id).map((l) => l.error?.code)).toEqual(['batch_cancelled', 'batch_cancelled', 'batch_cancelled']);

    // The two paid answers are on disk and in results.csv, exactly once; the photos never run are not analysed (not failed, no file, no row).
    const detail = (await h.engine.items(id, 0, 500))!;
    const answeredIds = new Set(answered.map((l) => l.custom_id));
    const ownerOf = (item: (typeof detail.items)[number]) => item.duplicateOf ?? item.id;
    for (const item of detail.items) {
      if (answeredIds.has(ownerOf(item))) expect(item.status).toBe('done');
      else expect(item.status).toBe('not_run');
    }
    expect(job.counts.failed).toBe(0);
    expect(job.counts.pending).toBe(0);
    expect(job.counts.notRun).toBe(detail.items.filter((i) => !answeredIds.has(ownerOf(i))).length);
    expect(await resultFiles(t.out)).toHaveLength(job.counts.done);
    // "Analyse remaining" takes exactly them.
    expect((await h.engine.remainingPaths(id)).length).toBe(job.counts.notRun);
    for (const customId of answeredIds) {
      const item = detail.items.find((i) => i.id === customId)!;
      expect((await readJson<{ status: string; result: unknown }>(join(t.out, item.outputFile!))).status).toBe('ok');
    }
    const rows = parseCsv(await readFile(join(t.out, 'results.csv'), 'utf8'));
    const [header, ...body] = rows;
    expect(body).toHaveLength(job.counts.done);
    for (const customId of answeredIds) {
      const item = detail.items.find((i) => i.id === customId)!;
      const matching = body.filter((r) => r[header!.indexOf('output_file')] === item.outputFile);
      expect(matching).toHaveLength(1);
      expect(matching[0]![header!.indexOf('status')]).toBe('done');
    }
    const paid = answered.reduce((sum, l) => sum + l.response!.body.usage.input_tokens, 0);
    expect(job.tokens.input).toBe(paid);
    expect((await readJson<{ status: string }>(join(t.out, 'summary.json'))).status).toBe('cancelled');
    // Nothing was sent twice: one file, one batch, no live request.
    expect(calls(t.signedIn, 'POST', /\/files$/)).toBe(1);
    expect(store.batches.size).toBe(1);
    expect(calls(t.signedIn, 'POST', /\/responses$/)).toBe(0);
  });

  it('cancelling a paused batch job after a restart still cancels the batch and collects what it had finished', async () => {
    const t = await setup({ steps: 1, stallAfter: 3 });
    let h = await openBatchEngine(t);
    const id = await startBatchJob(h, t);
    const store = t.signedIn.stack.api.batches!;
    const server = () => [...store.batches.values()][0];
    await waitForJob(h.engine, id, () => server()?.request_counts.completed === 3);
    // Paused (the batch goes on at OpenAI), then Loupe quits and starts again: the job is not running.
    await h.engine.pause(id);
    await waitForJob(h.engine, id, (j) => j.status === 'paused');
    await h.engine.dispose();
    h = await openBatchEngine(t);
    cleanups.push(() => h.engine.dispose());
    expect(h.engine.jobs().find((j) => j.id === id)!.status).toBe('paused');
    expect(h.engine.batchOf(id)).toEqual({ phase: 'waiting', progress: null });

    await h.engine.cancel(id);
    const job = await waitForJob(h.engine, id, (j) => j.counts.inFlight === 0 && h.engine.batchOf(id)?.phase === null);
    expect(server()!.status).toBe('cancelled');
    expect(job.status).toBe('cancelled');
    // The three requests that had finished are answered (with the copy, if its original was one of them); the rest are not analysed.
    expect(job.counts.failed).toBe(0);
    expect(job.counts.pending).toBe(0);
    expect(job.counts.done + job.counts.notRun).toBe(6);
    const docs = await Promise.all((await resultFiles(t.out)).map((f) => readJson<{ status: string }>(join(t.out, f))));
    expect(docs.filter((d) => d.status === 'ok')).toHaveLength(3);
    expect(docs.filter((d) => d.status === 'ok' || d.status === 'duplicate')).toHaveLength(job.counts.done);
    expect(calls(t.signedIn, 'POST', /\/files$/)).toBe(1);
    expect(calls(t.signedIn, 'POST', /\/responses$/)).toBe(0);
  });
});
