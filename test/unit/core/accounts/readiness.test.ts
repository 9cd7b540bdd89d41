import { describe, expect, it } from 'vitest';
import { abilities, batchAccess } from '../../../../electron/core/accounts/readiness';
import type { Account } from '../../../../electron/core/accounts/vault/vault-schema';

const tokens = (scopes: string[], refreshToken: string | null = 'rt') => ({
  accessToken: 'at',
  refreshToken,
  idToken: null,
  scopes,
  expiresAt: 2_000_000_000_000,
  savedAt: 1_900_000_000_000,
});
/** A company OAuth provider with a Responses-compatible server. */
const gatewayAccount = () =>
  ({ id: 'c', kind: 'custom', label: 'Gateway', tokens: tokens(['openid']), provider: { useChatCompletions: false } }) as unknown as Account;

describe('account abilities (the one place the core decides what a person may do)', () => {
  it('lets an API-key account analyse and list models, but not refresh', () => {
    const account = { id: 'k', kind: 'api_key', label: 'Key', baseUrl: 'https://api.openai.com/v1', useChatCompletions: false } as unknown as Account;
    const can = abilities(account, 'signed_in');
    expect(can.analyse).toEqual({ allowed: true, reason: null });
    expect(can.listModels.allowed).toBe(true);
    expect(can.refresh.allowed).toBe(false);
    expect(can.refresh.reason).toMatch(/API keys do not expire/);
    expect(can.signOut.allowed).toBe(true);
  });

  it('lets a custom OAuth account analyse without any ChatGPT plan', () => {
    const account = gatewayAccount();
    expect(abilities(account, 'signed_in').analyse.allowed).toBe(true);
    expect(abilities(account, 'signed_in').refresh.allowed).toBe(true);
  });

  it('refuses a ChatGPT sign-in without plan usage, saying why', () => {
    const account = { id: 'g', kind: 'chatgpt', tokens: tokens(['openid']) } as unknown as Account;
    const can = abilities(account, 'signed_in');
    expect(can.analyse.allowed).toBe(false);
    expect(can.analyse.reason).toMatch(/plan usage is not enabled/);
    const withPlan = { ...account, tokens: tokens(['openid', 'chatgpt.tokens.use.direct']) } as unknown as Account;
    expect(abilities(withPlan, 'signed_in').analyse.allowed).toBe(true);
  });

  it('refuses everything but adding photos when signed out or when the account needs a new sign-in', () => {
    const signedOut = abilities(undefined, 'signed_out');
    expect(Object.values(signedOut).every((a) => !a.allowed && a.reason)).toBe(true);
    const custom = { id: 'c', kind: 'custom', label: 'Gateway', tokens: null } as unknown as Account;
    expect(abilities(custom, 'needs_sign_in').analyse.reason).toMatch(/Sign in again/);
    expect(abilities(custom, 'needs_sign_in').signOut.allowed).toBe(true);
  });

  it('refuses refresh for a grant without a refresh token', () => {
    const account = {
      id: 'c',
      kind: 'custom',
      label: 'Gateway',
      tokens: tokens(['openid'], null),
      provider: { useChatCompletions: false },
    } as unknown as Account;
    expect(abilities(account, 'signed_in').refresh.reason).toMatch(/cannot be renewed/);
  });

  it('offers Batch mode only where the account’s server has a Batch API for the Responses API', () => {
    const key = { id: 'k', kind: 'api_key', label: 'Key', baseUrl: 'https://api.openai.com/v1', useChatCompletions: false } as unknown as Account;
    expect(abilities(key, 'signed_in').batch).toEqual({ allowed: true, reason: null });
    const chatKey = { ...key, useChatCompletions: true } as unknown as Account;
    expect(batchAccess(chatKey, 'signed_in')).toEqual({ allowed: false, reason: expect.stringMatching(/Chat Completions/) });
    const plan = { id: 'g', kind: 'chatgpt', tokens: tokens(['openid', 'chatgpt.tokens.use.direct']) } as unknown as Account;
    expect(abilities(plan, 'signed_in').analyse.allowed).toBe(true);
    expect(abilities(plan, 'signed_in').batch).toEqual({ allowed: false, reason: expect.stringMatching(/ChatGPT-plan sign-ins have no Batch API/) });
    const gateway = gatewayAccount();
    expect(batchAccess(gateway, 'signed_in').allowed).toBe(true);
    // Whatever refuses analysing refuses batches too, with the same reason.
    expect(batchAccess(key, 'needs_sign_in')).toEqual(abilities(key, 'needs_sign_in').analyse);
    expect(batchAccess(undefined, 'signed_out').reason).toBe('Sign in first.');
  });
});
