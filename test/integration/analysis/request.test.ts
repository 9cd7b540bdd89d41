/**
 * One analysis call (`AnalysisClient.analyse`) against the stand-in Responses
 * API: the stream edge cases of protocol notes §10.3 and the per-model
 * structured-output probe.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CapabilityMemory } from '../../../electron/core/analysis/api/capabilities';
import { resolvePreset } from '../../../electron/core/analysis/records/presets';
import type { AnalysisCall } from '../../../electron/core/analysis/api/analysis-call';
import { AnalysisClient } from '../../../electron/core/analysis/api/request';
import type { Clock } from '../../../electron/core/kernel/deps';
import { type SignedIn, responsesRequests, signedInStandIns } from '../../support/analysis-fixture';
import { ManualClock } from '../../support/manual-clock';
import { realClock } from '../../support/real-clock';

const silent = { info() {}, warn() {}, error() {} };
let image: Buffer;
const dirs: string[] = [];

beforeAll(async () => {
  image = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#7a5' } })
    .jpeg()
    .toBuffer();
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function client(s: SignedIn, options: { timeoutMs?: number; clock?: Clock } = {}): Promise<AnalysisClient> {
  const dataDir = await mkdtemp(join(tmpdir(), 'loupe-req-'));
  dirs.push(dataDir);
  return new AnalysisClient({
    apiBase: new URL(s.stack.endpoints.apiBase),
    fetch: globalThis.fetch,
    session: s.session,
    capabilities: new CapabilityMemory(dataDir, Date.now, silent),
    accountKind: 'chatgpt',
    log: silent,
    clock: realClock,
    ...options,
  });
}

const call = (extra: Partial<AnalysisCall> = {}): AnalysisCall => ({
  model: 'gpt-6.1-sol',
  preset: resolvePreset({ preset: 'describe' }),
  image: { mime: 'image/jpeg', data: image },
  detail: 'low',
  ...extra,
});

describe('one analysis request', () => {
  let s: SignedIn;
  beforeAll(async () => {
    s = await signedInStandIns({ latencyMs: 30 });
  });
  afterAll(async () => {
    await s.close();
  });
  afterEach(() => s.stack.api.faults.reset());

  it('returns parsed JSON, usage, request id and reports admission with the pacing headers', async () => {
    const c = await client(s);
    const admitted: unknown[] = [];
    const result = await c.analyse(call({ onAdmitted: (rate) => admitted.push(rate) }));
    expect(result.structured).toBe(true);
    expect(result.parsed).toMatchObject({ description: expect.any(String) });
    expect(result.parseError).toBeUndefined();
    expect(result.usage.input_tokens).toBeGreaterThan(0);
    expect(result.requestId).toMatch(/^req_/);
    expect(admitted).toHaveLength(1);
  });

  it('builds the text from deltas when response.completed carries an empty output', async () => {
    const c = await client(s);
    s.stack.api.faults.next({ type: 'empty_completed_output' });
    const result = await c.analyse(call());
    expect(result.parsed).toMatchObject({ description: expect.any(String) });
  });

  it('accepts a stream without Content-Type, refuses a 200 that is JSON instead of a stream', async () => {
    const c = await client(s);
    s.stack.api.faults.next({ type: 'no_content_type' });
    expect((await c.analyse(call())).parsed).toBeDefined();
    s.stack.api.faults.next({ type: 'json_content_type' });
    await expect(c.analyse(call())).rejects.toMatchObject({ code: 'invalid_stream', details: { disposition: 'fail_item' } });
  });

  it.each(['max_output_tokens', 'content_filter'])(
    'an answer cut off by %s fails the photo (a retry would be cut off again), keeping the paid partial answer, usage and request id',
    async (reason) => {
      const c = await client(s);
      s.stack.api.faults.next({ type: 'incomplete', reason });
      const error = await c.analyse(call()).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'response_incomplete', details: { disposition: 'fail_item', apiCode: reason } });
      const details = (error as { details: { partialText: string; usage?: { output_tokens: number }; requestId?: string } }).details;
      expect(details.partialText.length).toBeGreaterThan(0);
      expect(details.usage!.output_tokens).toBeGreaterThan(0);
      expect(details.requestId).toMatch(/^req_/);
    },
  );

  it('an incomplete response for a reason nobody documented stays retryable, its partial text kept', async () => {
    const c = await client(s);
    s.stack.api.faults.next({ type: 'incomplete', reason: 'interrupted' });
    const error = await c.analyse(call()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'response_incomplete', details: { disposition: 'backoff' } });
    expect((error as { details: { partialText: string; usage?: unknown } }).details.partialText.length).toBeGreaterThan(0);
    expect((error as { details: { usage?: unknown } }).details.usage).toBeUndefined();
  });

  it('a dropped stream is stream_interrupted with the partial text kept', async () => {
    const c = await client(s);
    s.stack.api.faults.next({ type: 'drop_mid_stream', afterDeltas: 2 });
    const error = await c.analyse(call()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'stream_interrupted', details: { disposition: 'backoff' } });
    expect((error as { details: { partialText: string } }).details.partialText.length).toBeGreaterThan(0);
  });

  it('aborting mid-stream is a cancellation; the deadline is a retryable timeout', async () => {
    s.stack.api.setLatency(1500);
    try {
      // The stream is open (admitted) and its answer is still 1.5 s away when each of these happens.
      const c = await client(s);
      const controller = new AbortController();
      const pending = c.analyse(call({ signal: controller.signal, onAdmitted: () => controller.abort() }));
      await expect(pending).rejects.toMatchObject({ code: 'cancelled', details: { disposition: 'aborted' } });
      const clock = new ManualClock();
      const slow = await client(s, { timeoutMs: 200, clock });
      await expect(slow.analyse(call({ onAdmitted: () => clock.advance(200) }))).rejects.toMatchObject({
        code: 'timeout',
        details: { disposition: 'backoff' },
      });
    } finally {
      s.stack.api.setLatency(30);
    }
  });
});

describe('structured-output probe', () => {
  let s: SignedIn;
  beforeAll(async () => {
    s = await signedInStandIns({ latencyMs: 30, structuredOutputs: false });
  });
  afterAll(async () => {
    await s.close();
  });

  it('five concurrent first calls cost one refused request, not five', async () => {
    const c = await client(s);
    const before = s.stack.api.requests.length;
    const results = await Promise.all(Array.from({ length: 5 }, () => c.analyse(call())));
    expect(results.every((r) => !r.structured && r.parseError === undefined)).toBe(true);
    const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    expect(sent.filter((r) => r.status === 400)).toHaveLength(1);
    expect(sent).toHaveLength(6);
  });
});
