/**
 * Issue #10 items 1, 2, 4 (sign-in side) and issue #8 item 5 (net.fetch
 * errors), against the stand-in authorization server: the browser page says
 * what Loupe decided, messages match what happened, refused grants are
 * revoked, and Chromium's `net::ERR_…` failures count as network errors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { completeAuthorizationInBrowser } from '../../servers/auth/auth-server';
import { type CoreFixture, createCoreFixture, signInThroughBrowser, waitForOpened, waitForState } from '../../support/core-fixture';
import { netFetchFailing } from '../../support/net-fetch';
import { fx, stack, useSignInFixture } from './sign-in-support';

const local: CoreFixture[] = [];

useSignInFixture();
afterEach(async () => {
  for (const f of local.splice(0)) await f.dispose();
});

const revokes = () => stack.auth.requests.filter((r) => r.endpoint === 'revoke');

/** Whether the server still honours this refresh token (RFC 7009: a revoked one is refused). */
async function refreshTokenAlive(refreshToken: string, clientId: string): Promise<boolean> {
  const response = await fetch(`${stack.auth.issuer}/api/accounts/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: clientId,
      resource: 'https://api.openai.com/v1',
    }),
  });
  return response.ok;
}

describe('the browser page says what Loupe decided', () => {
  it('a successful sign-in: "signed in"', async () => {
    const { page, state } = await signInThroughBrowser(fx);
    expect(state.account.status).toBe('signed_in');
    const html = await page.text();
    expect(html).toContain('Loupe is signed in.');
  });

  it('a callback refused for its iss: a failure page, never "Signed in"', async () => {
    stack.auth.faults.mutateCallback((u) => {
      u.searchParams.set('iss', 'http://127.0.0.1:1/evil');
      return u;
    });
    const { page, state } = await signInThroughBrowser(fx);
    expect(state.signIn.error?.code).toBe('invalid_callback');
    const html = await page.text();
    expect(html).toContain('Sign-in refused');
    expect(html).not.toContain('Signed in');
    expect(html).not.toContain('evil');
  });

  it('an ID token that fails verification: a failure page, and the grant it came with is revoked', async () => {
    let issued: { refresh: string; client: string } | undefined;
    stack.auth.faults.mutateTokenResponse(async (body, ctx) => {
      issued = { refresh: body.refresh_token as string, client: ctx.clientId };
      return { ...body, id_token: await stack.auth.signIdToken({ ...ctx.idTokenClaims!, nonce: 'not-the-nonce' }) };
    });
    const before = revokes().length;
    const { page, state } = await signInThroughBrowser(fx);
    expect(state.signIn.error?.code).toBe('invalid_id_token');
    expect(state.account.status).toBe('signed_out');
    const html = await page.text();
    expect(html).toContain('Loupe could not verify this sign-in');
    expect(html).not.toContain('Signed in');
    const revoke = revokes().slice(before);
    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.params.token).toBe(issued!.refresh);
    expect(revoke[0]!.params.token_type_hint).toBe('refresh_token');
    expect(await refreshTokenAlive(issued!.refresh, issued!.client)).toBe(false);
  });

  it('declined consent: the "declined" page', async () => {
    const { page, state } = await signInThroughBrowser(fx, { decision: 'deny' });
    expect(state.signIn.error?.code).toBe('access_denied');
    expect(await page.text()).toContain('Sign-in was declined');
  });
});

describe('messages match what happened', () => {
  it('a JWKS outage during a first sign-in says to try again, not that a session is kept; the grant is revoked', async () => {
    stack.auth.faults.jwksStatus(503, 5);
    const before = revokes().length;
    const { page, state } = await signInThroughBrowser(fx);
    expect(state.signIn.error).toMatchObject({ code: 'identity_verification_unavailable', retryable: true });
    expect(state.signIn.error?.message).toMatch(/could not be completed\. Please try again/);
    expect(state.signIn.error?.message).not.toMatch(/session is kept|try again shortly/);
    expect(state.account.status).toBe('signed_out');
    expect(await page.text()).toContain('could not reach the sign-in server');
    expect(revokes().length - before).toBe(1);
  });

  it('discovery that answers with a different issuer is issuer_mismatch and not retryable', async () => {
    const lying: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!href.includes('/.well-known/openid-configuration')) return response;
      const doc = (await response.json()) as Record<string, unknown>;
      return Response.json({ ...doc, issuer: 'https://issuer.attacker.example' });
    };
    const other = await createCoreFixture(stack, { deps: { fetch: lying } });
    local.push(other);
    const result = await other.run('auth.signIn');
    expect(result.error?.code).toBe('issuer_mismatch');
    expect(result.error?.retryable).toBeUndefined();
    expect(result.error?.message).not.toMatch(/Could not reach/);
    expect(result.error?.message).not.toContain('attacker');
  });

  it('a forged state is reported in the window at once while the attempt keeps waiting', async () => {
    await fx.run('auth.signIn');
    const callback = await completeAuthorizationInBrowser(await waitForOpened(fx, 1));
    const forged = new URL(callback);
    forged.searchParams.set('state', 'x'.repeat(43));
    expect((await fetch(forged)).status).toBe(400);
    const warned = fx.core.getState().signIn;
    expect(warned.phase).toBe('waiting');
    expect(warned.warning?.message).toBe('A sign-in response that Loupe did not start was ignored. Loupe is still waiting for yours.');
    expect(warned.error).toBeNull();
    const page = await fetch(callback);
    const done = await waitForState(fx.core, (s) => s.signIn.phase === 'idle');
    expect(done.account.status).toBe('signed_in');
    expect(done.signIn.warning ?? null).toBeNull();
    expect(await page.text()).toContain('Loupe is signed in.');
  });
});

describe("Electron's net.fetch failures are network errors", () => {
  it('a sign-in whose code exchange meets net::ERR_CONNECTION_REFUSED is a retryable network error', async () => {
    let down = false;
    const other = await createCoreFixture(stack, { deps: { fetch: netFetchFailing((url) => down && url.includes('/oauth/token')) } });
    local.push(other);
    await other.run('auth.signIn');
    const callback = await completeAuthorizationInBrowser(await waitForOpened(other, 1));
    down = true;
    const page = await fetch(callback);
    const state = await waitForState(other.core, (s) => s.signIn.phase === 'idle');
    expect(state.signIn.error).toMatchObject({ code: 'network_error', retryable: true });
    expect(await page.text()).toContain('could not reach the sign-in server');
  });

  it('a refresh that meets net::ERR_… keeps the session and backs off', async () => {
    let down = false;
    const other = await createCoreFixture(stack, { deps: { fetch: netFetchFailing((url) => down && url.includes('/oauth/token')) } });
    local.push(other);
    await signInThroughBrowser(other);
    down = true;
    const result = await other.run('auth.refreshNow');
    expect(result.error).toMatchObject({ code: 'network_error', retryable: true });
    expect(other.core.getState().account).toMatchObject({ status: 'signed_in', problem: { code: 'network_error' } });
  });

  it('a JWKS fetch that meets net::ERR_… during a refresh is an identity outage, the session kept', async () => {
    let down = false;
    const other = await createCoreFixture(stack, { deps: { fetch: netFetchFailing((url) => down && url.includes('jwks')) } });
    local.push(other);
    await signInThroughBrowser(other);
    await other.restart();
    down = true;
    const result = await other.run('auth.refreshNow');
    expect(result.error).toMatchObject({ code: 'identity_verification_unavailable', retryable: true });
    expect(result.error?.message).toMatch(/session is kept/);
    expect(other.core.getState().account.status).toBe('signed_in');
  });
});
