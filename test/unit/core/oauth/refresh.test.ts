import { describe, expect, it } from 'vitest';
import { refreshFailureError } from '../../../../electron/core/oauth/refresh';

describe('refreshFailureError', () => {
  it('classifies terminal, config and transient failures', () => {
    expect(refreshFailureError({ status: 400, code: 'refresh_token_reused', requestId: null }, 'ChatGPT').code).toBe('refresh_token_reused');
    expect(refreshFailureError({ status: 401, code: 'invalid_client', requestId: null }, 'ChatGPT').code).toBe('invalid_client');
    const transient = refreshFailureError({ status: 502, code: null, requestId: null }, 'ChatGPT');
    expect(transient.code).toBe('server_unavailable');
    expect(transient.options.retryable).toBe(true);
    expect(refreshFailureError({ status: 400, code: null, requestId: null }, 'ChatGPT').code).toBe('refresh_failed');
  });
});
