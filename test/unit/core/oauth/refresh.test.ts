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

describe('the words of a refresh the server ended', () => {
  const ended = [
    'refresh_token_reused',
    'refresh_token_invalidated',
    'refresh_token_expired',
    'token_expired',
    'invalid_grant',
    'invalid_refresh_token',
    'invalid_scope',
  ];

  it.each(ended)('%s names the provider the person signed in with, and asks to sign in again', (code) => {
    const error = refreshFailureError({ status: 400, code, requestId: null }, 'Acme Gateway');
    expect(error.code).toBe(code);
    expect(error.options.retryable).toBeFalsy();
    expect(error.message).toContain('Acme Gateway');
    expect(error.message).not.toContain('ChatGPT');
    expect(error.message).toMatch(/sign in again/);
  });

  it('ChatGPT’s words are as they were', () => {
    const words = (code: string) => refreshFailureError({ status: 400, code, requestId: null }, 'ChatGPT').message;
    expect(words('refresh_token_invalidated')).toBe(
      'Loupe was disconnected from your ChatGPT account (for example in ChatGPT settings). Please sign in again.',
    );
    expect(words('refresh_token_expired')).toBe('Your ChatGPT session expired. Please sign in again.');
    expect(words('invalid_grant')).toBe('Your ChatGPT session is no longer valid. Please sign in again.');
  });

  it('failures that keep the session name no provider: they are about the sign-in server', () => {
    for (const failure of [
      { status: 401, code: 'invalid_client' },
      { status: 503, code: null },
      { status: 429, code: 'slow_down' },
      { status: 400, code: 'unheard_of' },
    ])
      expect(refreshFailureError({ ...failure, requestId: null }, 'Acme Gateway').message).not.toContain('Acme Gateway');
  });
});
