import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuthServerOptions } from '../../servers/auth/auth-server';
import { type StandIns, startStandIns } from '../../servers/stack';
import { type FixtureOptions, createCoreFixture, readTree, signInThroughBrowser, waitForState } from '../../support/core-fixture';
import { ManualClock } from '../../support/manual-clock';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.useRealTimers();
  while (cleanups.length) await cleanups.pop()!();
});

async function signedIn(authOptions: AuthServerOptions = {}, fixtureOptions: FixtureOptions = {}) {
  const stack = await startStandIns({ auth: authOptions });
  const fx = await createCoreFixture(stack, fixtureOptions);
  cleanups.push(
    () => stack.close(),
    () => fx.dispose(),
  );
  const { state } = await signInThroughBrowser(fx);
  expect(state.account.status).toBe('signed_in');
  return { stack, fx };
}

/** The refresh token the server issued most recently, read off the wire. */
function lastRefreshTokenParam(stack: StandIns): string | undefined {
  const req = stack.auth.requests.filter((r) => r.endpoint === 'token' && r.params.grant_type === 'refresh_token').at(-1);
  return req?.params.refresh_token as string | undefined;
}

const refreshCalls = (stack: StandIns) => stack.auth.tokenCalls('refresh_token');

describe('token lifecycle', () => {
  it('refreshes proactively, two minutes before expiry by default', async () => {
    const clock = new ManualClock();
    const { stack, fx } = await signedIn({}, { clock });
    const before = fx.core.getState().account;
    expect(before.expiresAt).not.toBeNull();
    clock.advance(before.expiresAt! - clock.now() - 121_000);
    expect(refreshCalls(stack)).toBe(0);
    clock.advance(2_000);
    const after = await waitForState(fx.core, (s) => s.account.lastRefreshAt !== null && !s.account.refreshing);
    expect(refreshCalls(stack)).toBe(1);
    expect(after.account.expiresAt).toBeGreaterThan(before.expiresAt!);
    expect(after.account.status).toBe('signed_in');
    // The refresh carried the resource indicator and no scope (notes §6.3).
    const req = stack.auth.requests.filter((r) => r.endpoint === 'token').at(-1)!;
    expect(req.params.resource).toBe('https://api.openai.com/v1');
    expect(req.params.scope).toBeUndefined();
  });

  it('50 concurrent callers near expiry share exactly one refresh request', async () => {
    const clock = new ManualClock();
    const { stack, fx } = await signedIn({}, { clock });
    const oldToken = await fx.session.accessToken();
    clock.now = (() => {
      const t = Date.now() + 3_590_000;
      return () => t;
    })();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => fx.session.accessToken()));
    expect(refreshCalls(stack)).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(oldToken);
    expect(await stack.auth.verifyAccessToken(tokens[0]!)).not.toBeNull();
  });

  it('sends the newest refresh token every time (rotation)', async () => {
    const { stack, fx } = await signedIn();
    await fx.run('auth.refreshNow');
    const first = lastRefreshTokenParam(stack);
    await fx.run('auth.refreshNow');
    const second = lastRefreshTokenParam(stack);
    expect(first).toBeDefined();
    expect(second).not.toBe(first);
    expect(fx.core.getState().account.status).toBe('signed_in');
  });

  it('refreshes once after a 401 and retries the request', async () => {
    const { stack, fx } = await signedIn();
    await waitForState(fx.core, (s) => s.models.status === 'ready');
    const token = await fx.session.accessToken();
    const next = await fx.session.afterUnauthorized(token);
    expect(next).not.toBe(token);
    expect(refreshCalls(stack)).toBe(1);
    // A second 401 with the same (already replaced) token does not refresh again.
    expect(await fx.session.afterUnauthorized(token)).toBe(next);
    expect(refreshCalls(stack)).toBe(1);
  });

  it('a crash after the refresh but before ID-token verification recovers without reusing the refresh token', async () => {
    const { stack, fx } = await signedIn();
    // A fresh process has no cached key set, so verifying needs the JWKS, which is down.
    await fx.restart();
    stack.auth.faults.jwksStatus(503, 5);
    // Make the renewed ID token expire within seconds, so the restart happens after its exp.
    stack.auth.faults.mutateTokenResponse(async (body, ctx) => ({
      ...body,
      id_token: await stack.auth.signIdToken({ ...ctx.idTokenClaims!, exp: Math.floor(Date.now() / 1000) + 1 }),
    }));
    const result = await fx.run('auth.refreshNow');
    expect(result.error?.code).toBe('identity_verification_unavailable');
    expect(refreshCalls(stack)).toBe(1);
    expect(fx.core.getState().account.status).toBe('signed_in');
    await expect(fx.session.accessToken()).rejects.toMatchObject({ code: 'identity_verification_unavailable' });
    expect(refreshCalls(stack)).toBe(1);

    // A minute later, well past the renewed ID token's exp and the clock tolerance: move the
    // system time (which oauth4webapi, the stand-in and the core's clock read) instead of waiting.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + 60_000);
    stack.auth.faults.reset();
    await fx.restart();
    const token = await fx.session.accessToken();
    expect(refreshCalls(stack)).toBe(1);
    expect(await stack.auth.verifyAccessToken(token)).not.toBeNull();
    const state = await waitForState(fx.core, (s) => s.account.lastRefreshAt !== null);
    expect(state.account.problem).toBeNull();
    // The rotated refresh token still works: it was never replayed.
    await fx.run('auth.refreshNow');
    expect(fx.core.getState().account.status).toBe('signed_in');
    expect(refreshCalls(stack)).toBe(2);
  });

  it('a lost refresh response keeps the old token; the next try meets refresh_token_reused and asks to sign in again', async () => {
    const { stack, fx } = await signedIn();
    stack.auth.faults.dropAfterRefreshRotation(1);
    const lost = await fx.run('auth.refreshNow');
    expect(lost.error?.code).toBe('network_error');
    expect(fx.core.getState().account.status).toBe('signed_in');
    const reused = await fx.run('auth.refreshNow');
    expect(reused.error?.code).toBe('refresh_token_reused');
    const state = fx.core.getState();
    expect(state.account.status).toBe('needs_sign_in');
    expect(state.account.problem?.message).toMatch(/sign in again/i);
    // The registration stays: the next sign-in reuses the issued client id.
    const again = await signInThroughBrowser(fx);
    expect(again.authorizeUrl.searchParams.get('client_id')).toMatch(/^oaiapp_/);
    expect(again.state.account.status).toBe('signed_in');
  });

  it('a revoked grant (disconnected in ChatGPT) moves the account to needs sign-in', async () => {
    const { stack, fx } = await signedIn();
    await stack.auth.revokeAllForUser('alice@example.com');
    const result = await fx.run('auth.refreshNow');
    expect(result.error?.code).toBe('refresh_token_invalidated');
    expect(fx.core.getState().account).toMatchObject({ status: 'needs_sign_in', problem: { code: 'refresh_token_invalidated' } });
    await expect(fx.session.accessToken()).rejects.toMatchObject({ code: 'refresh_token_invalidated' });
  });

  it.each(['rfc', 'nested', 'code'] as const)('classifies the %s error body shape', async (errorShape) => {
    const { stack, fx } = await signedIn({ errorShape });
    await stack.auth.revokeAllForUser('alice@example.com');
    expect((await fx.run('auth.refreshNow')).error?.code).toBe('refresh_token_invalidated');
  });

  it('invalid_client wipes nothing; a 5xx keeps the session and retries later', async () => {
    const { stack, fx } = await signedIn();
    stack.auth.faults.tokenStatus(401, { error: 'invalid_client' }, 1, 'refresh_token');
    expect((await fx.run('auth.refreshNow')).error?.code).toBe('invalid_client');
    expect(fx.core.getState().account.status).toBe('signed_in');
    stack.auth.faults.tokenStatus(503, 'upstream down', 1, 'refresh_token');
    const transient = await fx.run('auth.refreshNow');
    expect(transient.error).toMatchObject({ code: 'server_unavailable', retryable: true });
    expect(fx.core.getState().account).toMatchObject({ status: 'signed_in', problem: { code: 'server_unavailable' } });
    expect((await fx.run('auth.refreshNow')).ok).toBe(true);
    expect(fx.core.getState().account.problem).toBeNull();
  });

  it('retries a transient refresh failure by itself after a backoff', async () => {
    const clock = new ManualClock();
    const { stack, fx } = await signedIn({}, { clock });
    stack.auth.faults.tokenStatus(503, 'busy', 1, 'refresh_token');
    // The proactive refresh comes due and meets a 503.
    clock.advance(fx.core.getState().account.expiresAt! - clock.now() - 100_000);
    const failed = await waitForState(fx.core, (s) => s.account.problem?.code === 'server_unavailable' && !s.account.refreshing);
    expect(failed.account.status).toBe('signed_in');
    expect(refreshCalls(stack)).toBe(1);
    clock.advance(10_000);
    await waitForState(fx.core, (s) => s.account.lastRefreshAt !== null && !s.account.refreshing);
    expect(refreshCalls(stack)).toBe(2);
    expect(fx.core.getState().account.problem).toBeNull();
  });

  it('a retry after a failed "refresh now" contacts the server; only its success clears the failing state', async () => {
    const clock = new ManualClock();
    const { stack, fx } = await signedIn({}, { clock });
    stack.auth.faults.tokenStatus(503, 'busy', 1, 'refresh_token');
    // Far from expiry: nothing is due, the person asked for a refresh and it failed.
    expect((await fx.run('auth.refreshNow')).error).toMatchObject({ code: 'server_unavailable', retryable: true });
    expect(fx.core.getState().account).toMatchObject({ problem: { code: 'server_unavailable' }, renewsAt: null });
    expect(refreshCalls(stack)).toBe(1);
    // The backoff (5 s ± 20 %) passes: the retry must renew with the server, not just forget the failure.
    clock.advance(10_000);
    const after = await waitForState(fx.core, (s) => !s.account.refreshing);
    expect(refreshCalls(stack)).toBe(2);
    expect(after.account.problem).toBeNull();
    expect(after.account.lastRefreshAt).not.toBeNull();
  });

  it('verifies an ID token signed with a rotated key after one JWKS refetch', async () => {
    const { stack, fx } = await signedIn();
    await stack.auth.rotateSigningKey();
    const jwksBefore = stack.auth.requests.filter((r) => r.endpoint === 'jwks').length;
    expect((await fx.run('auth.refreshNow')).ok).toBe(true);
    expect(stack.auth.requests.filter((r) => r.endpoint === 'jwks').length).toBe(jwksBefore + 1);
    expect(fx.core.getState().account.status).toBe('signed_in');
  });

  it('does not refresh before earliest_refresh_at while the token is valid; after expiry it reports refresh_not_ready', async () => {
    const clock = new ManualClock();
    const { stack, fx } = await signedIn({ earliestRefreshAt: 'iso', earliestRefreshDelay: 7200 }, { clock });
    clock.advance(3_500_000);
    await fx.session.accessToken();
    expect(refreshCalls(stack)).toBe(0);
    clock.advance(200_000);
    await expect(fx.session.accessToken()).rejects.toMatchObject({ code: 'refresh_not_ready' });
    expect(refreshCalls(stack)).toBe(0);
  });

  it.each(['number', 'null', 'absent'] as const)('parses earliest_refresh_at given as %s', async (earliestRefreshAt) => {
    const { fx } = await signedIn({ earliestRefreshAt });
    expect((await fx.run('auth.refreshNow')).ok).toBe(true);
  });
});

describe('sign out', () => {
  it('revokes the refresh token, deletes local tokens and keeps the registration', async () => {
    const { stack, fx } = await signedIn();
    await fx.run('auth.refreshNow');
    const rt = [...fx.secrets].find((s) => lastRefreshTokenParam(stack) !== s && s.length > 20);
    expect(rt).toBeDefined();
    const result = await fx.run('auth.signOut');
    expect(result).toMatchObject({ ok: true, value: { revoked: true } });
    const revoke = stack.auth.requests.filter((r) => r.endpoint === 'revoke').at(-1)!;
    expect(Object.keys(revoke.params).sort()).toEqual(['client_id', 'token', 'token_type_hint']);
    expect(revoke.params.token_type_hint).toBe('refresh_token');
    // A refresh with the revoked token now fails at the server.
    const retry = await fetch(`${stack.auth.issuer}/api/accounts/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: revoke.params.token as string,
        client_id: revoke.params.client_id as string,
        resource: 'https://api.openai.com/v1',
      }),
    });
    expect(retry.status).toBe(400);
    expect(fx.core.getState().account.status).toBe('signed_out');
    expect(fx.core.getState().models.items).toEqual([]);
    const files = await readTree(fx.dataDir);
    for (const secret of fx.secrets) for (const f of files) expect(f.content.includes(secret)).toBe(false);
  });

  it('retries revocation once after a 503', async () => {
    const { stack, fx } = await signedIn();
    stack.auth.faults.revokeStatus(503, 1);
    expect(await fx.run('auth.signOut')).toMatchObject({ ok: true, value: { revoked: true } });
    expect(stack.auth.requests.filter((r) => r.endpoint === 'revoke')).toHaveLength(2);
  });

  it('still deletes local tokens when revocation fails, and says so', async () => {
    const { stack, fx } = await signedIn();
    stack.auth.faults.revokeDrop(2);
    expect(await fx.run('auth.signOut')).toMatchObject({ ok: true, value: { revoked: false } });
    expect(fx.core.getState().account.status).toBe('signed_out');
  });

  it('revokes the checkpoint token when a refresh is still pending verification', async () => {
    const { stack, fx } = await signedIn();
    await fx.restart();
    stack.auth.faults.jwksStatus(503, 5);
    expect((await fx.run('auth.refreshNow')).error?.code).toBe('identity_verification_unavailable');
    stack.auth.faults.reset();
    await fx.run('auth.signOut');
    const revoke = stack.auth.requests.filter((r) => r.endpoint === 'revoke').at(-1)!;
    const refreshReq = stack.auth.requests.filter((r) => r.endpoint === 'token' && r.params.grant_type === 'refresh_token').at(-1)!;
    expect(revoke.params.token).not.toBe(refreshReq.params.refresh_token);
  });
});
