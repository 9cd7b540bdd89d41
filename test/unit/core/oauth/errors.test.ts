import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { isErrorCode } from '../../../../electron/contract';
import { LoupeError } from '../../../../electron/core/kernel/errors';
import { mapProcessingError, oauthError, readTokenError } from '../../../../electron/core/oauth/errors';

describe('token endpoint errors', () => {
  const respond = (status: number, body: string, headers: Record<string, string> = {}) => new Response(body, { status, headers });
  it.each([
    ['RFC 6749 shape', respond(400, '{"error":"invalid_grant","error_description":"x"}'), 'invalid_grant'],
    ['nested shape', respond(400, '{"error":{"code":"refresh_token_reused","message":"x"}}'), 'refresh_token_reused'],
    ['top-level code', respond(400, '{"code":"refresh_token_expired"}'), 'refresh_token_expired'],
    ['non-JSON 400', respond(400, '<html>bad request</html>'), null],
    ['401 with WWW-Authenticate', respond(401, '', { 'www-authenticate': 'Bearer error="invalid_client"' }), 'invalid_client'],
  ])('reads the %s', async (_name, response, code) => {
    expect((await readTokenError(response)).code).toBe(code);
  });
});

describe('mapProcessingError', () => {
  const processing = (message: string, code?: string) => new oauth.OperationProcessingError(message, code ? { code } : undefined);

  it('an ID token that fails its claims, times or key is invalid_id_token', () => {
    for (const code of [oauth.JWT_CLAIM_COMPARISON, oauth.JWT_TIMESTAMP_CHECK, oauth.KEY_SELECTION])
      expect(mapProcessingError(processing('unexpected "aud" claim value', code)).code, code).toBe('invalid_id_token');
    expect(mapProcessingError(processing('"response" body "id_token" property must be a string')).code).toBe('invalid_id_token');
    expect(mapProcessingError(new oauth.UnsupportedOperationError('unsupported JWS algorithm')).code).toBe('invalid_id_token');
  });

  it('anything else wrong with the body is invalid_token_response, without quoting the server', () => {
    const mapped = mapProcessingError(processing('"response" body "expires_in" property must be a positive number', 'INVALID_RESPONSE'));
    expect(mapped.code).toBe('invalid_token_response');
    expect(mapped.message).toContain('property must be a positive number');
    expect(mapped.message).not.toContain('"');
    expect(mapProcessingError(new oauth.UnsupportedOperationError('unsupported `token_type` value')).code).toBe('invalid_token_response');
    expect(mapProcessingError(new SyntaxError('Unexpected token < in JSON')).message).toContain('unexpected content');
  });

  it('the network is network_error, retryable; a LoupeError passes unchanged', () => {
    expect(mapProcessingError(new TypeError('fetch failed'))).toMatchObject({ code: 'network_error', options: { retryable: true } });
    const own = new LoupeError('account_mismatch', 'x');
    expect(mapProcessingError(own)).toBe(own);
  });
});

describe('OAuthErrorCode', () => {
  it('every code the room raises is one the contract knows', () => {
    const raised = mapProcessingError(new Error('x'));
    expect(isErrorCode(raised.code)).toBe(true);
    expect(oauthError('issuer_mismatch', 'm', { retryable: false })).toMatchObject({ code: 'issuer_mismatch', message: 'm' });
    expect(oauthError('discovery_failed', 'm')).toBeInstanceOf(LoupeError);
  });
});
