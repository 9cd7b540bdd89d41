import { describe, expect, it } from 'vitest';
import { readTokenError } from '../../../../electron/core/oauth/errors';

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
