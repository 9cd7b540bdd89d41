import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import { completeAuthorizationInBrowser, type AuthServer } from './auth-server';
import { RESOURCE, insecure, discover, startDiscovered, authorizeUrl, refresh, refreshError, postForm, register } from './test-client';

describe('stand-in SIWC auth server: faults', () => {
  let server: AuthServer;
  let as: oauth.AuthorizationServer;

  beforeAll(async () => ({ server, as } = await startDiscovered()));
  afterAll(() => server.close());

  it('discoveryStatus and jwksStatus fail the next N requests only', async () => {
    server.faults.discoveryStatus(500);
    const issuer = new URL(server.issuer);
    await expect(oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure))).rejects.toThrow();
    await expect(discover(server)).resolves.toMatchObject({ issuer: server.issuer });

    const fresh = await discover(server); // new object, so oauth4webapi has no cached JWKS
    const { clientId, tokens } = await register(server, fresh);
    server.faults.jwksStatus(503, 2);
    expect((await fetch(fresh.jwks_uri!)).status).toBe(503);
    const client: oauth.Client = { client_id: clientId };
    const res = await oauth.refreshTokenGrantRequest(fresh, client, oauth.None(), tokens.refresh_token!, {
      additionalParameters: { resource: RESOURCE },
      ...insecure,
    });
    await oauth.processRefreshTokenResponse(fresh, client, res);
    const uncached = await discover(server);
    await expect(oauth.validateApplicationLevelSignature(uncached, res, insecure)).rejects.toThrow();
    await expect(oauth.validateApplicationLevelSignature(uncached, res, insecure)).resolves.toBeUndefined();
  });

  it('dropAfterRefreshRotation rotates, then hangs up; the old token is then reused', async () => {
    const { clientId, tokens } = await register(server, as);
    server.faults.dropAfterRefreshRotation();
    await expect(refresh(as, clientId, tokens.refresh_token!)).rejects.toThrow();
    expect(await refreshError(as, clientId, tokens.refresh_token!)).toBe('refresh_token_reused');
  });

  it('tokenStatus answers raw bodies, filtered by grant type', async () => {
    const { clientId, tokens } = await register(server, as);
    server.faults.tokenStatus(503, 'upstream unavailable', 1, 'refresh_token');
    const plain = await postForm(as.token_endpoint!, {
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: tokens.refresh_token!,
      resource: RESOURCE,
    });
    expect(plain).toMatchObject({ status: 503, text: 'upstream unavailable' });
    expect(plain.type).toContain('text/plain');
    server.faults.tokenStatus(400, { error: { code: 'refresh_token_reused', message: 'x' } });
    const nested = await postForm(as.token_endpoint!, {
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: tokens.refresh_token!,
      resource: RESOURCE,
    });
    expect(nested).toMatchObject({ status: 400, json: { error: { code: 'refresh_token_reused' } } });
    // The faults answered without touching the token: it still works.
    expect((await refresh(as, clientId, tokens.refresh_token!)).access_token).toBeTruthy();
  });

  it('revokeStatus and revokeDrop', async () => {
    const { clientId, tokens } = await register(server, as);
    const body = { token: tokens.refresh_token!, token_type_hint: 'refresh_token', client_id: clientId };
    server.faults.revokeStatus(503);
    expect((await postForm(as.revocation_endpoint!, body)).status).toBe(503);
    server.faults.revokeDrop();
    await expect(postForm(as.revocation_endpoint!, body)).rejects.toThrow();
    expect(await server.verifyAccessToken(tokens.access_token)).not.toBeNull();
    expect(await postForm(as.revocation_endpoint!, body)).toMatchObject({ status: 200, text: '' });
    expect(await server.verifyAccessToken(tokens.access_token)).toBeNull();
  });

  it('mutateTokenResponse and mutateCallback rewrite one response each', async () => {
    server.faults.mutateCallback((url) => {
      url.searchParams.delete('client_id');
      url.searchParams.set('iss', 'https://evil.example');
      return url;
    });
    const attempt = await authorizeUrl(as);
    const mutated = await completeAuthorizationInBrowser(attempt.url.href);
    expect(mutated.searchParams.has('client_id')).toBe(false);
    expect(() => oauth.validateAuthResponse(as, { client_id: 'x' }, mutated, attempt.state)).toThrow(/iss/);

    const seen: string[] = [];
    server.faults.mutateTokenResponse((body, ctx) => {
      seen.push(ctx.grantType, ctx.clientId, String(ctx.idTokenClaims?.nonce));
      const { scope: _drop, ...rest } = body;
      return { ...rest, token_type: 'mac', expires_in: 0 };
    });
    const a2 = await authorizeUrl(as);
    const cb = await completeAuthorizationInBrowser(a2.url.href);
    const clientId = cb.searchParams.get('client_id')!;
    const raw = await postForm(as.token_endpoint!, {
      grant_type: 'authorization_code',
      client_id: clientId,
      code: cb.searchParams.get('code')!,
      code_verifier: a2.verifier,
      redirect_uri: a2.redirectUri,
      resource: RESOURCE,
    });
    expect(seen).toEqual(['authorization_code', clientId, a2.nonce]);
    expect(raw.json).toMatchObject({ token_type: 'mac', expires_in: 0 });
    expect(raw.json!.scope).toBeUndefined();
    // One-shot: the next response is untouched.
    const { tokens } = await register(server, as);
    expect(tokens.scope).toBeTruthy();
  });

  it('reset clears pending faults', async () => {
    server.faults.discoveryStatus(500, 5);
    server.faults.tokenStatus(500, 'boom', 5);
    server.faults.reset();
    const { tokens } = await register(server, await discover(server));
    expect(tokens.access_token).toBeTruthy();
  });
});
