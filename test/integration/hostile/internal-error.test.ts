/**
 * Issue #14, item 1: an exception raised by Loupe's own code is never retried
 * as a network error. It fails that photo once as `internal_error`, keeps the
 * paid answer and its usage, is logged by name, and a job where photo after
 * photo hits the same internal error stops instead of paying for the rest.
 *
 * The exception is the one the issue found (checking an answer overflowed the
 * stack), raised on purpose by a wrapped answer checker: Loupe's own checks
 * no longer let a schema or an answer cause it.
 */
import { join } from 'node:path';
import { APIConnectionError } from 'openai';
import sharp from 'sharp';
import { AnalysisError } from '../../../electron/core/analysis/records/analysis-error';
import { CapabilityMemory } from '../../../electron/core/analysis/api/capabilities';
import { resolvePreset } from '../../../electron/core/analysis/records/presets';
import { AnalysisClient } from '../../../electron/core/analysis/api/request';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { classifySdkError } from '../../../electron/core/analysis/api/classify';
import { realClock } from '../../support/real-clock';
import { LoupeError } from '../../../electron/core/kernel/errors';
import {
  type EngineHarness,
  type SignedIn,
  imageWidth,
  isSettled,
  makePhotos,
  openEngine,
  readJson,
  responsesRequests,
  signedInStandIns,
  tempDir,
  waitForJob,
} from '../../support/analysis-fixture';

const trap = vi.hoisted(() => ({ throws: 0 }));

vi.mock('../../../electron/core/analysis/schema/json-answer', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../electron/core/analysis/schema/json-answer')>();
  return {
    ...actual,
    compileValidator: (schema: Record<string, unknown>) => {
      const validate = actual.compileValidator(schema);
      return (value: unknown) => {
        if (trap.throws > 0) {
          trap.throws--;
          throw new RangeError('Maximum call stack size exceeded');
        }
        return validate(value);
      };
    },
  };
});

const MODEL = 'gpt-6.1-sol';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  trap.throws = 0;
  while (cleanups.length) await cleanups.pop()!();
});

async function dirs() {
  const photos = await tempDir('loupe-photos-');
  const out = await tempDir('loupe-out-');
  const data = await tempDir('loupe-data-');
  cleanups.push(photos.remove, out.remove, data.remove);
  return { photos: photos.path, out: out.path, data: data.path };
}

describe('classifying what was thrown', () => {
  it('a programming error is internal, whether or not a stream was open; the network stays retryable', () => {
    for (const inStream of [false, true]) {
      const error = classifySdkError(new RangeError('Maximum call stack size exceeded'), inStream, 'partial', 'req_1', 0);
      expect(error.code).toBe('internal_error');
      expect(error.details).toMatchObject({ disposition: 'internal', cause: 'RangeError', partialText: 'partial' });
      expect(error.options.retryable).toBeFalsy();
      expect(error.message).toMatch(/RangeError/);
      expect(error.message).not.toMatch(/Maximum call stack/);
    }
    expect(classifySdkError(new LoupeError('invalid_state', 'y'), true, '', undefined, 0).details.disposition).toBe('internal');
    // A body that broke off (undici's bare TypeError) or arrived truncated is the network, retried as before.
    expect(classifySdkError(new TypeError('terminated'), true, 'part', undefined, 0)).toMatchObject({
      code: 'stream_interrupted',
      details: { disposition: 'backoff' },
    });
    expect(classifySdkError(new TypeError('terminated'), false, '', undefined, 0)).toMatchObject({
      code: 'network',
      details: { disposition: 'backoff' },
    });
    expect(classifySdkError(new SyntaxError('Unexpected end of JSON input'), false, '', undefined, 0)).toMatchObject({
      code: 'network',
      details: { disposition: 'backoff' },
    });
    expect(classifySdkError(new APIConnectionError({ message: 'down' }), false, '', undefined, 0)).toMatchObject({
      code: 'network',
      details: { disposition: 'backoff' },
    });
  });
});

describe('an internal exception during a photo', () => {
  let s: SignedIn;
  const API_KEY = 'sk-test-hostile-internal-0123456789abcdef';
  beforeAll(async () => {
    s = await signedInStandIns({ latencyMs: 10, apiKeys: [API_KEY] });
  });
  afterAll(async () => {
    await s.close();
  });

  async function engine(dataDir: string, logs: string[]): Promise<EngineHarness> {
    const record = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      void logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    const h = await openEngine(s, dataDir, { log: { info: record('info'), warn: record('warn'), error: record('error') } });
    cleanups.push(() => h.engine.dispose());
    return h;
  }

  it.each([
    ['the Responses API (ChatGPT plan)', false],
    ['Chat Completions (API key)', true],
  ])('one call through %s: the checker’s exception becomes internal_error carrying the answer, usage and request id', async (_name, chat) => {
    const dataDir = await tempDir('loupe-req-');
    const silent = { info() {}, warn() {}, error() {} };
    const capabilities = new CapabilityMemory(dataDir.path, Date.now, silent);
    // The verdict the call learns is saved in the background: the folder goes once it is on disk.
    cleanups.push(async () => {
      await capabilities.saved();
      await dataDir.remove();
    });
    const client = new AnalysisClient({
      apiBase: new URL(s.stack.endpoints.apiBase),
      fetch: globalThis.fetch,
      session: chat ? { accessToken: async () => API_KEY, afterUnauthorized: async () => API_KEY } : s.session,
      capabilities,
      accountKind: chat ? 'apiKey' : 'chatgpt',
      useChatCompletions: chat,
      log: silent,
      clock: realClock,
    });
    const preset = {
      ...resolvePreset({ preset: 'describe' }),
      validate: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    };
    const image = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#345' } })
      .jpeg()
      .toBuffer();
    const before = s.stack.api.requests.length;
    const error = await client.analyse({ model: MODEL, preset, image: { mime: 'image/jpeg', data: image }, detail: 'low' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AnalysisError);
    const failure = error as AnalysisError;
    expect(failure.code).toBe('internal_error');
    expect(failure.details.disposition).toBe('internal');
    expect(failure.details.cause).toBe('RangeError');
    expect(JSON.parse(failure.details.partialText!)).toHaveProperty('description');
    expect(failure.details.usage?.output_tokens).toBeGreaterThan(0);
    expect(failure.details.requestId).toBeTruthy();
    expect(s.stack.api.requests.slice(before).filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('makes exactly one request and fails that photo with an internal error, keeping the paid answer', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 1);
    const logs: string[] = [];
    const h = await engine(d.data, logs);
    const before = s.stack.api.requests.length;
    trap.throws = Number.POSITIVE_INFINITY;
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const job = await waitForJob(h.engine, id, isSettled);

    const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.status).toBe(200);
    expect(job.status).toBe('failed');
    expect(job.counts).toMatchObject({ done: 0, failed: 1, pending: 0 });
    const item = (await h.engine.items(id, 0, 10_000))!.items[0]!;
    expect(item.error?.code).toBe('internal_error');
    expect(item.error?.message).toMatch(/Loupe failed while checking the answer.*RangeError.*kept/);
    expect(item.error?.message).not.toMatch(/reach the OpenAI API|retry/i);

    // The paid answer and its usage are on disk and counted.
    const doc = await readJson<Record<string, any>>(join(d.out, item.outputFile!));
    expect(doc.status).toBe('failed');
    expect(doc.error.code).toBe('internal_error');
    expect(typeof doc.raw_text).toBe('string');
    expect(JSON.parse(doc.raw_text)).toHaveProperty('description');
    expect(doc.usage.output_tokens).toBeGreaterThan(0);
    expect(doc.attempts).toBe(1);
    expect(job.tokens.output).toBeGreaterThan(0);

    // Logged by name, never with the exception's text or the answer.
    const line = logs.find((l) => l.includes('photo failed'));
    expect(line).toMatch(/"code":"internal_error"/);
    expect(line).toMatch(/"cause":"RangeError"/);
    expect(logs.join('\n')).not.toMatch(/Maximum call stack|description/);
  });

  it('a job where photo after photo hits the same internal error stops, resumable, instead of burning requests', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 8, { baseWidth: 320 });
    const h = await engine(d.data, []);
    const before = s.stack.api.requests.length;
    trap.throws = Number.POSITIVE_INFINITY;
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out, concurrencyCap: 1 });
    let job = await waitForJob(h.engine, id, isSettled);

    const sent = () => responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    expect(job.status).toBe('stopped');
    expect(job.stopReason).toMatchObject({ code: 'internal_error' });
    expect(job.stopReason?.message).toMatch(/3 photos in a row failed with the same internal error \(RangeError\)/);
    expect(sent()).toHaveLength(3);
    expect(new Set(sent().map(imageWidth)).size).toBe(3);
    expect(job.counts).toMatchObject({ done: 0, failed: 3, pending: 5 });
    expect(h.notifications.at(-1)).toMatchObject({ title: 'Analysis stopped' });

    // Once the cause is gone, resuming finishes the rest and retrying sends the three failed photos once more.
    trap.throws = 0;
    await h.engine.resume(id);
    job = await waitForJob(h.engine, id, (j) => isSettled(j) && j.status !== 'queued' && j.status !== 'running');
    expect(job.counts).toMatchObject({ done: 5, failed: 3, pending: 0 });
    await h.engine.retryFailed(id);
    job = await waitForJob(h.engine, id, (j) => isSettled(j) && j.counts.done === 8);
    expect(job.status).toBe('done');
    expect(sent()).toHaveLength(11);
  });

  it('occasional internal errors fail only their photos; the job carries on and nothing is sent twice', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 6, { baseWidth: 340 });
    const h = await engine(d.data, []);
    const before = s.stack.api.requests.length;
    trap.throws = 2;
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const job = await waitForJob(h.engine, id, isSettled);
    expect(job.status).toBe('done');
    expect(job.counts).toMatchObject({ done: 4, failed: 2 });
    const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    expect(sent).toHaveLength(6);
    expect(new Set(sent.map(imageWidth)).size).toBe(6);
  });
});
