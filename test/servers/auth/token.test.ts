import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { completeAuthorizationInBrowser, type AuthServer } from './auth-server';
import { RESOURCE, insecure, discover, startDiscovered, authorizeUrl, refresh, refreshError, postForm, register } from './test-client';

describe('stand-in SIWC auth server: token endpoint', () => {
  let server: AuthServer;
  let as: oauth.AuthorizationServer;

  beforeAll(async () => ({ server, as } = await startDiscovered()));
  afterAll(() => server.close());

  it('token endpoint: requires resource (without spending the code) and refuses dynamic_agent_client', async () => {
    const attempt = await authorizeUrl(as);
    const callback = await completeAuthorizationInBrowser(attempt.url.href);
    const clientId = callback.searchParams.get('client_id')!;
    const body = {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      code_verifier: attempt.verifier,
      redirect_uri: attempt.redirectUri,
    };
    const dynamic = await postForm(as.token_endpoint!, { ...body, client_id: 'dynamic_agent_client', resource: RESOURCE });
    expect(dynamic.status).toBe(401);
    expect(dynamic.json).toMatchObject({ error: 'invalid_client' });
    const noResource = await postForm(as.token_endpoint!, { ...body, client_id: clientId });
    expect(noResource.status).toBe(400);
    expect(noResource.json).toMatchObject({ error: 'invalid_request' });
    const wrongResource = await postForm(as.token_endpoint!, { ...body, client_id: clientId, resource: 'https://example.com' });
    expect(wrongResource.json).toMatchObject({ error: 'invalid_target' });
    const pkce = await postForm(as.token_endpoint!, {
      ...body,
      client_id: clientId,
      resource: RESOURCE,
      code_verifier: oauth.generateRandomCodeVerifier(),
    });
    expect(pkce.json).toMatchObject({ error: 'invalid_grant' });

    // PKCE failure doesn't consume the code either; a correct exchange still works, once.
    const ok = await postForm(as.token_endpoint!, { ...body, client_id: clientId, resource: RESOURCE });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const twice = await postForm(as.token_endpoint!, { ...body, client_id: clientId, resource: RESOURCE });
    expect(twice.json).toMatchObject({ error: 'invalid_grant' });
  });

  it('rotates refresh tokens; reuse revokes the whole family', async () => {
    const { clientId, tokens } = await register(server, as);
    const r1 = await refresh(as, clientId, tokens.refresh_token!);
    expect(r1.refresh_token).toBeTruthy();
    expect(r1.refresh_token).not.toBe(tokens.refresh_token);
    expect(r1.access_token).not.toBe(tokens.access_token);
    const idClaims = decodeJwt(r1.id_token!);
    expect(idClaims.nonce).toBeUndefined();
    expect(idClaims.aud).toEqual([clientId]);
    expect(idClaims.sub).toBe(decodeJwt(tokens.id_token!).sub);
    expect(server.tokenCalls('refresh_token')).toBeGreaterThanOrEqual(1);

    const r2 = await refresh(as, clientId, r1.refresh_token!);
    expect(await server.verifyAccessToken(r2.access_token)).not.toBeNull();

    expect(await refreshError(as, clientId, r1.refresh_token!)).toBe('refresh_token_reused');
    expect(await server.verifyAccessToken(r2.access_token)).toBeNull();
    expect(await server.verifyAccessToken(tokens.access_token)).toBeNull();
    expect(await refreshError(as, clientId, r2.refresh_token!)).toBe('refresh_token_invalidated');
  });

  it('setGrantedScopeOverride forces the granted scope', async () => {
    server.setGrantedScopeOverride('openid profile email offline_access resource.invoke');
    try {
      const { tokens } = await register(server, as);
      expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'offline_access', 'openid', 'profile', 'resource.invoke']);
      expect((await server.verifyAccessToken(tokens.access_token))!.scopes).not.toContain('chatgpt.tokens.use.direct');
    } finally {
      server.setGrantedScopeOverride(null);
    }
  });

  it('signs forged ID tokens and rotates the signing key', async () => {
    const { clientId, tokens } = await register(server, as);
    const { nonce: _nonce, ...claims } = decodeJwt(tokens.id_token!);
    const client: oauth.Client = { client_id: clientId };
    let refreshToken = tokens.refresh_token!;
    // Refreshes with the server's real response body but `id_token` swapped, and verifies it.
    const swap = async (id_token: string) => {
      server.faults.mutateTokenResponse((body) => ({ ...body, id_token }));
      const res = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, {
        additionalParameters: { resource: RESOURCE },
        ...insecure,
      });
      refreshToken = ((await res.clone().json()) as { refresh_token: string }).refresh_token;
      await oauth.processRefreshTokenResponse(as, client, res);
      return oauth.validateApplicationLevelSignature(as, res, insecure);
    };

    await expect(swap(await server.signIdToken({ ...claims }))).resolves.toBeUndefined();
    await expect(swap(await server.signIdToken({ ...claims }, { key: 'rogue' }))).rejects.toThrow();
    await expect(swap(await server.signIdToken({ ...claims }, { alg: 'HS256' }))).rejects.toThrow();
    await expect(swap(await server.signIdToken({ ...claims }, { alg: 'none' }))).rejects.toThrow();

    const oldKid = decodeProtectedHeader(tokens.id_token!).kid;
    await server.rotateSigningKey();
    expect(server.jwks().keys).toHaveLength(2);
    // oauth4webapi refetches a cached JWKS for an unknown kid only once the cache is 60 s old,
    // so verify with a fresh metadata object (= empty JWKS cache).
    const rotated = await refresh(await discover(server), clientId, refreshToken);
    expect(decodeProtectedHeader(rotated.id_token!).kid).not.toBe(oldKid);
    expect(server.jwks().keys.map((k) => k.kid)).toContain(oldKid);
  });
});
