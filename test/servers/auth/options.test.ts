import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { CookieJar, completeAuthorizationInBrowser } from './auth-server';
import { RESOURCE, authorizeUrl, exchange, refresh, refreshError, postForm, register, withServer } from './test-client';

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
