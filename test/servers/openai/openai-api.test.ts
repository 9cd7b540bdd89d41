import OpenAI from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { startOpenAIStandIn, type OpenAIStandIn, type TokenCheck } from './openai-api.ts';
import { goDuration } from './ratelimit.ts';
import { PHOTO_SCHEMA } from './photo-schema.ts';
import { ManualClock } from '../../support/manual-clock';

const API_KEY = 'sk-test-4f9a2c81b7d34e60a1c2';
const PLAN_SCOPES = ['openid', 'profile', 'email', 'offline_access', 'resource.invoke', 'chatgpt.tokens.use.direct'];

const verifyToken: TokenCheck = async (bearer) => {
  if (bearer === 'oauth-good') return { kind: 'oauth', sub: 'user-1', clientId: 'oaiapp_test1', scopes: PLAN_SCOPES };
  if (bearer === 'oauth-good-2') return { kind: 'oauth', sub: 'user-2', clientId: 'oaiapp_test1', scopes: PLAN_SCOPES };
  if (bearer === 'oauth-noscope') return { kind: 'oauth', sub: 'user-3', clientId: 'oaiapp_test1', scopes: PLAN_SCOPES.slice(0, 4) };
  return null; // 'oauth-revoked' and anything else
};

let api: OpenAIStandIn;
let jpeg: Buffer;
let jpegUrl: string;

const plan = (token = 'oauth-good') => new OpenAI({ apiKey: token, baseURL: api.url, maxRetries: 0 });
const keyed = () => new OpenAI({ apiKey: API_KEY, baseURL: api.url, maxRetries: 0 });

function planBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'gpt-6.1-sol',
    instructions: 'Describe the photo.',
    input: [
      {
        role: 'user',
        content: [
          { type: 'input_text', text: 'Analyse this photo.' },
          { type: 'input_image', image_url: jpegUrl, detail: 'auto' },
        ],
      },
    ],
    store: false,
    stream: true,
    ...extra,
  };
}

type StreamingParams = OpenAI.Responses.ResponseCreateParamsStreaming;
type StreamHelperParams = Parameters<OpenAI['responses']['stream']>[0];
/** planBody() typed for the SDK (the extras are deliberately not always valid). */
const planParams = (extra: Record<string, unknown> = {}): StreamingParams => planBody(extra) as unknown as StreamingParams;
const streamParams = (extra: Record<string, unknown> = {}): StreamHelperParams => {
  const { stream: _stream, ...rest } = planBody(extra);
  return rest;
};

async function post(path: string, body: unknown, token = 'oauth-good'): Promise<Response> {
  return fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

interface SseEvent {
  event: string | null;
  data: Record<string, unknown>;
}
function parseSse(text: string): SseEvent[] {
  return text
    .split(/\n\n/)
    .filter((b) => b.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? null;
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event, data: data === '[DONE]' ? { done: true } : (JSON.parse(data) as Record<string, unknown>) };
    });
}

async function errorOf(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OpenAI.APIError) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}

beforeAll(async () => {
  jpeg = await sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 40, g: 90, b: 160 } } })
    .jpeg({ quality: 80 })
    .toBuffer();
  jpegUrl = `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  api = await startOpenAIStandIn({ verifyToken, apiKeys: [API_KEY] });
});
afterAll(() => api.close());
beforeEach(() => {
  api.faults.reset();
  api.setLatency(0);
});

describe('GET /v1/models', () => {
  it('gives OAuth tokens the SIWC catalog, hidden entries and odd fields included, in server order', async () => {
    const res = await fetch(`${api.url}/models?client_version=1.0.0`, { headers: { authorization: 'Bearer oauth-good' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    const body = (await res.json()) as { models: Array<Record<string, unknown>> };
    expect(body).not.toHaveProperty('data');
    expect(body.models.map((m) => m.slug)).toEqual(['gpt-6.1-sol', 'gpt-6.1-sol-mini', 'gpt-6-text', 'codex-internal-preview']);
    expect(body.models[0]).toMatchObject({ display_name: 'GPT-6.1 Sol', visibility: 'list', input_modalities: ['text', 'image'] });
    expect(body.models[0]).toHaveProperty('supported_reasoning_levels');
    expect(body.models.find((m) => m.visibility === 'hide')).toBeDefined();
    expect(body.models.find((m) => !(m.input_modalities as string[]).includes('image'))).toBeDefined();
  });

  it('gives API keys the platform list shape', async () => {
    const page = await keyed().models.list();
    expect(page.data[0]).toEqual({ id: 'gpt-6.1-sol', object: 'model', created: expect.any(Number), owned_by: 'system' });
    const raw = (await (await fetch(`${api.url}/models`, { headers: { authorization: `Bearer ${API_KEY}` } })).json()) as Record<string, unknown>;
    expect(raw.object).toBe('list');
  });
});

describe('authentication and routes', () => {
  it('rejects a missing bearer with the API error body', async () => {
    const res = await fetch(`${api.url}/models`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: null, code: null });
    expect(body.error.message).toMatch(/^You didn't provide an API key/);
    expect(api.requests.at(-1)).toMatchObject({ auth: 'none', status: 401 });
  });

  it('rejects an unknown API key with invalid_api_key and a masked key', async () => {
    const e = await errorOf(new OpenAI({ apiKey: 'sk-test-wrongwrongwrong1234', baseURL: api.url, maxRetries: 0 }).models.list());
    expect(e.status).toBe(401);
    expect(e.code).toBe('invalid_api_key');
    expect(e.message).toContain('sk-test-');
    expect(e.message).toContain('1234');
    expect(e.message).not.toContain('wrongwrongwrong');
  });

  it('rejects a revoked OAuth token with {"detail": ...}', async () => {
    const res = await post('/responses', planBody(), 'oauth-revoked');
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['detail']);
    expect(api.requests.at(-1)).toMatchObject({ auth: 'invalid', status: 401 });
  });

  it('refuses OAuth tokens without chatgpt.tokens.use.direct', async () => {
    const res = await post('/responses', planBody(), 'oauth-noscope');
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('chatpass_v2_scope_not_authorized');
  });

  it('allows only /responses and /models for plan tokens', async () => {
    const res = await post('/chat/completions', { model: 'gpt-6.1-sol', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('subscription_sharing_route_not_supported');
    const key = await post('/files', {}, API_KEY);
    expect(key.status).toBe(404);
    expect(((await key.json()) as { error: { message: string } }).error.message).toBe('Invalid URL (POST /v1/files)');
  });

  it('answers CORS preflights for the browser harness', async () => {
    const res = await fetch(`${api.url}/responses`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
  });
});

describe('POST /v1/responses streaming (plan token)', () => {
  it('streams the documented event sequence that the SDK parses, ending in response.completed with usage', async () => {
    const stream = await plan().responses.create({
      model: 'gpt-6.1-sol',
      instructions: 'Describe the photo as JSON.',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Analyse this photo.' },
            { type: 'input_image', image_url: jpegUrl, detail: 'auto' },
          ],
        },
      ],
      store: false,
      stream: true,
      text: { format: { type: 'json_schema', name: 'photo', schema: PHOTO_SCHEMA, strict: true } },
    });
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

describe('plan request validation', () => {
  const cases: Array<[string, Record<string, unknown>, number, string, string | null]> = [
    ['temperature', { temperature: 0.2 }, 400, 'subscription_sharing_unsupported_capability', 'temperature'],
    ['max_output_tokens', { max_output_tokens: 500 }, 400, 'subscription_sharing_unsupported_capability', 'max_output_tokens'],
    ['previous_response_id', { previous_response_id: 'resp_1' }, 400, 'subscription_sharing_unsupported_capability', 'previous_response_id'],
    ['top_p', { top_p: 0.5 }, 400, 'subscription_sharing_unsupported_capability', 'top_p'],
    ['metadata', { metadata: { a: '1' } }, 400, 'subscription_sharing_unsupported_capability', 'metadata'],
    ['user', { user: 'u' }, 400, 'subscription_sharing_unsupported_capability', 'user'],
    ['service_tier', { service_tier: 'priority' }, 400, 'subscription_sharing_unsupported_capability', 'service_tier'],
    ['store: true', { store: true }, 400, 'subscription_sharing_unsupported_capability', 'store'],
    ['store omitted', { store: undefined }, 400, 'subscription_sharing_unsupported_capability', 'store'],
    ['stream: false', { stream: false }, 400, 'subscription_sharing_unsupported_capability', 'stream'],
    ['input as a string', { input: 'hello' }, 400, 'invalid_type', 'input'],
    ['a system message', { input: [{ role: 'system', content: 'be brief' }] }, 400, 'subscription_sharing_unsupported_capability', 'input[0].role'],
    ['an unknown model', { model: 'gpt-nope' }, 400, 'model_not_found', 'model'],
    ['an unknown parameter', { frobnicate: true }, 400, 'unknown_parameter', 'frobnicate'],
    ['a hosted tool', { tools: [{ type: 'image_generation' }] }, 400, 'subscription_sharing_unsupported_capability', 'tools[0]'],
    ['an image for a text-only model', { model: 'gpt-6-text' }, 400, 'subscription_sharing_unsupported_capability', 'input[0].content[1]'],
  ];
  it.each(cases)('rejects %s', async (_name, extra, status, code, param) => {
    const res = await post('/responses', planBody(extra));
    expect(res.status).toBe(status);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    const body = (await res.json()) as { error: { code: string; param: string | null; type: string; message: string } };
    expect(body.error).toMatchObject({ code, param, type: 'invalid_request_error' });
    expect(body.error.message.length).toBeGreaterThan(10);
  });

  it('passes SDK errors through with code and param', async () => {
    const e = await errorOf(plan().responses.create({ ...planParams(), temperature: 0.5 }));
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.code).toBe('subscription_sharing_unsupported_capability');
    expect(e.param).toBe('temperature');
    expect(e.requestID).toMatch(/^req_/);
  });

  it('rejects malformed and undecodable images like the API', async () => {
    const badB64 = planBody({ input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'data:image/jpeg;base64,@@@not-base64@@@' }] }] });
    let res = await post('/responses', badB64);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({ code: 'invalid_value', param: 'input[0].content[0].image_url' });

    const garbage = `data:image/png;base64,${Buffer.from('this is not an image at all').toString('base64')}`;
    res = await post('/responses', planBody({ input: [{ role: 'user', content: [{ type: 'input_image', image_url: garbage }] }] }));
    expect(res.status).toBe(400);
    const err = ((await res.json()) as { error: { code: string; message: string } }).error;
    expect(err.code).toBe('invalid_image_format');
    expect(err.message).toMatch(/^You uploaded an unsupported image/);
    expect(api.requests.at(-1)!.images).toEqual([{ mime: 'image/png', bytes: 27, width: 0, height: 0 }]);
  });

  it('rejects bodies that are not JSON', async () => {
    const res = await post('/responses', '{"model": "gpt-6.1-sol",');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^We could not parse the JSON body/);
  });

  it('checks strict schemas as Structured Outputs does', async () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
    const res = await post('/responses', planBody({ text: { format: { type: 'json_schema', name: 'x', schema, strict: true } } }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({ code: 'invalid_json_schema', param: 'text.format.schema' });
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

describe('faults', () => {
  const collect = async (token = 'oauth-good', body = planBody()) => {
    const res = await post('/responses', body, token);
    return { res, events: parseSse(await res.text()) };
  };

  it('status: any pre-stream answer, e.g. 401 {"detail"}, 503 {"detail"}', async () => {
    api.faults.next({ type: 'status', status: 401, body: { detail: 'Unauthorized' } });
    api.faults.next({ type: 'status', status: 503, body: { detail: 'Direct routing unavailable' }, headers: { 'retry-after': '2' } });
    const e = await errorOf(plan().responses.create(planParams()));
    expect(e).toBeInstanceOf(OpenAI.AuthenticationError); // the SDK drops non-`error` bodies from its message
    const res = await post('/responses', planBody());
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toEqual({ detail: 'Direct routing unavailable' });
    expect((await post('/responses', planBody())).status).toBe(200);
  });

  it('insufficient_quota and usage_limit are 429s with their codes', async () => {
    api.faults.next({ type: 'insufficient_quota' });
    api.faults.next({ type: 'usage_limit' });
    let e = await errorOf(plan().responses.create(planParams()));
    expect([e.status, e.code, e.type]).toEqual([429, 'insufficient_quota', 'insufficient_quota']);
    e = await errorOf(plan().responses.create(planParams()));
    expect([e.status, e.code]).toEqual([429, 'subscription_sharing_usage_limit_exceeded']);
    expect(api.requests.at(-1)!.fault).toBe('usage_limit');
  });

  it('failed_mid_stream: HTTP 200, some deltas, then response.failed with the code', async () => {
    api.faults.next({ type: 'failed_mid_stream', code: 'subscription_sharing_usage_limit_exceeded', afterDeltas: 3 });
    const { res, events } = await collect();
    expect(res.status).toBe(200);
    expect(events.filter((e) => e.event === 'response.output_text.delta')).toHaveLength(3);
    const last = events.at(-1)!;
    expect(last.event).toBe('response.failed');
    expect(last.data.response).toMatchObject({ status: 'failed', error: { code: 'subscription_sharing_usage_limit_exceeded' } });
    expect(events.some((e) => e.event === 'response.completed')).toBe(false);
  });

  it('failed_mid_stream with an error event, which the SDK surfaces as an APIError', async () => {
    api.faults.next({ type: 'failed_mid_stream', code: 'server_is_overloaded', errorEvent: true, afterDeltas: 1 });
    const stream = await plan().responses.create(planParams());
    const seen: string[] = [];
    const e = await errorOf(
      (async () => {
        for await (const ev of stream) seen.push(ev.type);
      })(),
    );
    expect(seen).toContain('response.output_text.delta');
    expect(e.message).toContain('overloaded');
  });

  it('incomplete: response.incomplete with partial text', async () => {
    api.faults.next({ type: 'incomplete' });
    const { events } = await collect();
    const last = events.at(-1)!;
    expect(last.event).toBe('response.incomplete');
    expect(last.data.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
  });

  it('drop_mid_stream: the socket closes with no terminal event', async () => {
    api.faults.next({ type: 'drop_mid_stream', afterDeltas: 2 });
    const stream = await plan().responses.create(planParams());
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const ev of stream) seen.push(ev.type);
      })(),
    ).rejects.toThrow();
    expect(seen.filter((t) => t === 'response.output_text.delta')).toHaveLength(2);
    expect(seen).not.toContain('response.completed');
    expect(api.requests.at(-1)).toMatchObject({ status: 200, fault: 'drop_mid_stream' });
  });

  it('drop_before_response: the connection dies before any headers', async () => {
    api.faults.next({ type: 'drop_before_response' });
    await expect(post('/responses', planBody())).rejects.toThrow();
    expect(api.requests.at(-1)).toMatchObject({ status: 0, fault: 'drop_before_response' });
  });

  it('invalid_json_answer and schema_mismatch_answer complete normally with bad content', async () => {
    const format = { type: 'json_schema', name: 'photo', schema: PHOTO_SCHEMA, strict: true };
    api.faults.next({ type: 'invalid_json_answer' });
    api.faults.next({ type: 'schema_mismatch_answer' });
    const a = await plan()
      .responses.stream(streamParams({ text: { format } }))
      .finalResponse();
    expect(a.status).toBe('completed');
    expect(() => JSON.parse(a.output_text)).toThrow();
    const { events } = await collect('oauth-good', planBody({ text: { format } }));
    const completed = events.at(-1)!;
    expect(completed.event).toBe('response.completed');
    const text = (completed.data.response as { output: Array<{ content: Array<{ text: string }> }> }).output[0]!.content[0]!.text;
    const value = JSON.parse(text) as unknown;
    expect(z.fromJSONSchema(PHOTO_SCHEMA as never).safeParse(value).success).toBe(false);
  });

  it('json_content_type: a 200 with application/json instead of a stream', async () => {
    api.faults.next({ type: 'json_content_type' });
    const res = await post('/responses', planBody());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(((await res.json()) as { object: string }).object).toBe('response');
  });

  it('no_content_type: a valid stream without Content-Type', async () => {
    api.faults.next({ type: 'no_content_type' });
    const res = await post('/responses', planBody());
    expect(res.headers.get('content-type')).toBeNull();
    expect(parseSse(await res.text()).at(-1)!.event).toBe('response.completed');
  });

  it('empty_completed_output: completed carries output: [] and the text is only in deltas', async () => {
    api.faults.next({ type: 'empty_completed_output' });
    const { events } = await collect();
    const text = events
      .filter((e) => e.event === 'response.output_text.delta')
      .map((e) => e.data.delta)
      .join('');
    expect(text).toContain('1200x800');
    expect(events.some((e) => e.event === 'response.output_item.done')).toBe(false);
    expect(events.at(-1)!.data.response).toMatchObject({ status: 'completed', output: [] });
  });

  it('server_error: 500 and 503 JSON, 502 HTML from the edge', async () => {
    api.faults.next({ type: 'server_error' });
    api.faults.next({ type: 'server_error', status: 503 });
    api.faults.next({ type: 'server_error', status: 502 });
    let res = await post('/responses', planBody());
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('server_error');
    res = await post('/responses', planBody());
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('server_is_overloaded');
    res = await post('/responses', planBody());
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(await res.text()).toContain('502 Bad Gateway');
  });

  it('next(kind, times) applies to that many requests', async () => {
    api.faults.next({ type: 'server_error' }, 2);
    expect(api.faults.pending()).toBe(2);
    expect((await post('/responses', planBody())).status).toBe(500);
    expect((await post('/responses', planBody())).status).toBe(500);
    expect((await post('/responses', planBody())).status).toBe(200);
  });
});

describe('rate limiting', () => {
  let limited: OpenAIStandIn;
  beforeAll(async () => {
    limited = await startOpenAIStandIn({ verifyToken, apiKeys: [API_KEY], rateLimit: { requestsPerMinute: 60, burst: 2 } });
  });
  afterAll(() => limited.close());

  it('sends x-ratelimit-* on every answer and 429 with retry-after once the bucket is empty', async () => {
    const send = () =>
      fetch(`${limited.url}/responses`, {
        method: 'POST',
        headers: { authorization: 'Bearer oauth-good', 'content-type': 'application/json' },
        body: JSON.stringify(planBody()),
      });
    const a = await send();
    await a.text();
    expect(a.headers.get('x-ratelimit-limit-requests')).toBe('60');
    expect(a.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(a.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?(ms|s)$/);
    await (await send()).text();
    const c = await send();
    expect(c.status).toBe(429);
    expect(c.headers.get('retry-after')).toBe('1');
    expect(c.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const body = (await c.json()) as { error: { type: string; code: string; message: string; param: null } };
    expect(body.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded', param: null });
    expect(body.error.message).toMatch(
      /^Rate limit reached for gpt-6\.1-sol .* on requests per min \(RPM\): Limit 60, Used 60, Requested 1\. Please try again in \d+ms\./,
    );
    expect(limited.stats().rateLimited).toBe(1);

    // Buckets are per credential: another account still has its burst.
    const other = await fetch(`${limited.url}/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer oauth-good-2', 'content-type': 'application/json' },
      body: JSON.stringify(planBody()),
    });
    expect(other.status).toBe(200);
    await other.text();
  });

  it('formats reset times like the API (Go durations)', () => {
    expect([goDuration(20), goDuration(1000), goDuration(1500), goDuration(360_000), goDuration(8640), goDuration(3_723_000)]).toEqual([
      '20ms',
      '1s',
      '1.5s',
      '6m0s',
      '8.64s',
      '1h2m3s',
    ]);
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

describe('POST /v1/chat/completions (API keys)', () => {
  const messages = (): OpenAI.Chat.ChatCompletionMessageParam[] => [
    { role: 'system', content: 'You describe photos.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Describe.' },
        { type: 'image_url', image_url: { url: jpegUrl } },
      ],
    },
  ];
  const response_format = { type: 'json_schema', json_schema: { name: 'photo', schema: PHOTO_SCHEMA, strict: true } } as const;

  it('answers non-streaming with a schema-conforming message', async () => {
    const c = await keyed().chat.completions.create({ model: 'gpt-6.1-sol', messages: messages(), response_format: response_format });
    expect(c.object).toBe('chat.completion');
    expect(c.choices[0]!.finish_reason).toBe('stop');
    const value = JSON.parse(c.choices[0]!.message.content!) as unknown;
    expect(z.fromJSONSchema(PHOTO_SCHEMA as never).safeParse(value).success).toBe(true);
    expect(c.usage!.prompt_tokens).toBeGreaterThan(255);
    expect(api.requests.at(-1)!.images).toEqual([{ mime: 'image/jpeg', bytes: jpeg.length, width: 1200, height: 800 }]);
  });

  it('streams chat.completion.chunk events ending with [DONE] and usage when asked', async () => {
    const stream = await keyed().chat.completions.create({
      model: 'gpt-6.1-sol',
      messages: messages(),
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toContain('1200x800');
    expect(finish).toBe('stop');
    expect(usage!.completion_tokens).toBeGreaterThan(0);
  });

  it('uses chat wording for errors', async () => {
    let e = await errorOf(keyed().chat.completions.create({ model: 'gpt-nope', messages: [{ role: 'user', content: 'x' }] }));
    expect([e.status, e.code]).toEqual([404, 'model_not_found']);
    e = await errorOf(keyed().chat.completions.create({ model: 'gpt-6.1-sol', messages: [{ role: 'user', content: 'x' }], frobnicate: 1 } as never));
    expect(e.message).toBe('400 Unrecognized request argument supplied: frobnicate');
    e = await errorOf(
      keyed().chat.completions.create({
        model: 'gpt-6.1-sol',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }],
      }),
    );
    expect(e.param).toBe('messages[0].content[0].image_url.url');
    expect(e.message).toMatch(/^400 Invalid image URL: /);
  });
});

describe('request body limits', () => {
  it('answers 413 above the cap', async () => {
    const small = await startOpenAIStandIn({ verifyToken, maxBodyBytes: 4 * 1024 });
    try {
      const res = await fetch(`${small.url}/responses`, {
        method: 'POST',
        headers: { authorization: 'Bearer oauth-good', 'content-type': 'application/json' },
        body: JSON.stringify(planBody()),
      });
      expect(jpegUrl.length).toBeGreaterThan(4 * 1024);
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
    } finally {
      await small.close();
    }
  });
});
