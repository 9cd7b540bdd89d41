/** Error classification (protocol notes §11). */
import { describe, expect, it } from 'vitest';
import { AnalysisError } from '../../../../../electron/core/analysis/records/analysis-error';
import { classifyHttpError, classifyStreamFailure, refusesStructuredOutput } from '../../../../../electron/core/analysis/api/classify';

const headers = (h: Record<string, string>) => new Headers(h);

describe('error classification (protocol notes §11)', () => {
  const body = (code: string | null, param: string | null = null, type = 'invalid_request_error') => ({ code, param, type });

  it('stops the job for plan limits, quota and eligibility', () => {
    const usage = classifyHttpError(429, body('subscription_sharing_usage_limit_exceeded'), undefined, 'req_1', 0);
    expect(usage).toMatchObject({ code: 'usage_limit', details: { disposition: 'stop_job', requestId: 'req_1', link: { label: 'Manage usage' } } });
    expect(classifyHttpError(429, body('insufficient_quota', null, 'insufficient_quota'), undefined, undefined, 0)).toMatchObject({
      code: 'insufficient_quota',
      details: { disposition: 'stop_job' },
    });
    expect(classifyHttpError(403, body('subscription_sharing_user_not_eligible'), undefined, undefined, 0).code).toBe('not_eligible');
    expect(classifyHttpError(403, body('subscription_sharing_v2_user_not_eligible'), undefined, undefined, 0).code).toBe('not_eligible');
    expect(classifyHttpError(403, body('chatpass_v2_scope_not_authorized'), undefined, undefined, 0)).toMatchObject({
      code: 'forbidden',
      details: { disposition: 'stop_job' },
    });
    expect(classifyHttpError(401, undefined, undefined, undefined, 0)).toMatchObject({ code: 'unauthorized', details: { disposition: 'stop_job' } });
    expect(classifyHttpError(400, body('model_not_found', 'model'), undefined, undefined, 0).details.disposition).toBe('stop_job');
  });

  it('retries rate limits and server trouble; fails the item for other 4xx', () => {
    const limited = classifyHttpError(
      429,
      body('rate_limit_exceeded', null, 'requests'),
      headers({ 'retry-after': '1', 'x-ratelimit-reset-requests': '120ms' }),
      undefined,
      0,
    );
    expect(limited).toMatchObject({
      code: 'rate_limited',
      details: { disposition: 'rate_limit', rate: { retryAfterMs: 1000, resetRequestsMs: 120 } },
    });
    expect(classifyHttpError(503, body('subscription_sharing_usage_unavailable'), undefined, undefined, 0).details.disposition).toBe('backoff');
    expect(classifyHttpError(502, undefined, undefined, undefined, 0).details.disposition).toBe('backoff');
    expect(classifyHttpError(400, body('invalid_image_format'), undefined, undefined, 0)).toMatchObject({
      code: 'invalid_request',
      details: { disposition: 'fail_item' },
    });
    expect(classifyHttpError(413, body('request_too_large'), undefined, undefined, 0).details.disposition).toBe('fail_item');
  });

  it('recognises a structured-output refusal (plan code, or API-key wording on text.format) but not a bad schema', () => {
    expect(
      refusesStructuredOutput(classifyHttpError(400, body('subscription_sharing_unsupported_capability', 'text.format'), undefined, undefined, 0)),
    ).toBe(true);
    expect(refusesStructuredOutput(classifyHttpError(400, body(null, 'text.format'), undefined, undefined, 0))).toBe(true);
    expect(refusesStructuredOutput(classifyHttpError(400, body('invalid_json_schema', 'text.format.schema'), undefined, undefined, 0))).toBe(false);
    expect(
      refusesStructuredOutput(
        classifyHttpError(400, body('subscription_sharing_unsupported_capability', 'input[0].content[1]'), undefined, undefined, 0),
      ),
    ).toBe(false);
  });

  it('classifies failures that arrive inside a 200 stream', () => {
    expect(classifyStreamFailure('subscription_sharing_usage_limit_exceeded', undefined, 'req_2', 'partial')).toMatchObject({
      code: 'usage_limit',
      details: { disposition: 'stop_job', partialText: 'partial' },
    });
    expect(classifyStreamFailure('server_is_overloaded', undefined, undefined, '').details.disposition).toBe('backoff');
    expect(classifyStreamFailure('rate_limit_exceeded', undefined, undefined, '').details.disposition).toBe('rate_limit');
  });

  it('never logs the server’s message', () => {
    const error = classifyHttpError(400, { code: 'invalid_value', param: 'input', type: 'x' }, undefined, 'req_9', 0);
    expect(error).toBeInstanceOf(AnalysisError);
    expect(error.logFields()).toEqual({ code: 'invalid_request', status: 400, apiCode: 'invalid_value', param: 'input', requestId: 'req_9' });
  });
});
