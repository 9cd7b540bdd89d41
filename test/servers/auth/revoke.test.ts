import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import { CookieJar, completeAuthorizationInBrowser, type AuthServer } from './auth-server';
import { insecure, startDiscovered, authorizeUrl, refreshError, postForm, register } from './test-client';

describe('stand-in SIWC auth server: revocation', () => {
  let server: AuthServer;
  let as: oauth.AuthorizationServer;

  beforeAll(async () => ({ server, as } = await startDiscovered()));
  afterAll(() => server.close());

  it('revocation answers an empty 200 and ends the token family, but not the consent', async () => {
    const jar = new CookieJar();
    const { clientId, tokens } = await register(server, as, { jar });
    const client: oauth.Client = { client_id: clientId };
    const res = await oauth.revocationRequest(as, client, oauth.None(), tokens.refresh_token!, {
      additionalParameters: { token_type_hint: 'refresh_token' },
      ...insecure,
    });
    expect(res.status).toBe(200);
    expect(await res.clone().text()).toBe('');
    await oauth.processRevocationResponse(res);
    expect(server.requests.filter((r) => r.endpoint === 'revoke').at(-1)!.params).toEqual({
      token: tokens.refresh_token,
      token_type_hint: 'refresh_token',
      client_id: clientId,
    });
    expect(await server.verifyAccessToken(tokens.access_token)).toBeNull();
    expect(await refreshError(as, clientId, tokens.refresh_token!)).toBe('refresh_token_invalidated');

    const unknown = await postForm(as.revocation_endpoint!, { token: 'nope', token_type_hint: 'refresh_token', client_id: clientId });
    expect(unknown).toMatchObject({ status: 200, text: '' });

    const pages: string[] = [];
    const attempt = await authorizeUrl(as, { clientId });
    await completeAuthorizationInBrowser(attempt.url.href, { jar, onPage: (p) => pages.push(p) });
    expect(pages).toEqual([]);
  });

  it('revokeAllForUser invalidates refresh tokens and brings consent back', async () => {
    const jar = new CookieJar();
    const { clientId, tokens } = await register(server, as, { jar });
    await server.revokeAllForUser('alice@example.com');
    expect(await server.verifyAccessToken(tokens.access_token)).toBeNull();
    expect(await refreshError(as, clientId, tokens.refresh_token!)).toBe('refresh_token_invalidated');
    const pages: string[] = [];
    const attempt = await authorizeUrl(as, { clientId });
    await completeAuthorizationInBrowser(attempt.url.href, { jar, onPage: (p) => pages.push(p) });
    expect(pages).toEqual(['consent']);
  });
});
