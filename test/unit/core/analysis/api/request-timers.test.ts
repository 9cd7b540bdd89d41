/**
 * The request's timers run on the injected clock: the whole-call deadline and
 * the grace after the terminal event fire when the manual clock passes them,
 * never on wall-clock time. A fetch stand-in that only ends when its signal
 * aborts shows exactly when that happens.
 */
import { describe, expect, it } from 'vitest';
import { CapabilityMemory } from '../../../../../electron/core/analysis/api/capabilities';
import type { AnalysisCall } from '../../../../../electron/core/analysis/api/analysis-call';
import { AnalysisClient } from '../../../../../electron/core/analysis/api/request';
import { resolvePreset } from '../../../../../electron/core/analysis/records/presets';
import { ManualClock } from '../../../../support/manual-clock';

const silent = { info() {}, warn() {}, error() {} };
const DEADLINE_MS = 60_000;

/** Free text: no schema, so no capability probe and nothing written to disk. */
const call = (): AnalysisCall => ({
  model: 'gpt-6.1-sol',
  preset: { ...resolvePreset({ preset: 'describe' }), schema: null, validate: null },
  image: { mime: 'image/jpeg', data: Buffer.from([0xff, 0xd8, 0xff]) },
  detail: 'low',
});

/** A manual clock that says when a timer of a given length is set. */
class WatchedClock extends ManualClock {
  #waiters: Array<{ ms: number; resolve(): void }> = [];

  override setTimeout(fn: () => void, ms: number) {
    const timer = super.setTimeout(fn, ms);
    for (const w of this.#waiters.filter((x) => x.ms === ms)) w.resolve();
    return timer;
  }

  timerSet(ms: number): Promise<void> {
    return new Promise((resolve) => this.#waiters.push({ ms, resolve }));
  }
}

/** A fetch whose request hangs until its signal aborts; `body` (SSE text) is sent first when given. */
function stalledFetch(body?: string) {
  const seen: { signal?: AbortSignal } = {};
  let called!: () => void;
  const calledOnce = new Promise<void>((resolve) => (called = resolve));
  const fetch = ((_input: unknown, init?: RequestInit) => {
    const signal = init!.signal!;
    seen.signal = signal;
    called();
    const aborted = () => new DOMException('This operation was aborted', 'AbortError');
    if (body === undefined) return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(aborted())));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(body));
        signal.addEventListener('abort', () => controller.error(aborted()));
      },
    });
    return Promise.resolve(new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream', 'x-request-id': 'req_1' } }));
  }) as typeof globalThis.fetch;
  return { fetch, seen, called: calledOnce };
}

function client(clock: ManualClock, fetch: typeof globalThis.fetch, chat = false): AnalysisClient {
  return new AnalysisClient({
    apiBase: new URL('http://127.0.0.1:9/v1'),
    fetch,
    session: { accessToken: async () => 'token', afterUnauthorized: async () => 'token' },
    capabilities: new CapabilityMemory('/nonexistent-loupe-data', () => clock.now(), silent),
    accountKind: chat ? 'apiKey' : 'chatgpt',
    useChatCompletions: chat,
    log: silent,
    clock,
    timeoutMs: DEADLINE_MS,
  });
}

const sse = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

describe('request timers on the injected clock', () => {
  it.each([
    ['the Responses API', false],
    ['Chat Completions', true],
  ])('%s: the deadline fires when the clock reaches it, not before', async (_name, chat) => {
    const clock = new ManualClock(0);
    const stalled = stalledFetch();
    const pending = client(clock, stalled.fetch, chat).analyse(call());
    await stalled.called;
    clock.advance(DEADLINE_MS - 1);
    expect(stalled.seen.signal!.aborted).toBe(false);
    clock.advance(1);
    // At once: a wall-clock timer would still be a minute away.
    expect(stalled.seen.signal!.aborted).toBe(true);
    await expect(pending).rejects.toMatchObject({ code: 'timeout', details: { disposition: 'backoff' } });
    expect(clock.pending()).toBe(0);
  });

  it('a stream left open after response.completed is closed after the grace, on the clock, and the answer kept', async () => {
    const clock = new WatchedClock(0);
    const completed = {
      id: 'resp_1',
      object: 'response',
      model: 'gpt-6.1-sol',
      status: 'completed',
      output: [{ type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'A cat.' }] }],
      usage: { input_tokens: 10, output_tokens: 3 },
    };
    const stalled = stalledFetch(sse('response.output_text.delta', { delta: 'A cat.' }) + sse('response.completed', { response: completed }));
    const graceSet = clock.timerSet(5_000);
    let settled = false;
    const pending = client(clock, stalled.fetch)
      .analyse(call())
      .finally(() => (settled = true));
    await graceSet;
    clock.advance(4_999);
    await Promise.resolve();
    expect(stalled.seen.signal!.aborted).toBe(false);
    expect(settled).toBe(false);
    clock.advance(1);
    expect(stalled.seen.signal!.aborted).toBe(true);
    await expect(pending).resolves.toMatchObject({ text: 'A cat.', usage: { input_tokens: 10, output_tokens: 3 }, requestId: 'req_1' });
    expect(clock.pending()).toBe(0);
  });
});
