/** POST /v1/responses (inference.ts): the plan token's event stream, latency, API-key answers, Structured Outputs switched off. */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { startOpenAIStandIn, type OpenAIStandIn } from './openai-api.ts';
import { PHOTO_SCHEMA } from './photo-schema.ts';
import { ManualClock } from '../../support/manual-clock';
import {
  API_KEY,
  api,
  errorOf,
  jpeg,
  jpegUrl,
  keyed,
  parseSse,
  plan,
  planBody,
  planParams,
  post,
  streamParams,
  useStandIn,
  verifyToken,
} from './api-test-support.ts';

useStandIn();

describe('POST /v1/responses streaming (plan token)', () => {
  it('streams the documented event sequence that the SDK parses, ending in response.completed with usage', async () => {
    const stream = await plan().responses.create(
      planParams({
        instructions: 'Describe the photo as JSON.',
        text: { format: { type: 'json_schema', name: 'photo', schema: PHOTO_SCHEMA, strict: true } },
      }),
    );
    const events: Array<{ type: string; sequence_number: number }> = [];
    let deltas = '';
    let completed: OpenAI.Responses.Response | null = null;
    for await (const ev of stream) {
      events.push(ev);
      if (ev.type === 'response.output_text.delta') deltas += ev.delta;
      if (ev.type === 'response.completed') completed = ev.response;
    }
    const types = events.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    expect(types.filter((t) => t === 'response.output_text.delta').length).toBeGreaterThan(3);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));

    expect(completed).not.toBeNull();
    const done = completed!;
    expect(done.status).toBe('completed');
    expect((done as unknown as { store: boolean }).store).toBe(false);
    const item = done.output[0] as OpenAI.Responses.ResponseOutputMessage;
    expect(item.content[0]).toMatchObject({ type: 'output_text', text: deltas, annotations: [] });
    expect(done.usage!.input_tokens).toBeGreaterThan(85 + 170); // one image is at least a couple of tiles
    expect(done.usage!.output_tokens).toBeGreaterThan(0);
    expect(done.usage!.total_tokens).toBe(done.usage!.input_tokens + done.usage!.output_tokens);

    const answer = JSON.parse(deltas) as Record<string, unknown>;
    expect(z.fromJSONSchema(PHOTO_SCHEMA as never).safeParse(answer).success).toBe(true);
    expect(answer.description).toContain('1200x800');

    const rec = api.requests.at(-1)!;
    expect(rec).toMatchObject({ method: 'POST', path: '/v1/responses', status: 200, auth: 'oauth' });
    expect(rec.images).toEqual([{ mime: 'image/jpeg', bytes: jpeg.length, width: 1200, height: 800 }]);
    const sentImage = (rec.body as { input: Array<{ content: Array<{ image_url?: string }> }> }).input[0]!.content[1]!.image_url;
    expect(sentImage).toBe(`data:image/jpeg;base64,<${jpeg.length} bytes, 1200x800>`);
  });

  it('works with client.responses.stream() and zod-free finalResponse()', async () => {
    const before = api.stats();
    const runner = plan().responses.stream({
      model: 'gpt-6.1-sol',
      instructions: 'Reply in plain words.',
      input: [{ role: 'user', content: [{ type: 'input_image', image_url: jpegUrl, detail: 'low' }] }],
      store: false,
    });
    let text = '';
    runner.on('response.output_text.delta', (e) => (text += e.delta));
    const final = await runner.finalResponse();
    expect(final.status).toBe('completed');
    expect(final.output_text).toBe(text);
    expect(final.output_text).toMatch(/1200x800 JPEG/);
    expect(final.usage!.input_tokens).toBeLessThan(200); // detail: low bills 85 for the image
    const after = api.stats();
    expect(after.responses - before.responses).toBe(1);
    expect(after.completed - before.completed).toBe(1);
    expect(after.imagesReceived - before.imagesReceived).toBe(1);
    expect(after.imageBytesReceived - before.imageBytesReceived).toBe(jpeg.length);
  });

  it('answers prompted JSON with the schema found in a ```json fence of the instructions', async () => {
    const schema = {
      type: 'object',
      properties: { caption: { type: 'string' }, keywords: { type: 'array', items: { type: 'string' }, minItems: 2 } },
      required: ['caption', 'keywords'],
    };
    const instructions = `Return JSON matching this schema:\n\`\`\`json\n${JSON.stringify(schema, null, 2)}\n\`\`\``;
    const final = await plan().responses.stream(streamParams({ instructions })).finalResponse();
    const value = JSON.parse(final.output_text) as Record<string, unknown>;
    expect(z.fromJSONSchema(schema as never).safeParse(value).success).toBe(true);
    expect(value.caption).toContain('1200x800');
  });

  it('falls back to a generic JSON object when JSON is asked for without a schema', async () => {
    const final = await plan()
      .responses.stream(streamParams({ instructions: 'Reply with JSON only.' }))
      .finalResponse();
    expect(JSON.parse(final.output_text)).toEqual({ description: expect.stringContaining('1200x800'), tags: expect.any(Array) });
  });

  it('spreads latency over the deltas with timers', async () => {
    // Its own stand-in on a manual clock: the test moves time, so nothing depends on this machine's speed.
    const clock = new ManualClock(0);
    const timed = await startOpenAIStandIn({ verifyToken, latencyMs: 300, clock });
    try {
      const res = await fetch(`${timed.url}/responses`, {
        method: 'POST',
        headers: { authorization: 'Bearer oauth-good', 'content-type': 'application/json' },
        body: JSON.stringify(planBody()),
      });
      // The headers come before any of the latency has passed.
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const dec = new TextDecoder();
      let text = '';
      let ended = false;
      const pump = (async () => {
        for (let r = await reader.read(); !r.done; r = await reader.read()) text += dec.decode(r.value, { stream: true });
        ended = true;
      })();
      // Step the clock; after each step, give the bytes due so far a moment to cross the socket.
      const step = async (ms: number) => {
        clock.advance(ms);
        await new Promise((done) => setTimeout(done, 5));
      };
      let firstDeltaAt = -1;
      for (let t = 10; t <= 280; t += 10) {
        await step(10);
        if (firstDeltaAt < 0 && text.includes('response.output_text.delta')) firstDeltaAt = t;
      }
      expect(firstDeltaAt).toBeGreaterThan(0);
      expect(firstDeltaAt).toBeLessThan(200);
      expect(text).not.toContain('response.completed');
      expect(ended).toBe(false);
      await step(20);
      await pump;
      expect(parseSse(text).at(-1)!.event).toBe('response.completed');
    } finally {
      await timed.close();
    }
  });

  it('tracks requests in flight', async () => {
    api.setLatency(150);
    await Promise.all(Array.from({ length: 4 }, () => post('/responses', planBody()).then((r) => r.text())));
    expect(api.stats().maxInFlight).toBeGreaterThanOrEqual(4);
    expect(api.stats().inFlight).toBe(0);
  });
});

describe('API-key requests', () => {
  it('return the whole Response object when not streaming, and allow sampling parameters', async () => {
    const r = await keyed().responses.create({
      model: 'gpt-6.1-sol',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Say something.' }] }],
      temperature: 0.3,
    });
    expect(r.object).toBe('response');
    expect(r.status).toBe('completed');
    expect(r.output_text.length).toBeGreaterThan(0);
    expect(r.usage!.input_tokens).toBeGreaterThan(0);
    expect(api.requests.at(-1)).toMatchObject({ auth: 'apiKey', status: 200 });
  });

  it('stream too, with a string input', async () => {
    const stream = await keyed().responses.create({ model: 'gpt-6.1-sol-mini', input: 'hello', stream: true });
    let last = '';
    for await (const ev of stream) last = ev.type;
    expect(last).toBe('response.completed');
  });

  it('rejects an unknown model with model_not_found', async () => {
    const e = await errorOf(keyed().responses.create({ model: 'gpt-missing', input: 'hi' }));
    expect(e.status).toBe(400);
    expect(e.code).toBe('model_not_found');
  });
});

describe('structured outputs switched off', () => {
  let noSo: OpenAIStandIn;
  beforeAll(async () => {
    noSo = await startOpenAIStandIn({ verifyToken, apiKeys: [API_KEY], structuredOutputs: false });
  });
  afterAll(() => noSo.close());

  it('plan tokens get subscription_sharing_unsupported_capability on text.format; keys get the API 400', async () => {
    const format = { type: 'json_schema', name: 'photo', schema: PHOTO_SCHEMA, strict: true };
    const p = await errorOf(
      new OpenAI({ apiKey: 'oauth-good', baseURL: noSo.url, maxRetries: 0 }).responses.create(planParams({ text: { format } })),
    );
    expect([p.status, p.code, p.param]).toEqual([400, 'subscription_sharing_unsupported_capability', 'text.format']);
    const k = await errorOf(
      new OpenAI({ apiKey: API_KEY, baseURL: noSo.url, maxRetries: 0 }).responses.create({
        model: 'gpt-6.1-sol',
        input: 'x',
        text: { format } as never,
      }),
    );
    expect([k.status, k.type, k.param]).toEqual([400, 'invalid_request_error', 'text.format']);
    expect(k.message).toContain("of type 'json_schema' is not supported");
  });
});
