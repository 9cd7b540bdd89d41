/** Injected faults (api.faults.next): each misbehaviour of the real API, as the SDK and a raw client see it. */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { PHOTO_SCHEMA } from './photo-schema.ts';
import { api, errorOf, parseSse, plan, planBody, planParams, post, streamParams, useStandIn } from './api-test-support.ts';

useStandIn();

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
