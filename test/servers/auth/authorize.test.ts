import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { CookieJar, completeAuthorizationInBrowser, SIWC_SCOPE, type AuthServer } from './auth-server';
import { RESOURCE, HOST_ID, startDiscovered, authorizeUrl, exchange, postForm, register } from './test-client';

describe('stand-in SIWC auth server: discovery and authorize', () => {
  let server: AuthServer;
  let as: oauth.AuthorizationServer;

  beforeAll(async () => ({ server, as } = await startDiscovered()));
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
});
