/** What the code exchange refuses: forged ID tokens, malformed token responses. */
import { describe, expect, it } from 'vitest';
import { readTree, signInThroughBrowser } from '../../support/core-fixture';
import { stack, fx, useSignInFixture } from './sign-in-support';

useSignInFixture();

describe('Continue with ChatGPT: token verification', () => {
  const forged: Array<[string, (claims: Record<string, unknown>) => Record<string, unknown>, { key?: 'rogue'; alg?: 'HS256' | 'none' }]> = [
    ['a wrong nonce', (c) => ({ ...c, nonce: 'not-the-nonce' }), {}],
    ['a wrong audience', (c) => ({ ...c, aud: ['oaiapp_other'] }), {}],
    ['two audiences without azp', (c) => ({ ...c, aud: [...(c.aud as string[]), 'oaiapp_other'] }), {}],
    ['a wrong issuer', (c) => ({ ...c, iss: 'http://127.0.0.1:1' }), {}],
    ['an expired token', (c) => ({ ...c, exp: Math.floor(Date.now() / 1000) - 10 }), {}],
    ['a signature by an unknown key', (c) => c, { key: 'rogue' }],
    ['an HS256 signature', (c) => c, { alg: 'HS256' }],
    ['alg none', (c) => c, { alg: 'none' }],
  ];
  it.each(forged)('rejects an ID token with %s', async (_name, change, signing) => {
    stack.auth.faults.mutateTokenResponse(async (body, ctx) => ({
      ...body,
      id_token: await stack.auth.signIdToken(change(ctx.idTokenClaims!), signing),
    }));
    const { state } = await signInThroughBrowser(fx);
    expect(state.signIn.error?.code).toBe('invalid_id_token');
    expect(state.account.status).toBe('signed_out');
    const files = await readTree(fx.dataDir);
    expect(files.some((f) => f.content.includes('oaiapp_'))).toBe(false);
  });

  it('accepts an ID token 4 s past exp (5 s tolerance)', async () => {
    stack.auth.faults.mutateTokenResponse(async (body, ctx) => ({
      ...body,
      id_token: await stack.auth.signIdToken({ ...ctx.idTokenClaims!, exp: Math.floor(Date.now() / 1000) - 3 }),
    }));
    const { state } = await signInThroughBrowser(fx);
    expect(state.account.status).toBe('signed_in');
  });

  it.each([
    ['no scope', (b: Record<string, unknown>) => ({ ...b, scope: undefined })],
    ['token_type mac', (b: Record<string, unknown>) => ({ ...b, token_type: 'mac' })],
    ['expires_in 0', (b: Record<string, unknown>) => ({ ...b, expires_in: 0 })],
    ['no refresh token despite offline_access', (b: Record<string, unknown>) => ({ ...b, refresh_token: undefined })],
  ])('refuses a token response with %s', async (_name, change) => {
    stack.auth.faults.mutateTokenResponse((body) => JSON.parse(JSON.stringify(change(body))) as Record<string, unknown>);
    const { state } = await signInThroughBrowser(fx);
    expect(state.signIn.error?.code).toBe('invalid_token_response');
    expect(state.account.status).toBe('signed_out');
  });
});
