/**
 * Analysis through the core's commands, the way the renderer drives it: a real
 * createCore() on Node adapters (core-fixture.ts) against the stand-in
 * servers, commands dispatched with their schemas, and the results read back
 * from AppState snapshots, the output folders and the stand-ins' request logs.
 * Timings are never asserted; waits are on states.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makePhotos, readJson, resultFiles } from '../../../support/analysis-fixture';
import { parseCsv } from '../../../support/csv';
import { signInThroughBrowser } from '../../../support/core-fixture';
import {
  useAnalysisStandIns,
  MODEL,
  good,
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
  responsesSince,
  waitForRequest,
  widthIn,
} from './support';

useAnalysisStandIns();

describe('accounts and jobs', () => {
  it('a running job keeps its API-key account after a switch to ChatGPT; the next job uses ChatGPT', async () => {
    const h = await setup();
    const { fx } = h;
    const photos = await tempDir('loupe-photos-');
    await makePhotos(photos, 8, { baseWidth: 300 });
    const later = await tempDir('loupe-photos-');
    await makePhotos(later, 2, { baseWidth: 400 });

    const { state: signedIn } = await signInThroughBrowser(fx);
    expect(signedIn.account).toMatchObject({ kind: 'chatgpt', planUsage: true });
    const chatgptId = signedIn.account.id!;
    const keyId = await addKey(fx);
    expect(fx.core.getState().account.id).toBe(keyId);

    stack.api.setLatency(300);
    await stage(fx, [photos]);
    const jobId = await start(fx, { preset: 'describe', model: MODEL, concurrency: 2 });
    await waitForRequest(widthIn(300, 8));

    ok(await fx.run('accounts.switch', { accountId: chatgptId }));
    const switchedAt = Date.now();
    expect(fx.core.getState().account).toMatchObject({ id: chatgptId, kind: 'chatgpt' });
    const atSwitch = await getJob(fx, jobId);
    expect(atSwitch.status).toBe('running');
    expect(atSwitch.counts.done).toBeLessThan(8);

    const job = await waitForJob(fx, jobId, (j) => j.status === 'done');
    expect(job.counts).toMatchObject({ done: 8, failed: 0 });
    const ofJob = inferenceRequests().filter(widthIn(300, 8));
    expect(ofJob).toHaveLength(8);
    expect(ofJob.every((r) => r.path.endsWith('/responses') && r.status === 200)).toBe(true);
    expect(ofJob.map((r) => r.auth)).toEqual(Array(8).fill('apiKey'));
    // Photos sent after the switch still went out on the job's own account.
    expect(ofJob.filter((r) => r.at >= switchedAt).length).toBeGreaterThan(0);

    stack.api.setLatency(0);
    await stage(fx, [later]);
    const nextId = await start(fx, { preset: 'describe', model: MODEL });
    expect((await waitForJob(fx, nextId, (j) => j.status === 'done')).counts.done).toBe(2);
    const ofNext = inferenceRequests().filter(widthIn(400, 2));
    expect(ofNext).toHaveLength(2);
    expect(ofNext.map((r) => r.auth)).toEqual(['oauth', 'oauth']);
    // ChatGPT-plan rules on the plan account's requests.
    for (const r of ofNext) expect(r.body).toMatchObject({ store: false, stream: true });
  });

  it('a Chat Completions account sends analyses to /chat/completions and writes results', async () => {
    const h = await setup();
    const { fx } = h;
    await addKey(fx, { useChatCompletions: true, label: 'Local server' });
    await stage(fx, [good('01-sunset.jpg'), good('02-meadow.webp')]);
    const before = stack.api.requests.length;
    const jobId = await start(fx, { preset: 'describe', model: MODEL });
    const job = await waitForJob(fx, jobId, (j) => j.status === 'done');
    expect(job.counts).toMatchObject({ done: 2, failed: 0 });

    const sent = inferenceRequests(before);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.every((r) => r.path.endsWith('/chat/completions'))).toBe(true);
    expect(responsesSince(before)).toEqual([]);
    expect(sent.filter((r) => r.status === 200)).toHaveLength(2);
    expect(sent.every((r) => r.auth === 'apiKey')).toBe(true);

    const files = await resultFiles(job.outputDir);
    expect(files).toHaveLength(2);
    for (const file of files) {
      const doc = await readJson<Record<string, any>>(join(job.outputDir, file));
      expect(doc.status).toBe('ok');
      expect(doc.result).toMatchObject({ description: expect.any(String) });
    }
    expect(parseCsv(await readFile(join(job.outputDir, 'results.csv'), 'utf8'))).toHaveLength(3);
  });
});
