/**
 * Batch API jobs across a restart (issue #12 item 5): a restart mid-batch
 * polls the same batch instead of paying again; a restart between upload and
 * batch creation creates the batch from the file already uploaded, or
 * uploads again only when OpenAI no longer has it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../electron/core/analysis/records/job-record';
import type { BatchOptions } from '../../servers/openai/batches';
import { isSettled, readJson, resultFiles, waitForJob } from '../../support/analysis-fixture';
import { calls, openBatchEngine, pollsOf, setupBatch, startBatchJob, useBatchCleanups } from './batch-support';

const cleanups = useBatchCleanups();
const setup = (batch: BatchOptions) => setupBatch(cleanups, batch);

/** A batch whose creation waits: `atCreate` resolves when Loupe asks for it, `release` lets the request go on. */
function heldAtCreate(): { batch: BatchOptions; atCreate: Promise<void>; release: () => void } {
  let reached!: () => void;
  const atCreate = new Promise<void>((resolve) => (reached = resolve));
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const batch: BatchOptions = {
    steps: 1,
    beforeCreate: () => {
      reached();
      return held;
    },
  };
  return { batch, atCreate, release };
}

describe('Batch API jobs across a restart', () => {
  it('survives a restart mid-batch: polls the same batch, pays nothing twice, maps every result', async () => {
    const batch: BatchOptions = { steps: 1_000_000 };
    const t = await setup(batch);
    let h = await openBatchEngine(t);
    const id = await startBatchJob(h, t);
    const jobFile = join(t.data, 'jobs', `${id}.json`);
    // Wait until the batch is running server-side: polled twice. Its id was saved with the job before the first poll.
    await pollsOf(t.signedIn, 'GET', /\/batches\//, 2);
    await h.engine.dispose();
    const saved = JSON.parse(await readFile(jobFile, 'utf8')) as JobRecord;
    expect(saved.status).toBe('running');
    expect(saved.batch!.parts[0]!.batchId).toMatch(/^batch_/);
    expect(await resultFiles(t.out).catch(() => [])).toHaveLength(0);

    // The batch finishes while Loupe is closed; the next start collects it.
    batch.steps = 1;
    h = await openBatchEngine(t);
    cleanups.push(() => h.engine.dispose());
    const job = await waitForJob(h.engine, id, isSettled);
    expect(job.status).toBe('done');
    expect(job.counts).toMatchObject({ total: 6, done: 6, failed: 0 });
    expect(calls(t.signedIn, 'POST', /\/files$/)).toBe(1);
    expect(calls(t.signedIn, 'POST', /\/batches$/)).toBe(1);
    const docs = await Promise.all((await resultFiles(t.out)).map((f) => readJson<{ status: string }>(join(t.out, f))));
    expect(docs.map((d) => d.status).sort()).toEqual(['duplicate', 'ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('a restart between upload and batch creation creates the batch from the uploaded file, uploading nothing again', async () => {
    const { batch, atCreate, release } = heldAtCreate();
    const t = await setup(batch);
    let h = await openBatchEngine(t);
    const id = await startBatchJob(h, t);
    await atCreate;
    // The upload returned and its file id is saved with the job before the batch is asked for.
    const saved = JSON.parse(await readFile(join(t.data, 'jobs', `${id}.json`), 'utf8')) as JobRecord;
    expect(saved.batch!.parts).toHaveLength(1);
    expect(saved.batch!.parts[0]!.fileId).toMatch(/^file-/);
    expect(saved.batch!.parts[0]!.batchId).toBeUndefined();
    expect(h.engine.batchOf(id)?.phase).toBe('uploading');
    // Loupe quits while the creation is on its way: it never arrives.
    await h.engine.dispose();
    release();
    delete batch.beforeCreate;

    h = await openBatchEngine(t);
    cleanups.push(() => h.engine.dispose());
    const job = await waitForJob(h.engine, id, isSettled);
    expect(job).toMatchObject({ status: 'done', counts: { total: 6, done: 6, failed: 0 } });
    expect(calls(t.signedIn, 'POST', /\/files$/)).toBe(1);
    const batches = [...t.signedIn.stack.api.batches!.batches.values()];
    expect(batches).toHaveLength(1);
    expect(batches[0]!.input_file_id).toBe(saved.batch!.parts[0]!.fileId);
  });

  it('after such a restart, a file the Batch API no longer has is uploaded again', async () => {
    const { batch, atCreate, release } = heldAtCreate();
    const t = await setup(batch);
    let h = await openBatchEngine(t);
    const id = await startBatchJob(h, t);
    await atCreate;
    await h.engine.dispose();
    release();
    delete batch.beforeCreate;
    const store = t.signedIn.stack.api.batches!;
    const [first] = [...store.files.files.keys()];
    store.files.files.delete(first!);

    h = await openBatchEngine(t);
    cleanups.push(() => h.engine.dispose());
    const job = await waitForJob(h.engine, id, isSettled);
    expect(job).toMatchObject({ status: 'done', counts: { total: 6, done: 6, failed: 0 } });
    expect(calls(t.signedIn, 'POST', /\/files$/)).toBe(2);
    expect(store.batches.size).toBe(1);
    expect(calls(t.signedIn, 'POST', /\/responses$/)).toBe(0);
  });
});
