/**
 * Half-price batches (issue #12 item 5): a job through the Batch API against
 * the stand-in's /v1/files and /v1/batches — submitted, polled, every result
 * mapped back by custom_id into the per-photo JSON, summary.json and
 * results.csv; a failed line retried; a restart mid-batch polls the same
 * batch instead of paying again, and a restart between upload and batch
 * creation creates the batch from the file already uploaded; cancel cancels
 * the batch and still collects the answers it had finished; ChatGPT-plan
 * sign-ins are not offered it. (Splitting at the limits: test/unit/core/analysis/batch/jsonl.test.ts;
 * who is offered it: test/unit/core/accounts/readiness.test.ts.)
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../electron/core/analysis/types';
import { parseCsv } from '../../support/csv';
import { DEFAULT_MODELS } from '../../servers/openai/openai-api';
import type { BatchOptions } from '../../servers/openai/batches';
import {
  isSettled,
  makePhotos,
  openEngine,
  readJson,
  resultFiles,
  type SignedIn,
  signedInStandIns,
  tempDir,
  waitForJob,
} from '../../support/analysis-fixture';
import { within } from '../../support/within';

const KEY = 'sk-batch-test';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(batch: BatchOptions) {
  const signedIn = await signedInStandIns({ apiKeys: [KEY], batch, models: DEFAULT_MODELS });
  const dir = await tempDir('loupe-batch-');
  cleanups.push(
    () => dir.remove(),
    () => signedIn.close(),
  );
  const photos = join(dir.path, 'photos');
  await mkdir(photos);
  const paths = await makePhotos(photos, 5);
  // A duplicate of the first photo: analysed once, recorded twice.
  await copyFile(paths[0]!, join(photos, 'copy-of-first.jpg'));
  return { signedIn, dir: dir.path, photos, out: join(dir.path, 'out'), data: join(dir.path, 'data') };
}

const apiKeyAccount = (signedIn: SignedIn) => () => ({
  apiBase: new URL(signedIn.stack.endpoints.apiBase),
  kind: 'apiKey' as const,
  session: { accessToken: async () => KEY, afterUnauthorized: async () => KEY },
  batch: { allowed: true, reason: null },
});
const fast = { backoffBaseMs: 40, backoffMaxMs: 400, batchPollMs: 5, batchMaxPollMs: 20 };
const calls = (s: SignedIn, method: string, re: RegExp) => s.stack.api.requests.filter((r) => r.method === method && re.test(r.path)).length;
/** Resolves once the stand-in has had `count` such requests. */
const pollsOf = (s: SignedIn, method: string, re: RegExp, count: number) =>
  within(
    s.stack.api.whenRequests((requests) => requests.filter((r) => r.method === method && re.test(r.path)).length >= count),
    10_000,
    `${count} × ${method} ${re}`,
  );

describe('Batch API jobs', () => {
  it('complete through /v1/files and /v1/batches, map every result back, retry a failed line, cost half', async () => {
    const failing = new Set(['i3']);
    const t = await setup({ steps: 2, failCustomIds: failing });
    const h = await openEngine(t.signedIn, t.data, { account: apiKeyAccount(t.signedIn), tuning: fast });
    cleanups.push(() => h.engine.dispose());
    const id = await h.engine.createJob({
      paths: [t.photos],
      preset: 'describe',
      model: 'gpt-6.1-sol',
      detail: 'auto',
      outputDir: t.out,
      mode: 'batch',
    });
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

  it('survives a restart mid-batch: polls the same batch, pays nothing twice, maps every result', async () => {
    const batch: BatchOptions = { steps: 1_000_000 };
    const t = await setup(batch);
    let h = await openEngine(t.signedIn, t.data, { account: apiKeyAccount(t.signedIn), tuning: fast });
    const id = await h.engine.createJob({
      paths: [t.photos],
      preset: 'describe',
      model: 'gpt-6.1-sol',
      detail: 'auto',
      outputDir: t.out,
      mode: 'batch',
    });
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
    h = await openEngine(t.signedIn, t.data, { account: apiKeyAccount(t.signedIn), tuning: fast });
    cleanups.push(() => h.engine.dispose());
    const job = await waitForJob(h.engine, id, isSettled);
    expect(job.status).toBe('done');
    expect(job.counts).toMatchObject({ total: 6, done: 6, failed: 0 });
    expect(calls(t.signedIn, 'POST', /\/files$/)).toBe(1);
    expect(calls(t.signedIn, 'POST', /\/batches$/)).toBe(1);
    const docs = await Promise.all((await resultFiles(t.out)).map((f) => readJson<{ status: string }>(join(t.out, f))));
    expect(docs.map((d) => d.status).sort()).toEqual(['duplicate', 'ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('a batch waiting at OpenAI does not hold the live queue: a live job started after it runs and finishes meanwhile', async () => {
    const t = await setup({ steps: 1_000_000 });
    const h = await openEngine(t.signedIn, t.data, { account: apiKeyAccount(t.signedIn), tuning: fast });
    cleanups.push(() => h.engine.dispose());
    const batchId = await h.engine.createJob({
      paths: [t.photos],
      preset: 'describe',
      model: 'gpt-6.1-sol',
      detail: 'auto',
      outputDir: t.out,
      mode: 'batch',
    });
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

  it('cancel cancels the batch', async () => {
    const t = await setup({ steps: 1_000_000 });
    const h = await openEngine(t.signedIn, t.data, { account: apiKeyAccount(t.signedIn), tuning: fast });
    cleanups.push(() => h.engine.dispose());
    const id = await h.engine.createJob({
      paths: [t.photos],
      preset: 'describe',
      model: 'gpt-6.1-sol',
      detail: 'auto',
      outputDir: t.out,
      mode: 'batch',
    });
    await pollsOf(t.signedIn, 'GET', /\/batches\//, 2);
    await h.engine.cancel(id);
    await waitForJob(h.engine, id, (j) => j.status === 'cancelled');
    await pollsOf(t.signedIn, 'POST', /\/cancel$/, 1);
    const server = [...t.signedIn.stack.api.batches!.batches.values()][0]!;
    expect(['cancelling', 'cancelled']).toContain(server.status);
  });

  it('cancel: the batch is cancelled at OpenAI, the answers it had finished are collected once, the rest marked cancelled', async () => {
    // A slow batch: two of its requests finished, the others not yet run.
    const t = await setup({ steps: 1, stallAfter: 2 });
    const h = await openEngine(t.signedIn, t.data, { account: apiKeyAccount(t.signedIn), tuning: fast });
    cleanups.push(() => h.engine.dispose());
    const id = await h.engine.createJob({
      paths: [t.photos],
      preset: 'describe',
      model: 'gpt-6.1-sol',
      detail: 'auto',
      outputDir: t.out,
      mode: 'batch',
    });
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

    // The two paid answers are on disk and in results.csv, exactly once; the photos never run are cancelled.
    const detail = (await h.engine.items(id, 0, 500))!;
    const answeredIds = new Set(answered.map((l) => l.custom_id));
    const ownerOf = (item: (typeof detail.items)[number]) => item.duplicateOf ?? item.id;
    for (const item of detail.items) {
      if (answeredIds.has(ownerOf(item))) expect(item.status).toBe('done');
      else expect(item).toMatchObject({ status: 'failed', error: { code: 'cancelled' } });
    }
    for (const customId of answeredIds) {
      const item = detail.items.find((i) => i.id === customId)!;
      expect((await readJson<{ status: string; result: unknown }>(join(t.out, item.outputFile!))).status).toBe('ok');
    }
    const rows = parseCsv(await readFile(join(t.out, 'results.csv'), 'utf8'));
    const [header, ...body] = rows;
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
    let h = await openEngine(t.signedIn, t.data, { account: apiKeyAccount(t.signedIn), tuning: fast });
    const id = await h.engine.createJob({
      paths: [t.photos],
      preset: 'describe',
      model: 'gpt-6.1-sol',
      detail: 'auto',
      outputDir: t.out,
      mode: 'batch',
    });
    const store = t.signedIn.stack.api.batches!;
    const server = () => [...store.batches.values()][0];
    await waitForJob(h.engine, id, () => server()?.request_counts.completed === 3);
    // Paused (the batch goes on at OpenAI), then Loupe quits and starts again: the job is not running.
    await h.engine.pause(id);
    await waitForJob(h.engine, id, (j) => j.status === 'paused');
    await h.engine.dispose();
    h = await openEngine(t.signedIn, t.data, { account: apiKeyAccount(t.signedIn), tuning: fast });
    cleanups.push(() => h.engine.dispose());
    expect(h.engine.jobs().find((j) => j.id === id)!.status).toBe('paused');
    expect(h.engine.batchOf(id)).toEqual({ phase: 'waiting', progress: null });

    await h.engine.cancel(id);
    const job = await waitForJob(h.engine, id, (j) => j.counts.inFlight === 0 && h.engine.batchOf(id)?.phase === null);
    expect(server()!.status).toBe('cancelled');
    expect(job.status).toBe('cancelled');
    // The three requests that had finished are answered (with the copy, if its original was one of them); the rest cancelled.
    expect(job.counts.done + job.counts.failed).toBe(6);
    const docs = await Promise.all((await resultFiles(t.out)).map((f) => readJson<{ status: string }>(join(t.out, f))));
    expect(docs.filter((d) => d.status === 'ok')).toHaveLength(3);
    expect(docs.filter((d) => d.status === 'ok' || d.status === 'duplicate')).toHaveLength(job.counts.done);
    expect(calls(t.signedIn, 'POST', /\/files$/)).toBe(1);
    expect(calls(t.signedIn, 'POST', /\/responses$/)).toBe(0);
  });

  it('a restart between upload and batch creation creates the batch from the uploaded file, uploading nothing again', async () => {
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
    const t = await setup(batch);
    let h = await openEngine(t.signedIn, t.data, { account: apiKeyAccount(t.signedIn), tuning: fast });
    const id = await h.engine.createJob({
      paths: [t.photos],
      preset: 'describe',
      model: 'gpt-6.1-sol',
      detail: 'auto',
      outputDir: t.out,
      mode: 'batch',
    });
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

    h = await openEngine(t.signedIn, t.data, { account: apiKeyAccount(t.signedIn), tuning: fast });
    cleanups.push(() => h.engine.dispose());
    const job = await waitForJob(h.engine, id, isSettled);
    expect(job).toMatchObject({ status: 'done', counts: { total: 6, done: 6, failed: 0 } });
    expect(calls(t.signedIn, 'POST', /\/files$/)).toBe(1);
    const batches = [...t.signedIn.stack.api.batches!.batches.values()];
    expect(batches).toHaveLength(1);
    expect(batches[0]!.input_file_id).toBe(saved.batch!.parts[0]!.fileId);
  });

  it('after such a restart, a file the Batch API no longer has is uploaded again', async () => {
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
    const t = await setup(batch);
    let h = await openEngine(t.signedIn, t.data, { account: apiKeyAccount(t.signedIn), tuning: fast });
    const id = await h.engine.createJob({
      paths: [t.photos],
      preset: 'describe',
      model: 'gpt-6.1-sol',
      detail: 'auto',
      outputDir: t.out,
      mode: 'batch',
    });
    await atCreate;
    await h.engine.dispose();
    release();
    delete batch.beforeCreate;
    const store = t.signedIn.stack.api.batches!;
    const [first] = [...store.files.files.keys()];
    store.files.files.delete(first!);

    h = await openEngine(t.signedIn, t.data, { account: apiKeyAccount(t.signedIn), tuning: fast });
    cleanups.push(() => h.engine.dispose());
    const job = await waitForJob(h.engine, id, isSettled);
    expect(job).toMatchObject({ status: 'done', counts: { total: 6, done: 6, failed: 0 } });
    expect(calls(t.signedIn, 'POST', /\/files$/)).toBe(2);
    expect(store.batches.size).toBe(1);
    expect(calls(t.signedIn, 'POST', /\/responses$/)).toBe(0);
  });

  it('is not offered to ChatGPT-plan sign-ins, whose server has no Batch API', async () => {
    const t = await setup({});
    const h = await openEngine(t.signedIn, t.data, { tuning: fast });
    cleanups.push(() => h.engine.dispose());
    await expect(
      h.engine.createJob({ paths: [t.photos], preset: 'describe', model: 'gpt-6.1-sol', detail: 'auto', outputDir: t.out, mode: 'batch' }),
    ).rejects.toMatchObject({
      code: 'batch_unavailable',
    });
    const token = await t.signedIn.session.accessToken();
    const res = await fetch(`${t.signedIn.stack.endpoints.apiBase}/batches`, { headers: { authorization: `Bearer ${token}` } });
    // The plan's "route not supported" refusal.
    expect([403, 404]).toContain(res.status);
  });
});
