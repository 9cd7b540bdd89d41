/**
 * A custom provider's session speaks of that provider, never of ChatGPT: a
 * grant the provider ended, a session that ran out, a renewal verified as
 * someone else. A ChatGPT account keeps its own words.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completeAuthorizationInBrowser } from '../../servers/auth/auth-server';
import { type StandIns, startStandIns } from '../../servers/stack';
import { type CoreFixture, createCoreFixture, signInThroughBrowser, waitForOpened, waitForState } from '../../support/core-fixture';
import { ManualClock } from '../../support/manual-clock';

const LABEL = 'Acme Gateway';

let stack: StandIns;
let fx: CoreFixture;

beforeAll(async () => {
  stack = await startStandIns({
    auth: {
      users: [{ email: 'alice@example.com', name: 'Alice Example' }],
      staticClients: [{ client_id: 'gateway-public' }, { client_id: 'gateway-norefresh', refreshTokens: false, accessTokenTtl: 120 }],
    },
  });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  stack.auth.faults.reset();
  fx = await createCoreFixture(stack);
});
afterEach(async () => {
  await fx.dispose();
});

/** Adds the custom provider and signs in to it through its pages. */
async function signInToGateway(fixture: CoreFixture, clientId = 'gateway-public', scopes = 'openid email offline_access') {
  const started = await fixture.run('accounts.addCustom', {
    label: LABEL,
    clientId,
    scopes,
    issuer: stack.endpoints.issuer,
    apiBase: stack.endpoints.apiBase,
  });
  expect(started.ok).toBe(true);
  const callback = await completeAuthorizationInBrowser(await waitForOpened(fixture, 1), { email: 'alice@example.com' });
  await fetch(callback);
  const state = await waitForState(fixture.core, (s) => s.signIn.phase === 'idle');
  expect(state.account).toMatchObject({ kind: 'custom', label: LABEL, status: 'signed_in' });
}

/** The words are the provider's: its name, and never ChatGPT's. */
function expectProviderWords(message: string | undefined) {
  expect(message).toContain(LABEL);
  expect(message).not.toMatch(/ChatGPT/);
}

describe("a custom provider's session names its provider", () => {
  it('a grant the provider revoked: the refresh, the account and the next API call say so in its name', async () => {
    await signInToGateway(fx);
    await stack.auth.revokeAllForUser('alice@example.com');
    const result = await fx.run('auth.refreshNow');
    expect(result.error?.code).toBe('invalid_grant');
    expectProviderWords(result.error?.message);
    const account = fx.core.getState().account;
    expect(account).toMatchObject({ status: 'needs_sign_in', problem: { code: 'invalid_grant' } });
    expectProviderWords(account.problem?.message);
    await expect(fx.session.accessToken()).rejects.toMatchObject({ code: 'invalid_grant', message: account.problem?.message });
  });

  it.each(['refresh_token_reused', 'refresh_token_invalidated', 'refresh_token_expired', 'token_expired', 'invalid_scope'])(
    'a refresh refused with %s ends the session in the provider’s name',
    async (code) => {
      await signInToGateway(fx);
      stack.auth.faults.tokenStatus(400, { error: code }, 1, 'refresh_token');
      const result = await fx.run('auth.refreshNow');
      expect(result.error?.code).toBe(code);
      expectProviderWords(result.error?.message);
      expect(fx.core.getState().account.status).toBe('needs_sign_in');
    },
  );

  it('a renewal verified as another person is refused in the provider’s name', async () => {
    await signInToGateway(fx);
    stack.auth.faults.mutateTokenResponse(async (body, ctx) => {
      expect(ctx.idTokenClaims, 'the stand-in sends an ID token on refresh for openid clients').toBeDefined();
      return { ...body, id_token: await stack.auth.signIdToken({ ...ctx.idTokenClaims!, sub: 'someone-else' }) };
    });
    const result = await fx.run('auth.refreshNow');
    expect(result.error?.code).toBe('account_mismatch');
    expectProviderWords(result.error?.message);
    expect(fx.core.getState().account.status).toBe('needs_sign_in');
  });

  it('a session without a refresh token that runs out names its provider', async () => {
    const clock = new ManualClock();
    const local = await createCoreFixture(stack, { clock });
    try {
      await signInToGateway(local, 'gateway-norefresh', 'openid offline_access');
      clock.advance(121_000);
      const expired = await waitForState(local.core, (s) => s.account.status === 'needs_sign_in');
      expect(expired.account.problem?.code).toBe('session_expired');
      expectProviderWords(expired.account.problem?.message);
    } finally {
      await local.dispose();
    }
  });

  it('a ChatGPT account keeps speaking of ChatGPT', async () => {
    await signInThroughBrowser(fx);
    await stack.auth.revokeAllForUser('alice@example.com');
    const result = await fx.run('auth.refreshNow');
    expect(result.error?.code).toBe('refresh_token_invalidated');
    expect(result.error?.message).toBe('Loupe was disconnected from your ChatGPT account (for example in ChatGPT settings). Please sign in again.');
  });
});
