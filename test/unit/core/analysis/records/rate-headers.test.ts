/** Pacing headers: x-ratelimit-*, retry-after and Go durations. */
import { describe, expect, it } from 'vitest';
import { parseGoDuration, parseRetryAfter, readRateInfo } from '../../../../../electron/core/analysis/records/rate-headers';
import { goDuration } from '../../../../servers/openai/ratelimit';

const headers = (h: Record<string, string>) => new Headers(h);

describe('rate-limit headers', () => {
  it('reads Go durations the way the API writes them', () => {
    expect(parseGoDuration('1s')).toBe(1000);
    expect(parseGoDuration('6m0s')).toBe(360_000);
    expect(parseGoDuration('20ms')).toBe(20);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseGoDuration('300µs')).toBeCloseTo(0.3);
    expect(parseGoDuration('0s')).toBe(0);
    for (const ms of [7, 999, 1000, 1234, 61_000, 3_600_001]) expect(parseGoDuration(goDuration(ms))).toBe(ms);
    expect(parseGoDuration('')).toBeUndefined();
    expect(parseGoDuration('soon')).toBeUndefined();
    expect(parseGoDuration('5')).toBeUndefined();
    expect(parseGoDuration('1s then')).toBeUndefined();
  });

  it('retry-after: ms header first, then seconds or an HTTP date; absurd waits are capped', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(parseRetryAfter(headers({ 'retry-after': '2', 'retry-after-ms': '150' }), now)).toBe(150);
    expect(parseRetryAfter(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5000);
    // A date is counted from the clock's time, not the wall clock's.
    expect(parseRetryAfter(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now + 3000)).toBe(2000);
    expect(parseRetryAfter(headers({ 'retry-after': '86400' }), now)).toBe(600_000);
    expect(parseRetryAfter(headers({ 'retry-after': 'whenever' }), now)).toBeUndefined();
    expect(parseRetryAfter(headers({}), now)).toBeUndefined();
  });

  it('collects x-ratelimit-* into one object', () => {
    expect(
      readRateInfo(
        headers({
          'x-ratelimit-limit-requests': '600',
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': '100ms',
          'retry-after': '1',
        }),
        0,
      ),
    ).toEqual({ limitRequests: 600, remainingRequests: 0, resetRequestsMs: 100, retryAfterMs: 1000 });
    expect(readRateInfo(headers({ 'x-ratelimit-reset-requests': '3' }), 0)).toEqual({ resetRequestsMs: 3000 });
    expect(readRateInfo(undefined, 0)).toEqual({});
  });
  it('reads x-ratelimit-*-tokens', () => {
    const h = new Headers({ 'x-ratelimit-limit-tokens': '60000', 'x-ratelimit-remaining-tokens': '59000', 'x-ratelimit-reset-tokens': '1s' });
    expect(readRateInfo(h, 0)).toMatchObject({ limitTokens: 60000, remainingTokens: 59000, resetTokensMs: 1000 });
  });
});
