/**
 * The analysis engine end to end: a real core signed in against the stand-in
 * authorization server supplies bearer tokens, the engine sends real photos
 * (made with sharp) to the stand-in Responses API, and the tests read what
 * landed on disk. Timings are never asserted; waits poll for states.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoupeError } from '../../../../electron/core/kernel/errors';
import {
  type SignedIn,
  imageWidth,
  isSettled,
  makePhotos,
  readJson,
  responsesRequests,
  resultFiles,
  tempDir,
  waitForJob,
} from '../../../support/analysis-fixture';
import { useEngineCleanups, MODEL, cleanups, dirs, engineFor, useSignedInStandIns } from './support';

useEngineCleanups();

describe('analysis engine — structured outputs available', () => {
  let s: SignedIn;
  useSignedInStandIns({ latencyMs: 60 }, (signedIn) => (s = signedIn), { resetFaults: true });

  it('retries 5xx, dropped connections, broken and incomplete streams until every photo is done', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 6);
    const faults = [
      { type: 'server_error', status: 500 },
      { type: 'server_error', status: 503 },
      { type: 'status', status: 502, body: '<html>bad gateway</html>' },
      { type: 'drop_before_response' },
      { type: 'drop_mid_stream', afterDeltas: 3 },
      { type: 'incomplete', reason: 'interrupted' },
      { type: 'failed_mid_stream', code: 'server_error' },
      { type: 'failed_mid_stream', code: 'server_is_overloaded', errorEvent: true },
    ] as const;
    for (const fault of faults) s.stack.api.faults.next(fault);
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const job = await waitForJob(h.engine, id, isSettled, 30_000);
    expect(job.counts).toMatchObject({ done: 6, failed: 0 });
    const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    expect(sent.filter((r) => r.fault).length).toBe(faults.length);
    expect(sent.length).toBe(6 + faults.length);
    expect((await resultFiles(d.out)).length).toBe(6);
    for (const file of await resultFiles(d.out)) expect((await readJson(join(d.out, file))).status).toBe('ok');
  });

  it('an answer always cut off at the output limit fails its photo once, the paid partial answer kept; nothing is paid twice', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 3);
    // Every request for this photo would be cut off the same way: queue more than the old six retries.
    s.stack.api.faults.next({ type: 'incomplete', reason: 'max_output_tokens' }, 7);
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out, concurrencyCap: 1 });
    const job = await waitForJob(h.engine, id, isSettled);
    expect(job.status).toBe('failed');
    expect(job.counts).toMatchObject({ failed: 3, done: 0 });
    // One request per photo: none was asked again.
    const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    expect(sent).toHaveLength(3);
    expect(s.stack.api.faults.pending()).toBe(4);
    const detail = (await h.engine.items(id, 0, 500))!;
    let output = 0;
    for (const item of detail.items) {
      expect(item.error).toMatchObject({ code: 'response_incomplete', message: expect.stringMatching(/cut off at the model’s output limit/) });
      const doc = await readJson<{ status: string; raw_text: string; usage: { output_tokens: number }; request_id: string }>(
        join(d.out, item.outputFile!),
      );
      expect(doc.status).toBe('failed');
      expect(doc.raw_text.length).toBeGreaterThan(0);
      expect(doc.request_id).toMatch(/^req_/);
      output += doc.usage.output_tokens;
    }
    // The paid tokens are counted once each.
    expect(job.tokens.output).toBe(output);
    expect(output).toBeGreaterThan(0);
  });

  it('a refused photo fails alone, without retries; retry failed sends it again', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 4);
    s.stack.api.faults.next({
      type: 'status',
      status: 400,
      body: { error: { message: 'Invalid image.', type: 'invalid_request_error', param: null, code: 'invalid_image' } },
    });
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    let job = await waitForJob(h.engine, id, isSettled);
    expect(job.status).toBe('done');
    expect(job.counts).toMatchObject({ done: 3, failed: 1 });
    expect(responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before)).toHaveLength(4);
    const failed = (await h.engine.items(id, 0, 10_000))!.items.find((i) => i.status === 'failed')!;
    expect(failed.error?.code).toBe('invalid_request');
    expect((await readJson(join(d.out, failed.outputFile!))).status).toBe('failed');

    await h.engine.retryFailed(id);
    job = await waitForJob(h.engine, id, (j) => isSettled(j) && j.counts.done === 4);
    expect(job.counts.failed).toBe(0);
    expect((await readJson(join(d.out, failed.outputFile!))).status).toBe('ok');
    expect(await resultFiles(d.out)).toHaveLength(4);
  });

  it('insufficient quota stops the job before anything else is sent; resume finishes it', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 5);
    // Learn the model's capabilities first so the job opens with several requests at once.
    s.stack.api.faults.next({ type: 'insufficient_quota' }, 1);
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    let job = await waitForJob(h.engine, id, isSettled);
    expect(job.status).toBe('stopped');
    expect(job.stopReason?.code).toBe('insufficient_quota');
    expect(job.stopReason?.message).toMatch(/quota/);
    expect(job.counts.failed).toBe(0);
    const sentAtStop = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before).length;
    expect(h.notifications.at(-1)).toMatchObject({ title: 'Analysis stopped' });

    const resumedAt = s.stack.api.requests.length;
    await h.engine.resume(id);
    job = await waitForJob(h.engine, id, (j) => j.status === 'done');
    expect(job.counts).toMatchObject({ done: 5, failed: 0 });
    expect(job.stopReason).toBeUndefined();
    // Nothing went out from the stop until the resume, however long it lasted.
    expect(
      responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before && s.stack.api.requests.indexOf(r) < resumedAt),
    ).toHaveLength(sentAtStop);
  });

  it('a usage limit that arrives mid-stream stops the job with “Manage usage”', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 4);
    s.stack.api.faults.next({ type: 'failed_mid_stream', code: 'subscription_sharing_usage_limit_exceeded', afterDeltas: 2 });
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const job = await waitForJob(h.engine, id, isSettled);
    expect(job.status).toBe('stopped');
    expect(job.stopReason).toMatchObject({ code: 'usage_limit', link: { label: 'Manage usage', url: 'https://chatgpt.com/settings/usage' } });
    expect(job.counts.failed).toBe(0);
    const sentAtStop = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before).length;
    const summary = await readJson<Record<string, any>>(join(d.out, 'summary.json'));
    expect(summary.status).toBe('stopped');
    expect(summary.stop_reason.code).toBe('usage_limit');
    // Disposing waits for everything the engine still had going; after it nothing can go out, and nothing did since the stop.
    await h.engine.dispose();
    expect(responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before).length).toBe(sentAtStop);
  });

  it('a model that can’t take images, or isn’t there, stops the job: no photo is sent after the first refusal', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 8);
    const h = await engineFor(s, d.data);
    for (const [model, code] of [
      ['gpt-6-text', 'unsupported_capability'],
      ['no-such-model', 'model_not_found'],
    ] as const) {
      const before = s.stack.api.requests.length;
      const out = await tempDir('loupe-out-');
      cleanups.push(out.remove);
      const id = await h.engine.createJob({
        paths: [d.photos],
        preset: 'custom',
        customPrompt: 'Describe it.',
        model,
        detail: 'low',
        outputDir: out.path,
      });
      const job = await waitForJob(h.engine, id, isSettled);
      expect(job.status).toBe('stopped');
      expect(job.stopReason?.code).toBe(code);
      const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
      // Only what was already on its way when the first refusal came back (the opening concurrency is 4).
      expect(sent.length).toBeLessThanOrEqual(4);
      expect(new Set(sent.map(imageWidth)).size).toBe(sent.length);
      expect(job.counts).toMatchObject({ failed: 0, pending: 8 });
    }
  });

  it('a 401 refreshes the session once and retries once', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 2);
    s.stack.api.faults.next({ type: 'status', status: 401, body: { detail: 'Could not validate the access token.' } });
    const refreshesBefore = s.stack.auth.tokenCalls('refresh_token');
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    expect((await waitForJob(h.engine, id, isSettled)).counts).toMatchObject({ done: 2, failed: 0 });
    expect(s.stack.auth.tokenCalls('refresh_token')).toBe(refreshesBefore + 1);
  });

  it('a signed-out session stops the job with signed_out; it resumes after sign-in', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 2);
    let signedOut = true;
    const session = {
      accessToken: async () => {
        if (signedOut) throw new LoupeError('signed_out', 'Sign in with ChatGPT first.');
        return s.session.accessToken();
      },
      afterUnauthorized: (token: string) => s.session.afterUnauthorized(token),
    };
    const h = await engineFor(s, d.data, { account: () => ({ apiBase: new URL(s.stack.endpoints.apiBase), kind: 'chatgpt', session }) });
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const job = await waitForJob(h.engine, id, isSettled);
    expect(job.status).toBe('stopped');
    expect(job.stopReason?.code).toBe('signed_out');
    expect(job.counts).toMatchObject({ pending: 2, failed: 0 });
    signedOut = false;
    await h.engine.resume(id);
    expect((await waitForJob(h.engine, id, (j) => j.status === 'done')).counts.done).toBe(2);
  });
});
