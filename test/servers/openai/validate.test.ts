/** What the stand-in refuses in a ChatGPT-plan request (validate.ts, request-body.ts), with the API's codes and params. */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';

import { api, errorOf, plan, planBody, planParams, post, useStandIn } from './api-test-support.ts';

useStandIn();

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
