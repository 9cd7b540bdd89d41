/**
 * Analysis through the core's commands, the way the renderer drives it: a real
 * createCore() on Node adapters (core-fixture.ts) against the stand-in
 * servers, commands dispatched with their schemas, and the results read back
 * from AppState snapshots, the output folders and the stand-ins' request logs.
 * Timings are never asserted; waits are on states.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makePhotos, readJson, resultFiles } from '../../../support/analysis-fixture';
import {
  useAnalysisStandIns,
  MODEL,
  stack,
  tempDir,
  setup,
  ok,
  addKey,
  waitForJob,
  stage,
  start,
  getJob,
  inferenceRequests,
  waitForRequest,
  widthIn,
} from './support';

useAnalysisStandIns();

describe('job controls through commands', () => {
  it('pause lets requests in flight finish and sends nothing more; resume finishes the job', async () => {
    const h = await setup();
    const { fx } = h;
    await addKey(fx);
    const photos = await tempDir('loupe-photos-');
    await makePhotos(photos, 8, { baseWidth: 500 });
    stack.api.setLatency(300);
    await stage(fx, [photos]);
    const jobId = await start(fx, { preset: 'describe', model: MODEL, concurrency: 2 });
    await waitForRequest(widthIn(500, 8));

    ok(await fx.run('analysis.pause', { jobId }));
    const paused = await waitForJob(fx, jobId, (j) => j.status === 'paused' && j.counts.inFlight === 0);
    expect(paused.counts.pending).toBeGreaterThan(0);
    expect(paused.counts.done + paused.counts.pending).toBe(8);
    const sentWhilePaused = inferenceRequests().filter(widthIn(500, 8)).length;
    expect(sentWhilePaused).toBe(paused.counts.done);
    ok(await fx.run('analysis.pause', { jobId })); // already paused: nothing to do
    expect((await getJob(fx, jobId)).status).toBe('paused');

    const resumedAt = stack.api.requests.length;
    ok(await fx.run('analysis.resume', { jobId }));
    await waitForJob(fx, jobId, (j) => j.status === 'running' || j.status === 'done');
    const done = await waitForJob(fx, jobId, (j) => j.status === 'done');
    expect(done.counts).toMatchObject({ done: 8, failed: 0, pending: 0 });
    expect(inferenceRequests().filter(widthIn(500, 8))).toHaveLength(8);
    // Nothing went out from the pause until the resume, however long it lasted.
    expect(inferenceRequests().filter((r) => widthIn(500, 8)(r) && stack.api.requests.indexOf(r) < resumedAt)).toHaveLength(sentWhilePaused);

    // A finished job can't be paused, resumed or cancelled.
    for (const command of ['analysis.pause', 'analysis.resume', 'analysis.cancel'] as const) {
      expect((await fx.run(command, { jobId })).error?.code, command).toBe('invalid_state');
    }
    expect((await fx.run('analysis.pause', { jobId: 'job-none' })).ok).toBe(false);
  });

  it('cancel aborts the running job and keeps what is done; a cancelled job can’t resume or retry', async () => {
    const h = await setup();
    const { fx } = h;
    await addKey(fx);
    const photos = await tempDir('loupe-photos-');
    await makePhotos(photos, 8, { baseWidth: 600 });
    stack.api.setLatency(300);
    await stage(fx, [photos]);
    const jobId = await start(fx, { preset: 'describe', model: MODEL, concurrency: 2 });
    await waitForRequest(widthIn(600, 8));

    ok(await fx.run('analysis.cancel', { jobId }));
    const detail = await getJob(fx, jobId);
    expect(detail.status).toBe('cancelled');
    expect(detail.finishedAt).not.toBeNull();
    expect(detail.counts.done).toBeLessThan(8);
    expect(detail.counts.inFlight).toBe(0);
    const job = await waitForJob(fx, jobId, (j) => j.status === 'cancelled');
    expect(await resultFiles(job.outputDir)).toHaveLength(job.counts.done);
    expect((await readJson<Record<string, any>>(join(job.outputDir, 'summary.json'))).status).toBe('cancelled');

    expect((await fx.run('analysis.resume', { jobId })).error?.code).toBe('invalid_state');
    expect((await fx.run('analysis.retryFailed', { jobId })).error?.code).toBe('invalid_state');
    ok(await fx.run('analysis.cancel', { jobId })); // already cancelled: nothing to do
    expect((await getJob(fx, jobId)).status).toBe('cancelled');
  });

  it('retryFailed sends the failed photos again and the job ends with all of them done', async () => {
    const h = await setup();
    const { fx } = h;
    await addKey(fx);
    const photos = await tempDir('loupe-photos-');
    await makePhotos(photos, 4, { baseWidth: 700 });
    stack.api.faults.next({
      type: 'status',
      status: 400,
      body: { error: { message: 'Invalid image.', type: 'invalid_request_error', param: null, code: 'invalid_image' } },
    });
    await stage(fx, [photos]);
    const jobId = await start(fx, { preset: 'describe', model: MODEL });
    const first = await waitForJob(fx, jobId, (j) => j.status === 'done' || j.status === 'failed');
    expect(first.status).toBe('done');
    expect(first.counts).toMatchObject({ done: 3, failed: 1 });
    const failed = (await getJob(fx, jobId)).items.find((i) => i.status === 'failed')!;
    expect(failed.error?.code).toBe('invalid_request');
    expect(h.notifications.at(-1)?.body).toContain('1 failed');

    ok(await fx.run('analysis.retryFailed', { jobId }));
    const retried = await waitForJob(fx, jobId, (j) => j.status === 'done' && j.counts.failed === 0 && j.counts.done === 4);
    expect(retried.counts).toMatchObject({ done: 4, failed: 0, pending: 0 });
    const item = (await getJob(fx, jobId)).items.find((i) => i.id === failed.id)!;
    expect(item.status).toBe('done');
    expect((await readJson<Record<string, any>>(join(retried.outputDir, item.outputFile!))).status).toBe('ok');
    expect(inferenceRequests().filter(widthIn(700, 4))).toHaveLength(5);
    ok(await fx.run('analysis.retryFailed', { jobId })); // nothing failed: nothing to do
  });
});
