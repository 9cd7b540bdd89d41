import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { CookieJar, completeAuthorizationInBrowser, SIWC_SCOPE, startAuthServer, type AuthServer, type AuthServerOptions } from './auth-server';

const RESOURCE = 'https://api.openai.com/v1';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

interface Attempt {
  url: URL;
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
}

async function discover(server: AuthServer): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(server.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
}

async function authorizeUrl(
  as: oauth.AuthorizationServer,
  p: {
    clientId?: string;
    hostId?: string;
    port?: number;
    redirectUri?: string;
    prompt?: string;
    omit?: string[];
    extra?: Record<string, string>;
  } = {},
): Promise<Attempt> {
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const verifier = oauth.generateRandomCodeVerifier();
  const redirectUri = p.redirectUri ?? `http://127.0.0.1:${p.port ?? 51234}/auth/callback`;
  const url = new URL(as.authorization_endpoint!);
  const q: Record<string, string> = {
    client_id: p.clientId ?? 'dynamic_agent_client',
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: SIWC_SCOPE,
    resource: RESOURCE,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ext_agent_host_id: p.hostId ?? HOST_ID,
    ...(p.clientId ? {} : { agent_name_hint: 'Loupe' }),
    ...(p.prompt ? { prompt: p.prompt } : {}),
    ...p.extra,
  };
  for (const [k, v] of Object.entries(q)) if (!p.omit?.includes(k)) url.searchParams.set(k, v);
  return { url, state, nonce, verifier, redirectUri };
}

async function exchange(as: oauth.AuthorizationServer, attempt: Attempt, callback: URL, clientId: string) {
  const client: oauth.Client = { client_id: clientId };
  const params = oauth.validateAuthResponse(as, client, callback, attempt.state);
  const res = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, attempt.redirectUri, attempt.verifier, {
    additionalParameters: { resource: RESOURCE },
    ...insecure,
  });
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, res, { expectedNonce: attempt.nonce, requireIdToken: true });
  await oauth.validateApplicationLevelSignature(as, res, insecure);
  return tokens;
}

async function refresh(as: oauth.AuthorizationServer, clientId: string, refreshToken: string) {
  const client: oauth.Client = { client_id: clientId };
  const res = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, {
    additionalParameters: { resource: RESOURCE },
    ...insecure,
  });
  const tokens = await oauth.processRefreshTokenResponse(as, client, res);
  if (tokens.id_token) await oauth.validateApplicationLevelSignature(as, res, insecure);
  return tokens;
}

async function refreshError(as: oauth.AuthorizationServer, clientId: string, refreshToken: string): Promise<string> {
  const err = await refresh(as, clientId, refreshToken).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(oauth.ResponseBodyError);
  return (err as oauth.ResponseBodyError).error;
}

async function postForm(url: string, body: Record<string, string>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json: json as Record<string, unknown> | undefined, type: res.headers.get('content-type') };
}

/** First registration through the fake browser, then the code exchange. */
async function register(server: AuthServer, as: oauth.AuthorizationServer, browser: Parameters<typeof completeAuthorizationInBrowser>[1] = {}) {
  const attempt = await authorizeUrl(as);
  const callback = await completeAuthorizationInBrowser(attempt.url.href, browser);
  const clientId = callback.searchParams.get('client_id');
  expect(clientId).toMatch(/^oaiapp_/);
  const tokens = await exchange(as, attempt, callback, clientId!);
  return { attempt, callback, clientId: clientId!, tokens };
}

const HOST_ID = `urn:uuid:${randomUUID()}`;

async function withServer<T>(opts: AuthServerOptions, fn: (server: AuthServer, as: oauth.AuthorizationServer) => Promise<T>) {
  const server = await startAuthServer(opts);
  try {
    return await fn(server, await discover(server));
  } finally {
    await server.close();
  }
}

describe('stand-in SIWC auth server: default configuration', () => {
  let server: AuthServer;
  let as: oauth.AuthorizationServer;

  beforeAll(async () => {
    server = await startAuthServer();
    as = await discover(server);
  });
  afterAll(() => server.close());

  it('publishes SIWC discovery metadata and an RS256 JWKS', async () => {
    expect(server.issuer).toBe(`http://127.0.0.1:${server.port}`);
    const doc = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: server.issuer,
      authorization_endpoint: `${server.issuer}/api/accounts/authorize`,
      token_endpoint: `${server.issuer}/api/accounts/oauth/token`,
      jwks_uri: `${server.issuer}/.well-known/jwks.json`,
      revocation_endpoint: `${server.issuer}/api/accounts/oauth/revoke`,
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['RS256'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(SIWC_SCOPE.split(' ')));
    const jwks = (await (await fetch(doc.jwks_uri as string)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0]!.kid).toEqual(expect.any(String));
    expect(jwks.keys[0]!.d).toBeUndefined();
    expect(server.requests.some((r) => r.endpoint === 'discovery')).toBe(true);
    expect(server.requests.some((r) => r.endpoint === 'jwks')).toBe(true);
  });

  it('registers a new oaiapp_ client on first sign-in and issues verifiable tokens', async () => {
    const pages: string[] = [];
    const before = server.tokenCalls('authorization_code');
    const { attempt, callback, clientId, tokens } = await register(server, as, { onPage: (p) => pages.push(p) });
    expect(pages).toEqual(['login', 'consent']);
    expect(callback.origin + callback.pathname).toBe(attempt.redirectUri);
    expect(callback.searchParams.get('state')).toBe(attempt.state);
    expect(callback.searchParams.get('iss')).toBe(server.issuer);
    expect(callback.searchParams.get('scope')?.split(' ').sort()).toEqual(SIWC_SCOPE.split(' ').sort());

    expect(tokens.token_type).toBe('bearer'); // oauth4webapi lower-cases it
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.scope?.split(' ').sort()).toEqual(SIWC_SCOPE.split(' ').sort());
    const claims = decodeJwt(tokens.id_token!);
    expect(claims).toMatchObject({ iss: server.issuer, aud: [clientId], nonce: attempt.nonce, email: 'alice@example.com', name: 'Alice Example' });
    expect(claims.sub).toEqual(expect.any(String));
    expect(typeof claims.iat).toBe('number');
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');

    const at = await server.verifyAccessToken(tokens.access_token);
    expect(at).toMatchObject({ sub: claims.sub, clientId });
    expect(at!.scopes).toContain('chatgpt.tokens.use.direct');
    expect(at!.expiresAt).toBeGreaterThan(Date.now() / 1000 + 3000);
    expect(await server.verifyAccessToken('not-a-token')).toBeNull();

    const registered = server.clients().find((c) => c.clientId === clientId);
    expect(registered).toMatchObject({ hostId: HOST_ID, agentName: 'Loupe' });
    expect(server.tokenCalls('authorization_code')).toBe(before + 1);
    const tokenReq = server.requests.filter((r) => r.endpoint === 'token').at(-1)!;
    expect(tokenReq.params).toMatchObject({ grant_type: 'authorization_code', client_id: clientId, resource: RESOURCE });
    const authReq = server.requests.filter((r) => r.endpoint === 'authorize').at(-1)!;
    expect(authReq.params).toMatchObject({ client_id: 'dynamic_agent_client', agent_name_hint: 'Loupe', ext_agent_host_id: HOST_ID });
  });

  it('reauth reuses the client, omits client_id on the callback and skips consent', async () => {
    const jar = new CookieJar();
    const first = await register(server, as, { jar });
    const count = server.clients().length;

    const pages: string[] = [];
    const attempt = await authorizeUrl(as, { clientId: first.clientId, port: 40001 });
    const callback = await completeAuthorizationInBrowser(attempt.url.href, { onPage: (p) => pages.push(p) });
    expect(pages).toEqual(['login']);
    expect(callback.port).toBe('40001');
    expect(callback.searchParams.has('client_id')).toBe(false);
    expect(callback.searchParams.get('code')).toBeTruthy();
    const tokens = await exchange(as, attempt, callback, first.clientId);
    expect(decodeJwt(tokens.id_token!).sub).toBe(decodeJwt(first.tokens.id_token!).sub);
    expect(server.clients()).toHaveLength(count);

    // Same browser profile, with id_token_hint and login_hint: no page at all.
    const again = await authorizeUrl(as, {
      clientId: first.clientId,
      extra: { id_token_hint: first.tokens.id_token!, login_hint: 'alice@example.com' },
    });
    const silentPages: string[] = [];
    const cb2 = await completeAuthorizationInBrowser(again.url.href, { jar, onPage: (p) => silentPages.push(p) });
    expect(silentPages).toEqual([]);
    await exchange(as, again, cb2, first.clientId);
  });

  it('prompt=consent shows the consent screen again on reauth', async () => {
    const jar = new CookieJar();
    const first = await register(server, as, { jar });
    const pages: string[] = [];
    const attempt = await authorizeUrl(as, { clientId: first.clientId, prompt: 'consent' });
    const callback = await completeAuthorizationInBrowser(attempt.url.href, { jar, onPage: (p) => pages.push(p) });
    expect(pages).toEqual(['consent']);
    expect(callback.searchParams.has('client_id')).toBe(false);
    const tokens = await exchange(as, attempt, callback, first.clientId);
    expect(tokens.refresh_token).toBeTruthy();
  });

  it('deny returns access_denied with state and registers nothing', async () => {
    const count = server.clients().length;
    const attempt = await authorizeUrl(as);
    const callback = await completeAuthorizationInBrowser(attempt.url.href, { decision: 'deny' });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(attempt.state);
    expect(callback.searchParams.has('code')).toBe(false);
    expect(callback.searchParams.has('client_id')).toBe(false);
    expect(server.clients()).toHaveLength(count);
    expect(() => oauth.validateAuthResponse(as, { client_id: 'x' }, callback, attempt.state)).toThrow(oauth.AuthorizationResponseError);
  });

  it('unticking "Use my ChatGPT plan" drops chatgpt.tokens.use.direct until prompt=consent re-enables it', async () => {
    const jar = new CookieJar();
    const { callback, clientId, tokens } = await register(server, as, { grantPlanUsage: false, jar });
    expect(callback.searchParams.get('scope')).not.toContain('chatgpt.tokens.use.direct');
    expect(tokens.scope).not.toContain('chatgpt.tokens.use.direct');
    expect(tokens.scope).toContain('resource.invoke');
    expect((await server.verifyAccessToken(tokens.access_token))!.scopes).not.toContain('chatgpt.tokens.use.direct');

    // Routine reauth keeps the earlier choice without asking.
    const routine = await authorizeUrl(as, { clientId });
    const pages: string[] = [];
    const cb2 = await completeAuthorizationInBrowser(routine.url.href, { jar, onPage: (p) => pages.push(p) });
    expect(pages).toEqual([]);
    expect((await exchange(as, routine, cb2, clientId)).scope).not.toContain('chatgpt.tokens.use.direct');

    const reenable = await authorizeUrl(as, { clientId, prompt: 'consent' });
    const cb3 = await completeAuthorizationInBrowser(reenable.url.href, { jar });
    expect((await exchange(as, reenable, cb3, clientId)).scope).toContain('chatgpt.tokens.use.direct');
  });

  it('accepts any loopback port but refuses localhost, a trailing slash and /callback', async () => {
    const { clientId } = await register(server, as);
    for (const redirectUri of ['http://localhost:51234/auth/callback', 'http://127.0.0.1:51234/auth/callback/', 'http://127.0.0.1:51234/callback']) {
      const attempt = await authorizeUrl(as, { clientId, redirectUri });
      await expect(completeAuthorizationInBrowser(attempt.url.href)).rejects.toThrow(/redirect_uri/);
    }
    // The exchange must repeat the exact redirect_uri.
    const attempt = await authorizeUrl(as, { clientId, port: 40123 });
    const callback = await completeAuthorizationInBrowser(attempt.url.href);
    const bad = await postForm(as.token_endpoint!, {
      grant_type: 'authorization_code',
      client_id: clientId,
      code: callback.searchParams.get('code')!,
      code_verifier: attempt.verifier,
      redirect_uri: `${attempt.redirectUri}/`,
      resource: RESOURCE,
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: 'invalid_grant' });
  });

  it('rejects authorization requests missing host ID, nonce, state or resource', async () => {
    for (const omit of ['ext_agent_host_id', 'nonce', 'resource']) {
      const attempt = await authorizeUrl(as, { omit: [omit] });
      const callback = await completeAuthorizationInBrowser(attempt.url.href);
      expect(callback.searchParams.get('error'), omit).toBe('invalid_request');
      expect(callback.searchParams.get('error_description'), omit).toContain(omit);
      expect(callback.searchParams.get('state')).toBe(attempt.state);
    }
    const noState = await authorizeUrl(as, { omit: ['state'] });
    expect((await completeAuthorizationInBrowser(noState.url.href)).searchParams.get('error')).toBe('invalid_request');
    const badHost = await authorizeUrl(as, { hostId: 'alice@example.com' });
    expect((await completeAuthorizationInBrowser(badHost.url.href)).searchParams.get('error')).toBe('invalid_request');
  });

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

describe('stand-in SIWC auth server: options', () => {
  it('errorShape nested and code shape every token-endpoint error', async () => {
    for (const [shape, expected] of [
      ['nested', { error: { code: 'invalid_client' } }],
      ['code', { code: 'invalid_client' }],
    ] as const) {
      await withServer({ errorShape: shape }, async (server, as) => {
        const res = await postForm(as.token_endpoint!, {
          grant_type: 'refresh_token',
          client_id: 'dynamic_agent_client',
          refresh_token: 'x',
          resource: RESOURCE,
        });
        expect(res.status).toBe(401);
        expect(res.json).toMatchObject(expected);
        expect(server.tokenCalls('refresh_token')).toBe(1);
      });
    }
  });

  it('earliest_refresh_at modes, no ID token on refresh, no iss advertised', async () => {
    await withServer(
      { earliestRefreshAt: 'iso', earliestRefreshDelay: 60, issueIdTokenOnRefresh: false, advertiseIss: false },
      async (server, as) => {
        expect(as.authorization_response_iss_parameter_supported).toBeUndefined();
        const attempt = await authorizeUrl(as);
        const callback = await completeAuthorizationInBrowser(attempt.url.href);
        expect(callback.searchParams.has('iss')).toBe(false);
        const clientId = callback.searchParams.get('client_id')!;
        const tokens = await exchange(as, attempt, callback, clientId);
        const earliest = Date.parse(tokens.earliest_refresh_at as string);
        expect(earliest).toBeGreaterThan(Date.now() + 50_000);
        const r = await refresh(as, clientId, tokens.refresh_token!);
        expect(r.id_token).toBeUndefined();
        expect(r.refresh_token).toBeTruthy();
      },
    );
    for (const [mode, check] of [
      ['number', (v: unknown) => expect(typeof v === 'number' && v > 1e9 && v < 1e11).toBe(true)],
      ['null', (v: unknown) => expect(v).toBeNull()],
      ['absent', (v: unknown) => expect(v).toBeUndefined()],
    ] as const) {
      await withServer({ earliestRefreshAt: mode }, async (server, as) => {
        const { tokens } = await register(server, as);
        check(tokens.earliest_refresh_at);
        expect('earliest_refresh_at' in tokens).toBe(mode !== 'absent');
      });
    }
  });

  it('expired refresh and access tokens', async () => {
    await withServer({ accessTokenTtl: 1, refreshTokenTtl: 1 }, async (server, as) => {
      const { clientId, tokens } = await register(server, as);
      expect(tokens.expires_in).toBe(1);
      await new Promise((r) => setTimeout(r, 1100));
      expect(await server.verifyAccessToken(tokens.access_token)).toBeNull();
      expect(await refreshError(as, clientId, tokens.refresh_token!)).toBe('refresh_token_expired');
    });
  });

  it('hints: another session account forces login; mismatched hints are refused; another login yields another sub', async () => {
    const users = [
      { email: 'alice@example.com', name: 'Alice' },
      { email: 'bob@example.com', name: 'Bob', password: 'hunter2' },
    ];
    await withServer({ users }, async (server, as) => {
      const aliceJar = new CookieJar();
      const alice = await register(server, as, { jar: aliceJar });
      const bob = await register(server, as, { email: 'bob@example.com', password: 'hunter2' });
      await expect(register(server, as, { email: 'bob@example.com', password: 'wrong' })).rejects.toThrow(/login rejected/);

      const pages: string[] = [];
      const attempt = await authorizeUrl(as, { clientId: bob.clientId, extra: { id_token_hint: bob.tokens.id_token! } });
      const cb = await completeAuthorizationInBrowser(attempt.url.href, {
        jar: aliceJar,
        email: 'bob@example.com',
        password: 'hunter2',
        onPage: (p) => pages.push(p),
      });
      expect(pages).toEqual(['login']);
      expect(decodeJwt((await exchange(as, attempt, cb, bob.clientId)).id_token!).sub).toBe(decodeJwt(bob.tokens.id_token!).sub);

      const mismatch = await authorizeUrl(as, {
        clientId: alice.clientId,
        extra: { id_token_hint: alice.tokens.id_token!, login_hint: 'bob@example.com' },
      });
      expect((await completeAuthorizationInBrowser(mismatch.url.href)).searchParams.get('error')).toBe('invalid_request');
      const forged = await authorizeUrl(as, {
        clientId: alice.clientId,
        extra: { id_token_hint: await server.signIdToken(decodeJwt(alice.tokens.id_token!), { key: 'rogue' }) },
      });
      const forgedCb = await completeAuthorizationInBrowser(forged.url.href);
      expect(forgedCb.searchParams.get('error_description')).toContain('id_token_hint');

      // Reauth of Alice's registration, but Bob logs in: the server doesn't stop it, the app must.
      const other = await authorizeUrl(as, { clientId: alice.clientId });
      const cb2 = await completeAuthorizationInBrowser(other.url.href, { email: 'bob@example.com', password: 'hunter2' });
      const tokens = await exchange(as, other, cb2, alice.clientId);
      expect(decodeJwt(tokens.id_token!).sub).not.toBe(decodeJwt(alice.tokens.id_token!).sub);
    });
  });
});

describe('stand-in SIWC auth server: faults', () => {
  let server: AuthServer;
  let as: oauth.AuthorizationServer;

  beforeAll(async () => {
    server = await startAuthServer();
    as = await discover(server);
  });
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
