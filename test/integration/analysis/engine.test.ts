/**
 * The analysis engine end to end: a real core signed in against the stand-in
 * authorization server supplies bearer tokens, the engine sends real photos
 * (made with sharp) to the stand-in Responses API, and the tests read what
 * landed on disk. Timings are never asserted; waits poll for states.
 */
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../electron/core/analysis/types';
import { LoupeError } from '../../../electron/core/kernel/errors';
import { PLAN_FORBIDDEN } from '../../servers/openai/validate';
import {
  type EngineHarness,
  type SignedIn,
  imageWidth,
  isSettled,
  makePhotos,
  openEngine,
  readJson,
  responsesRequests,
  resultFiles,
  signedInStandIns,
  tempDir,
  waitForJob,
} from '../../support/analysis-fixture';
import { parseCsv } from '../../support/csv';

const MODEL = 'gpt-6.1-sol';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function dirs() {
  const photos = await tempDir('loupe-photos-');
  const out = await tempDir('loupe-out-');
  const data = await tempDir('loupe-data-');
  cleanups.push(photos.remove, out.remove, data.remove);
  return { photos: photos.path, out: out.path, data: data.path };
}

async function engineFor(s: SignedIn, dataDir: string, overrides: Parameters<typeof openEngine>[2] = {}): Promise<EngineHarness> {
  const h = await openEngine(s, dataDir, overrides);
  cleanups.push(() => h.engine.dispose());
  return h;
}

type Body = {
  model: string;
  instructions?: string;
  input: Array<{ role: string; type?: string; content: Array<{ type: string; text?: string; image_url?: string; detail?: string }> }>;
  store: boolean;
  stream: boolean;
  text?: { format?: { type: string; name: string; strict: boolean; schema: Record<string, unknown> } };
};
const bodyOf = (r: { body?: unknown }): Body => r.body as Body;

/** Successful requests per photo (by its unique width). */
function successesByWidth(records: ReturnType<typeof responsesRequests>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const r of records) if (r.status === 200) counts.set(imageWidth(r)!, (counts.get(imageWidth(r)!) ?? 0) + 1);
  return counts;
}

describe('analysis engine — structured outputs available', () => {
  let s: SignedIn;
  beforeAll(async () => {
    s = await signedInStandIns({ latencyMs: 60 });
  });
  afterAll(async () => {
    await s.close();
  });
  afterEach(() => s.stack.api.faults.reset());

  it('analyses every photo: one JSON each, summary.json and a results.csv that round-trips', async () => {
    const d = await dirs();
    const paths = await makePhotos(d.photos, 8);
    await writeFile(join(d.photos, 'notes.txt'), 'not a photo\n');
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'auto', outputDir: d.out });
    const job = await waitForJob(h.engine, id, isSettled);

    expect(job.status).toBe('done');
    expect(job.counts).toMatchObject({ total: 9, done: 8, failed: 0, skipped: 1, pending: 0, inFlight: 0 });
    expect(job.tokens.input).toBeGreaterThan(0);
    expect(h.notifications.at(-1)?.title).toBe('Analysis finished');

    // Every request follows the ChatGPT-plan rules (protocol notes §10.2).
    const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    expect(sent).toHaveLength(8);
    for (const record of sent) {
      const body = bodyOf(record);
      expect(record.status).toBe(200);
      expect(body.store).toBe(false);
      expect(body.stream).toBe(true);
      expect(Array.isArray(body.input)).toBe(true);
      expect(body.input).toHaveLength(1);
      expect(body.input[0]!.role).toBe('user');
      for (const field of PLAN_FORBIDDEN) expect(body).not.toHaveProperty(field);
      expect(Object.keys(body).sort()).toEqual(['input', 'instructions', 'model', 'store', 'stream', 'text']);
      const [text, image] = body.input[0]!.content;
      expect(text!.type).toBe('input_text');
      expect(image!.type).toBe('input_image');
      expect(image!.image_url).toMatch(/^data:image\/jpeg;base64,<\d+ bytes, \d+x\d+>$/);
      expect(image!.detail).toBe('auto');
      expect(body.text?.format).toMatchObject({ type: 'json_schema', name: 'loupe_describe', strict: true });
    }
    expect([...successesByWidth(sent).values()].every((n) => n === 1)).toBe(true);

    const files = await resultFiles(d.out);
    expect(files).toHaveLength(8);
    for (const file of files) {
      expect(file).toMatch(/^photo-\d{3}-[0-9a-f]{8}\.json$/);
      const doc = await readJson<Record<string, any>>(join(d.out, file));
      expect(doc.status).toBe('ok');
      expect(doc.model).toBe(MODEL);
      expect(doc.preset).toBe('describe');
      expect(doc.source.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(file).toContain(doc.source.sha256.slice(0, 8));
      expect(paths).toContain(doc.source.path);
      expect(doc.usage.input_tokens).toBeGreaterThan(0);
      expect(typeof doc.started_at).toBe('string');
      expect(typeof doc.finished_at).toBe('string');
      expect(doc.result).toMatchObject({ description: expect.any(String), tags: expect.any(Array), setting: expect.any(String) });
      expect(doc.parse_error).toBeUndefined();
    }

    const summary = await readJson<Record<string, any>>(join(d.out, 'summary.json'));
    expect(summary.status).toBe('done');
    expect(summary.counts).toMatchObject({ done: 8, skipped: 1 });
    expect(summary.items).toHaveLength(9);

    const rows = parseCsv(await readFile(join(d.out, 'results.csv'), 'utf8'));
    const [header, ...data] = rows;
    expect(header).toEqual(expect.arrayContaining(['file', 'path', 'status', 'sha256', 'output_file', 'input_tokens', 'description', 'tags', 'subjects', 'setting', 'quality_issues']));
    expect(data).toHaveLength(9);
    const col = (name: string) => header!.indexOf(name);
    for (const row of data) {
      expect(row).toHaveLength(header!.length);
      if (row[col('status')] === 'skipped') {
        expect(row[col('file')]).toBe('notes.txt');
        continue;
      }
      const doc = await readJson<Record<string, any>>(join(d.out, row[col('output_file')]!));
      expect(row[col('path')]).toBe(doc.source.path);
      expect(row[col('description')]).toBe(doc.result.description);
      expect(row[col('tags')]).toBe(doc.result.tags.join('; '));
      expect(row[col('input_tokens')]).toBe(String(doc.usage.input_tokens));
    }

    // The UI view: thumbnails and results for each photo.
    const detail = h.engine.job(id)!;
    const photo = detail.items.find((i) => i.status === 'done')!;
    expect(photo.thumbnail).toMatch(/^data:image\/jpeg;base64,/);
    expect(photo.result).toMatchObject({ description: expect.any(String) });
    expect(detail.items.find((i) => i.status === 'skipped')?.error?.message).toMatch(/text file/);
  });

  it('damage preset: answers match the survey schema', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 3);
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'damage', model: MODEL, detail: 'high', outputDir: d.out });
    expect((await waitForJob(h.engine, id, isSettled)).counts.done).toBe(3);
    for (const file of await resultFiles(d.out)) {
      const doc = await readJson<Record<string, any>>(join(d.out, file));
      expect(doc.status).toBe('ok');
      expect(doc.result).toMatchObject({ area: expect.any(String), room_type: expect.any(String), damages: expect.any(Array), confidence: expect.any(Number) });
      for (const damage of doc.result.damages) {
        expect(Number.isInteger(damage.severity) && damage.severity >= 1 && damage.severity <= 5).toBe(true);
        expect(['low', 'medium', 'high', 'immediate']).toContain(damage.urgency);
      }
    }
    const rows = parseCsv(await readFile(join(d.out, 'results.csv'), 'utf8'));
    const damages = rows[0]!.indexOf('damages');
    // Nested lists go into the CSV as JSON.
    for (const row of rows.slice(1)) expect(Array.isArray(JSON.parse(row[damages]!))).toBe(true);
  });

  it('keeps an answer that is not JSON: item done, raw text and parse_error on disk', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 3);
    s.stack.api.faults.next({ type: 'invalid_json_answer' });
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const job = await waitForJob(h.engine, id, isSettled);
    // Unparsed is not done: counted apart (see unparsed.test.ts for the rest of the story).
    expect(job.counts).toMatchObject({ done: 2, unparsed: 1, failed: 0 });
    const docs = await Promise.all((await resultFiles(d.out)).map((f) => readJson<Record<string, any>>(join(d.out, f))));
    const unparsed = docs.filter((doc) => doc.status === 'unparsed');
    expect(unparsed).toHaveLength(1);
    expect(unparsed[0]!.result).toBeNull();
    expect(unparsed[0]!.raw_text).toMatch(/^Sure! Here is the analysis/);
    expect(unparsed[0]!.parse_error).toMatch(/isn’t valid JSON/);
    const item = h.engine.job(id)!.items.find((i) => i.parseError)!;
    expect(item.status).toBe('done');
    expect(item.rawText).toBe(unparsed[0]!.raw_text);
    const rows = parseCsv(await readFile(join(d.out, 'results.csv'), 'utf8'));
    const parseErrors = rows.slice(1).map((r) => r[rows[0]!.indexOf('parse_error')]);
    expect(parseErrors.filter(Boolean)).toHaveLength(1);
  });

  it('an answer that breaks the schema is kept with parse_error', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 2);
    s.stack.api.faults.next({ type: 'schema_mismatch_answer' });
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'damage', model: MODEL, detail: 'low', outputDir: d.out });
    expect((await waitForJob(h.engine, id, isSettled)).counts).toMatchObject({ done: 1, unparsed: 1 });
    const docs = await Promise.all((await resultFiles(d.out)).map((f) => readJson<Record<string, any>>(join(d.out, f))));
    const bad = docs.find((doc) => doc.status === 'unparsed')!;
    expect(bad.parse_error).toMatch(/doesn’t match the schema/);
    expect(JSON.parse(bad.raw_text)).toHaveProperty('unexpected_field', true);
  });

  it('retries 5xx, dropped connections, broken and incomplete streams until every photo is done', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 6);
    const faults = [
      { type: 'server_error', status: 500 },
      { type: 'server_error', status: 503 },
      { type: 'status', status: 502, body: '<html>bad gateway</html>' },
      { type: 'drop_before_response' },
      { type: 'drop_mid_stream', afterDeltas: 3 },
      { type: 'incomplete' },
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

  it('a refused photo fails alone, without retries; retry failed sends it again', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 4);
    s.stack.api.faults.next({ type: 'status', status: 400, body: { error: { message: 'Invalid image.', type: 'invalid_request_error', param: null, code: 'invalid_image' } } });
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    let job = await waitForJob(h.engine, id, isSettled);
    expect(job.status).toBe('done');
    expect(job.counts).toMatchObject({ done: 3, failed: 1 });
    expect(responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before)).toHaveLength(4);
    const failed = h.engine.job(id)!.items.find((i) => i.status === 'failed')!;
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
    await new Promise((r) => setTimeout(r, 300));
    expect(responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before).length).toBe(sentAtStop);
    expect(h.notifications.at(-1)).toMatchObject({ title: 'Analysis stopped' });

    await h.engine.resume(id);
    job = await waitForJob(h.engine, id, (j) => j.status === 'done');
    expect(job.counts).toMatchObject({ done: 5, failed: 0 });
    expect(job.stopReason).toBeUndefined();
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
    await new Promise((r) => setTimeout(r, 300));
    expect(responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before).length).toBe(sentAtStop);
    const summary = await readJson<Record<string, any>>(join(d.out, 'summary.json'));
    expect(summary.status).toBe('stopped');
    expect(summary.stop_reason.code).toBe('usage_limit');
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
      const id = await h.engine.createJob({ paths: [d.photos], preset: 'custom', customPrompt: 'Describe it.', model, detail: 'low', outputDir: out.path });
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

  it('identical photos are analysed once; copies reference the first result', async () => {
    const d = await dirs();
    const [first, second] = await makePhotos(d.photos, 2);
    await mkdir(join(d.photos, 'sub'));
    await copyFile(first!, join(d.photos, 'copy-of-first.jpg'));
    await copyFile(first!, join(d.photos, 'sub', 'photo-001.jpg'));
    await copyFile(second!, join(d.photos, 'sub', 'again.jpg'));
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const job = await waitForJob(h.engine, id, isSettled);
    expect(job.counts).toMatchObject({ total: 5, done: 5, failed: 0 });
    const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    expect(sent).toHaveLength(2);

    const files = await resultFiles(d.out);
    expect(files).toHaveLength(5);
    const docs = await Promise.all(files.map((f) => readJson<Record<string, any>>(join(d.out, f))));
    const originals = docs.filter((doc) => doc.status === 'ok');
    const copies = docs.filter((doc) => doc.status === 'duplicate');
    expect(originals).toHaveLength(2);
    expect(copies).toHaveLength(3);
    for (const copy of copies) {
      const original = originals.find((o) => o.source.sha256 === copy.source.sha256)!;
      expect(copy.duplicate_of.path).toBe(original.source.path);
      expect(copy.result).toEqual(original.result);
      expect(copy.usage).toBeNull();
    }
    const items = h.engine.job(id)!.items;
    expect(items.filter((i) => i.duplicateOf)).toHaveLength(3);
    expect(new Set(items.map((i) => i.outputFile)).size).toBe(5);
  });

  it('jobs queue: one runs at a time, the next starts when it ends', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 3);
    const out2 = await tempDir('loupe-out-');
    cleanups.push(out2.remove);
    const h = await engineFor(s, d.data);
    const first = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const second = await h.engine.createJob({ paths: [d.photos], preset: 'damage', model: MODEL, detail: 'low', outputDir: out2.path });
    expect(h.engine.jobs().map((j) => [j.id, j.status])).toEqual([
      [second, 'queued'],
      [first, 'running'],
    ]);
    await waitForJob(h.engine, second, (j) => j.status === 'done');
    const firstJob = h.engine.jobs().find((j) => j.id === first)!;
    expect(firstJob.status).toBe('done');
    expect(firstJob.finishedAt!).toBeLessThanOrEqual(h.engine.jobs().find((j) => j.id === second)!.startedAt!);
  });

  it('cancel aborts requests in flight and keeps finished results', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 10);
    s.stack.api.setLatency(400);
    cleanups.push(async () => s.stack.api.setLatency(60));
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out, concurrencyCap: 2 });
    await waitForJob(h.engine, id, (j) => j.counts.done >= 2 && j.counts.inFlight > 0);
    await h.engine.cancel(id);
    const job = h.engine.jobs().find((j) => j.id === id)!;
    expect(job.status).toBe('cancelled');
    expect(job.counts.inFlight).toBe(0);
    expect(job.counts.done).toBeGreaterThanOrEqual(2);
    expect(job.counts.done).toBeLessThan(10);
    const sentAtCancel = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before).length;
    await new Promise((r) => setTimeout(r, 600));
    expect(responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before).length).toBe(sentAtCancel);
    expect(await resultFiles(d.out)).toHaveLength(job.counts.done);
    expect((await readJson<Record<string, any>>(join(d.out, 'summary.json'))).status).toBe('cancelled');
    await expect(h.engine.resume(id)).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('pause lets requests in flight finish and sends nothing more until resume', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 8);
    s.stack.api.setLatency(300);
    cleanups.push(async () => s.stack.api.setLatency(60));
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out, concurrencyCap: 2 });
    await waitForJob(h.engine, id, (j) => j.counts.done >= 1 && j.counts.inFlight > 0);
    await h.engine.pause(id);
    const paused = await waitForJob(h.engine, id, (j) => j.status === 'paused' && j.counts.inFlight === 0);
    expect(paused.counts.done).toBeLessThan(8);
    const sentWhilePaused = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before).length;
    await new Promise((r) => setTimeout(r, 700));
    expect(responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before).length).toBe(sentWhilePaused);
    // In-flight answers finished during the pause were recorded.
    expect(await resultFiles(d.out)).toHaveLength(paused.counts.done);

    await h.engine.resume(id);
    const job = await waitForJob(h.engine, id, (j) => j.status === 'done');
    expect(job.counts.done).toBe(8);
    const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    expect([...successesByWidth(sent).values()]).toEqual(Array(8).fill(1));
  });

  it('after a crash between writing a result and saving the job file, the result is adopted, not paid for again', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 4);
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const finished = await waitForJob(h.engine, id, isSettled);
    await h.engine.dispose();

    // Rewind the job file to what a crash could leave: two photos still "in flight", one of
    // whose result file was already written (its tokens not yet counted), the other's not.
    const jobPath = join(d.data, 'jobs', `${id}.json`);
    const record = await readJson<JobRecord>(jobPath);
    const [written, lost] = record.items;
    record.status = 'running';
    delete record.finishedAt;
    for (const item of [written!, lost!]) item.status = 'in_flight';
    record.tokens.input -= written!.usage!.input_tokens + lost!.usage!.input_tokens;
    record.tokens.output -= written!.usage!.output_tokens + lost!.usage!.output_tokens;
    await writeFile(jobPath, JSON.stringify(record));
    await rm(join(d.out, lost!.outputFile!));
    await writeFile(join(d.out, `summary.json.${process.pid}.abc123.tmp`), '{"half":');

    const before = s.stack.api.requests.length;
    const again = await engineFor(s, d.data);
    const job = await waitForJob(again.engine, id, (j) => j.status === 'done');
    const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    expect(sent).toHaveLength(1);
    expect(job.counts).toMatchObject({ done: 4, failed: 0 });
    expect(job.tokens).toEqual(finished.tokens);
    expect(await resultFiles(d.out)).toHaveLength(4);
    expect((await readdir(d.out)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('custom prompt: a lenient schema is normalised for strict mode; a bad one fails before the job starts', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 2);
    const h = await engineFor(s, d.data);
    const base = { paths: [d.photos], preset: 'custom' as const, model: MODEL, detail: 'low' as const, outputDir: d.out, customPrompt: 'Count the circles.' };
    await expect(h.engine.createJob({ ...base, customSchema: '{"type":"array","items":{"type":"string"}}' })).rejects.toMatchObject({
      code: 'invalid_schema',
      options: { field: 'customSchema' },
    });
    await expect(
      h.engine.createJob({ ...base, customSchema: { type: 'object', properties: { tags: { type: 'object', additionalProperties: { type: 'string' } } } } }),
    ).rejects.toMatchObject({ code: 'invalid_schema', message: expect.stringContaining('properties.tags') });
    await expect(h.engine.createJob({ ...base, customPrompt: '  ' })).rejects.toMatchObject({ code: 'invalid_input', options: { field: 'customPrompt' } });
    expect(h.engine.jobs()).toHaveLength(0);

    const before = s.stack.api.requests.length;
    const id = await h.engine.createJob({
      ...base,
      customSchema: JSON.stringify({ type: 'object', properties: { circles: { type: 'integer' }, colour: { type: 'string' } }, required: ['circles'] }),
    });
    expect((await waitForJob(h.engine, id, isSettled)).counts.done).toBe(2);
    const body = bodyOf(responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before)[0]!);
    expect(body.input[0]!.content[0]!.text).toBe('Count the circles.');
    expect(body.text?.format?.schema).toEqual({
      type: 'object',
      properties: { circles: { type: 'integer' }, colour: { type: ['string', 'null'] } },
      required: ['circles', 'colour'],
      additionalProperties: false,
    });
    const rows = parseCsv(await readFile(join(d.out, 'results.csv'), 'utf8'));
    expect(rows[0]).toEqual(expect.arrayContaining(['circles', 'colour']));
  });

  it('custom prompt without a schema: the answer text is the result', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 1);
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'custom', customPrompt: 'What mood does this photo have?', model: MODEL, detail: 'low', outputDir: d.out });
    expect((await waitForJob(h.engine, id, isSettled)).counts.done).toBe(1);
    const body = bodyOf(responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before)[0]!);
    expect(body.text).toBeUndefined();
    const [file] = await resultFiles(d.out);
    const doc = await readJson<Record<string, any>>(join(d.out, file!));
    expect(doc.status).toBe('ok');
    expect(typeof doc.result).toBe('string');
    const rows = parseCsv(await readFile(join(d.out, 'results.csv'), 'utf8'));
    expect(rows[1]![rows[0]!.indexOf('result')]).toBe(doc.result);
  });

  it('refuses an output folder it cannot write and a drop with no photos', async () => {
    const d = await dirs();
    const h = await engineFor(s, d.data);
    await writeFile(join(d.photos, 'a.txt'), 'text');
    await expect(h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out })).rejects.toMatchObject({ code: 'no_images' });
    await expect(h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: 'relative/out' })).rejects.toMatchObject({
      code: 'invalid_input',
      options: { field: 'outputDir' },
    });
  });
});

describe('analysis engine — model without structured outputs', () => {
  let s: SignedIn;
  beforeAll(async () => {
    s = await signedInStandIns({ latencyMs: 40, structuredOutputs: false });
  });
  afterAll(async () => {
    await s.close();
  });

  it('falls back to prompted JSON after one refusal, remembers it per model, and never resends the refused body', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 6);
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'damage', model: MODEL, detail: 'low', outputDir: d.out });
    const job = await waitForJob(h.engine, id, isSettled);
    expect(job.counts).toMatchObject({ done: 6, failed: 0 });

    const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    const refused = sent.filter((r) => r.status === 400);
    expect(refused).toHaveLength(1);
    expect(bodyOf(refused[0]!).text?.format?.type).toBe('json_schema');
    // Only the very first request asked for json_schema.
    expect(sent.slice(1).every((r) => bodyOf(r).text === undefined)).toBe(true);
    expect(sent.slice(1).every((r) => r.status === 200)).toBe(true);
    expect(sent).toHaveLength(7);
    // No body went out twice.
    const bodies = sent.map((r) => JSON.stringify(r.body));
    expect(new Set(bodies).size).toBe(bodies.length);
    // The fallback asks for JSON in the instructions, with the schema in a fence, and checks answers locally.
    expect(bodyOf(sent[1]!).instructions).toMatch(/```json\n\{/);
    for (const file of await resultFiles(d.out)) {
      const doc = await readJson<Record<string, any>>(join(d.out, file));
      expect(doc.status).toBe('ok');
      expect(doc.structured_output).toBe(false);
      expect(doc.result).toHaveProperty('damages');
    }

    // Remembered across restarts: a new engine on the same data folder never asks again.
    await h.engine.dispose();
    const out2 = await tempDir('loupe-out-');
    cleanups.push(out2.remove);
    const again = await engineFor(s, d.data);
    const mark = s.stack.api.requests.length;
    const id2 = await again.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: out2.path });
    expect((await waitForJob(again.engine, id2, isSettled)).counts.done).toBe(6);
    const later = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= mark);
    expect(later).toHaveLength(6);
    expect(later.every((r) => bodyOf(r).text === undefined && r.status === 200)).toBe(true);
  });
});

describe('analysis engine — tight rate limit', () => {
  let s: SignedIn;
  beforeAll(async () => {
    s = await signedInStandIns({ latencyMs: 50, rateLimit: { requestsPerMinute: 120, burst: 2 } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('20 photos at 120 requests/min (burst 2), sharing the account with another client: 429s are met and none fails', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 20);
    // Another app on the same account spends part of the budget behind the engine's back,
    // so its pacing estimate is wrong and it has to recover from real 429s.
    const token = await s.session.accessToken();
    const competitor = (async () => {
      for (let i = 0; i < 4; i++) {
        const response = await fetch(`${s.stack.endpoints.apiBase}/responses`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: MODEL, input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }], store: false, stream: true }),
        });
        await response.arrayBuffer();
        await new Promise((r) => setTimeout(r, 1500));
      }
    })();
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const job = await waitForJob(h.engine, id, isSettled, 50_000);
    await competitor;
    expect(job.counts).toMatchObject({ done: 20, failed: 0 });
    const engineRequests = responsesRequests(s.stack).filter((r) => r.images?.length);
    expect(engineRequests.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect([...successesByWidth(engineRequests).values()]).toEqual(Array(20).fill(1));
    expect(await resultFiles(d.out)).toHaveLength(20);
  }, 60_000);
});
