import { describe, expect, it } from 'vitest';
import { isNetworkError } from '../../../../electron/core/kernel/network';

describe('isNetworkError', () => {
  it('accepts undici TypeErrors, Chromium net errors and timeouts; not HTTP-level or other errors', () => {
    expect(isNetworkError(new TypeError('fetch failed'))).toBe(true);
    for (const code of ['CONNECTION_REFUSED', 'NAME_NOT_RESOLVED', 'INTERNET_DISCONNECTED', 'TIMED_OUT', 'PROXY_CONNECTION_FAILED']) {
      expect(isNetworkError(new Error(`net::ERR_${code}`))).toBe(true);
    }
    expect(isNetworkError(new DOMException('timed out', 'TimeoutError'))).toBe(true);
    expect(isNetworkError(new Error('invalid_grant'))).toBe(false);
    expect(isNetworkError(new Error('something net::ERR_FAILED later'))).toBe(false);
    expect(isNetworkError('net::ERR_FAILED')).toBe(false);
  });
});
