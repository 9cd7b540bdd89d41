import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { CookieJar, completeAuthorizationInBrowser, SIWC_SCOPE, startAuthServer, type AuthServer } from './auth-server';

// The stand-in as a generic OAuth 2.0 / OIDC server for pre-registered (static) clients, next to
// its SIWC behaviour in the same process.

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const SECRET = 's3cret-value';

interface Attempt {
  url: URL;
  state: string;
  nonce?: string | undefined;
  verifier: string;
  redirectUri: string;
}

async function authorizeUrl(
  as: oauth.AuthorizationServer,
  p: { clientId: string; scope: string; nonce?: boolean; port?: number; path?: string; extra?: Record<string, string> },
): Promise<Attempt> {
  const state = oauth.generateRandomState();
  const nonce = p.nonce ? oauth.generateRandomNonce() : undefined;
  const verifier = oauth.generateRandomCodeVerifier();
  const redirectUri = `http://127.0.0.1:${p.port ?? 49152}${p.path ?? '/auth/callback'}`;
  const url = new URL(as.authorization_endpoint!);
  url.searchParams.set('client_id', p.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', p.scope);
  url.searchParams.set('state', state);
  if (nonce) url.searchParams.set('nonce', nonce);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  for (const [k, v] of Object.entries(p.extra ?? {})) url.searchParams.set(k, v);
  return { url, state, nonce, verifier, redirectUri };
}

function clientAuth(secret?: string, method: 'basic' | 'post' = 'basic'): oauth.ClientAuth {
  if (secret === undefined) return oauth.None();
  return method === 'basic' ? oauth.ClientSecretBasic(secret) : oauth.ClientSecretPost(secret);
}

async function codeRequest(as: oauth.AuthorizationServer, attempt: Attempt, callback: URL, clientId: string, auth: oauth.ClientAuth) {
  const client: oauth.Client = { client_id: clientId };
  const params = oauth.validateAuthResponse(as, client, callback, attempt.state);
  const res = await oauth.authorizationCodeGrantRequest(as, client, auth, params, attempt.redirectUri, attempt.verifier, insecure);
  return { client, res };
}

async function exchange(as: oauth.AuthorizationServer, attempt: Attempt, callback: URL, clientId: string, auth: oauth.ClientAuth = oauth.None()) {
  const { client, res } = await codeRequest(as, attempt, callback, clientId, auth);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, res, {
    expectedNonce: attempt.nonce ?? oauth.expectNoNonce,
  });
  if (tokens.id_token) await oauth.validateApplicationLevelSignature(as, res, insecure);
  return tokens;
}

/** Authorize through the fake browser, then exchange the code. */
async function signIn(
  as: oauth.AuthorizationServer,
  p: Parameters<typeof authorizeUrl>[1] & { auth?: oauth.ClientAuth; jar?: CookieJar; pages?: string[] },
) {
  const attempt = await authorizeUrl(as, p);
  const callback = await completeAuthorizationInBrowser(attempt.url.href, { jar: p.jar, onPage: (x) => p.pages?.push(x) });
  const tokens = await exchange(as, attempt, callback, p.clientId, p.auth);
  return { attempt, callback, tokens };
}

async function refresh(as: oauth.AuthorizationServer, clientId: string, refreshToken: string, auth: oauth.ClientAuth = oauth.None()) {
  const client: oauth.Client = { client_id: clientId };
  const res = await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, insecure);
  return oauth.processRefreshTokenResponse(as, client, res);
}

async function failure(p: Promise<unknown>): Promise<oauth.ResponseBodyError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(oauth.ResponseBodyError);
  return err as oauth.ResponseBodyError;
}

describe('stand-in auth server: static OAuth 2.0 / OIDC clients', () => {
  let server: AuthServer;
  let as: oauth.AuthorizationServer;

  beforeAll(async () => {
    server = await startAuthServer({
      staticClients: [
        { client_id: 'loupe-public' },
        { client_id: 'loupe-confidential', client_secret: SECRET },
        { client_id: 'loupe-post', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post' },
        { client_id: 'loupe-no-refresh', refreshTokens: false, accessTokenTtl: 120 },
        { client_id: 'loupe-narrow', scopes: ['openid', 'api'] },
      ],
    });
    const issuer = new URL(server.issuer);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
  });
  afterAll(() => server.close());

  it('serves one discovery document for SIWC and static clients', () => {
    expect(as).toMatchObject({
      issuer: server.issuer,
      authorization_endpoint: `${server.issuer}/api/accounts/authorize`,
      token_endpoint: `${server.issuer}/api/accounts/oauth/token`,
      revocation_endpoint: `${server.issuer}/api/accounts/oauth/revoke`,
      jwks_uri: `${server.issuer}/.well-known/jwks.json`,
      code_challenge_methods_supported: ['S256'],
    });
    expect(as.scopes_supported).toEqual(expect.arrayContaining([...SIWC_SCOPE.split(' '), 'api']));
    expect(as.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['none', 'client_secret_basic', 'client_secret_post']));
    expect(as.revocation_endpoint_auth_methods_supported).toEqual(as.token_endpoint_auth_methods_supported);
  });

  it('public client, plain OAuth 2.0: no SIWC parameters, no id_token, bearer token the API accepts', async () => {
    const pages: string[] = [];
    const { attempt, callback, tokens } = await signIn(as, { clientId: 'loupe-public', scope: 'profile offline_access api', port: 61000, pages });
    expect(pages).toEqual(['login', 'consent']);
    expect(callback.origin + callback.pathname).toBe(attempt.redirectUri);
    expect(callback.searchParams.get('state')).toBe(attempt.state);
    expect(callback.searchParams.get('iss')).toBe(server.issuer);
    expect(callback.searchParams.has('client_id')).toBe(false);
    expect(callback.searchParams.has('scope')).toBe(false);

    expect(tokens.id_token).toBeUndefined();
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.scope?.split(' ').sort()).toEqual(['api', 'offline_access', 'profile']);
    expect(tokens).not.toHaveProperty('earliest_refresh_at');
    const at = await server.verifyAccessToken(tokens.access_token);
    expect(at).toMatchObject({ clientId: 'loupe-public', sub: expect.stringMatching(/^user-/) });
    expect(at!.scopes.sort()).toEqual(['api', 'offline_access', 'profile']);
    const tokenReq = server.requests.filter((r) => r.endpoint === 'token').at(-1)!;
    expect(tokenReq.params).not.toHaveProperty('resource');
  });

  it('OIDC mode: RS256 id_token for the client, nonce echoed; nonce optional; consent remembered', async () => {
    const jar = new CookieJar();
    const first = await signIn(as, { clientId: 'loupe-public', scope: 'openid email profile', nonce: true, jar });
    const claims = decodeJwt(first.tokens.id_token!);
    expect(decodeProtectedHeader(first.tokens.id_token!).alg).toBe('RS256');
    expect(claims).toMatchObject({ iss: server.issuer, nonce: first.attempt.nonce, email: 'alice@example.com' });
    expect([claims.aud].flat()).toEqual(['loupe-public']);
    expect(first.tokens.refresh_token).toBeUndefined(); // no offline_access

    const pages: string[] = [];
    const second = await signIn(as, { clientId: 'loupe-public', scope: 'openid email', jar, pages });
    expect(pages).toEqual([]);
    expect(decodeJwt(second.tokens.id_token!).nonce).toBeUndefined();
    expect(decodeJwt(second.tokens.id_token!).sub).toBe(claims.sub);
  });

  it('confidential client: client_secret_basic required at the token endpoint; client_secret_post also works', async () => {
    const attempt = await authorizeUrl(as, { clientId: 'loupe-confidential', scope: 'openid offline_access api', nonce: true });
    const callback = await completeAuthorizationInBrowser(attempt.url.href);
    // Authentication fails before the code is spent, so the same code still works afterwards.
    for (const auth of [clientAuth('wrong'), oauth.None()]) {
      const { client, res } = await codeRequest(as, attempt, callback, 'loupe-confidential', auth);
      expect(res.status).toBe(401);
      const err = await failure(oauth.processAuthorizationCodeResponse(as, client, res));
      expect(err.error).toBe('invalid_client');
    }
    const tokens = await exchange(as, attempt, callback, 'loupe-confidential', clientAuth(SECRET));
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect([decodeJwt(tokens.id_token!).aud].flat()).toEqual(['loupe-confidential']);
    const tokenReq = server.requests.filter((r) => r.endpoint === 'token').at(-1)!;
    expect(tokenReq.params).not.toHaveProperty('client_secret');

    const refreshed = await refresh(as, 'loupe-confidential', tokens.refresh_token!, clientAuth(SECRET));
    expect(refreshed.access_token).toEqual(expect.any(String));
    expect((await failure(refresh(as, 'loupe-confidential', refreshed.refresh_token!, clientAuth('nope')))).error).toBe('invalid_client');

    const post = await signIn(as, { clientId: 'loupe-post', scope: 'api', auth: clientAuth(SECRET, 'post') });
    expect(post.tokens.access_token).toEqual(expect.any(String));
  });

  it('refreshTokens:false never issues a refresh token; accessTokenTtl is per client', async () => {
    const { tokens } = await signIn(as, { clientId: 'loupe-no-refresh', scope: 'openid offline_access api', nonce: true });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.expires_in).toBe(120);
    const at = await server.verifyAccessToken(tokens.access_token);
    expect(at!.expiresAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 120);
  });

  it('rotates refresh tokens; reusing a rotated one is invalid_grant and ends the family', async () => {
    const { tokens } = await signIn(as, { clientId: 'loupe-public', scope: 'openid offline_access api', nonce: true });
    const r1 = await refresh(as, 'loupe-public', tokens.refresh_token!);
    expect(r1.refresh_token).toEqual(expect.any(String));
    expect(r1.refresh_token).not.toBe(tokens.refresh_token);
    expect(await server.verifyAccessToken(r1.access_token)).toMatchObject({ clientId: 'loupe-public' });
    const r2 = await refresh(as, 'loupe-public', r1.refresh_token!);
    expect((await failure(refresh(as, 'loupe-public', r1.refresh_token!))).error).toBe('invalid_grant');
    expect((await failure(refresh(as, 'loupe-public', r2.refresh_token!))).error).toBe('invalid_grant');
    expect(await server.verifyAccessToken(r2.access_token)).toBeNull();
  });

  it('revocation requires the confidential client to authenticate', async () => {
    const { tokens } = await signIn(as, { clientId: 'loupe-confidential', scope: 'offline_access api', auth: clientAuth(SECRET) });
    const client: oauth.Client = { client_id: 'loupe-confidential' };
    const denied = await oauth.revocationRequest(as, client, clientAuth('wrong'), tokens.refresh_token!, insecure);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ error: 'invalid_client' });
    expect(await server.verifyAccessToken(tokens.access_token)).not.toBeNull();

    const res = await oauth.revocationRequest(as, client, clientAuth(SECRET), tokens.refresh_token!, {
      additionalParameters: { token_type_hint: 'refresh_token' },
      ...insecure,
    });
    expect(res.status).toBe(200);
    await oauth.processRevocationResponse(res);
    expect(await server.verifyAccessToken(tokens.access_token)).toBeNull();
    expect((await failure(refresh(as, 'loupe-confidential', tokens.refresh_token!, clientAuth(SECRET)))).error).toBe('invalid_grant');
  });

  it('enforces PKCE, the loopback redirect and the client scope allow-list', async () => {
    const noPkce = await authorizeUrl(as, { clientId: 'loupe-public', scope: 'api' });
    noPkce.url.searchParams.delete('code_challenge');
    noPkce.url.searchParams.delete('code_challenge_method');
    const cb = await completeAuthorizationInBrowser(noPkce.url.href);
    expect(cb.searchParams.get('error')).toBe('invalid_request');

    const wrongPath = await authorizeUrl(as, { clientId: 'loupe-public', scope: 'api', path: '/callback' });
    await expect(completeAuthorizationInBrowser(wrongPath.url.href)).rejects.toThrow(/redirect_uri/);

    const narrow = await authorizeUrl(as, { clientId: 'loupe-narrow', scope: 'openid email api' });
    const refused = await completeAuthorizationInBrowser(narrow.url.href);
    expect(refused.searchParams.get('error')).toBe('invalid_scope');
    expect(refused.searchParams.get('state')).toBe(narrow.state);
  });

  it('SIWC registration still works on the same server', async () => {
    const attempt = await authorizeUrl(as, {
      clientId: 'dynamic_agent_client',
      scope: SIWC_SCOPE,
      nonce: true,
      extra: { resource: 'https://api.openai.com/v1', ext_agent_host_id: `urn:uuid:${randomUUID()}`, agent_name_hint: 'Loupe' },
    });
    const callback = await completeAuthorizationInBrowser(attempt.url.href);
    const clientId = callback.searchParams.get('client_id')!;
    expect(clientId).toMatch(/^oaiapp_/);
    const client: oauth.Client = { client_id: clientId };
    const params = oauth.validateAuthResponse(as, client, callback, attempt.state);
    const res = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, attempt.redirectUri, attempt.verifier, {
      additionalParameters: { resource: 'https://api.openai.com/v1' },
      ...insecure,
    });
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, res, { expectedNonce: attempt.nonce!, requireIdToken: true });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(server.clients().map((c) => c.clientId)).toEqual([clientId]);
  });
});
