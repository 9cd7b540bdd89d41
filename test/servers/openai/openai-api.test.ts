/** The stand-in's front door (openai-api.ts): the model list, who may call which route, CORS and the body cap. */
import { describe, expect, it } from 'vitest';

import OpenAI from 'openai';
import { startOpenAIStandIn } from './openai-api.ts';
import { API_KEY, api, errorOf, jpegUrl, keyed, planBody, post, useStandIn, verifyToken } from './api-test-support.ts';

useStandIn();

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
