/** Request rate limiting (ratelimit.ts): x-ratelimit-* headers, 429 with retry-after, buckets per credential. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startOpenAIStandIn, type OpenAIStandIn } from './openai-api.ts';
import { goDuration } from './ratelimit.ts';
import { API_KEY, planBody, useStandIn, verifyToken } from './api-test-support.ts';

useStandIn();

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
