import { describe, expect, it } from 'vitest';
import { EMPTY_VAULT, VaultDataSchema, isOAuthAccount, oauthClientId } from '../../../../../electron/core/accounts/vault/vault-schema';

const chatgpt = {
  id: 'c',
  kind: 'chatgpt',
  issuer: 'https://auth.openai.com',
  clientId: 'oaiapp_1',
  subject: 's',
  email: null,
  name: null,
  registeredAt: 0,
};
const custom = {
  id: 'g',
  kind: 'custom',
  label: 'Gateway',
  provider: { clientId: 'gw', clientAuthMethod: 'none', scopes: [], extraParams: {}, apiBase: 'https://llm.example.com', useChatCompletions: false },
  subject: null,
  email: null,
  name: null,
  registeredAt: 0,
};

describe('the vault’s shape', () => {
  it('fills defaults written by older versions and keeps the accounts of each kind', () => {
    const data = VaultDataSchema.parse({ version: 1, accounts: [chatgpt, custom], activeAccountId: 'c' });
    expect(data.accounts[0]).toMatchObject({ kind: 'chatgpt', welcomeShown: false, lastRefreshAt: null });
    expect(data.accounts[1]).toMatchObject({ kind: 'custom', label: 'Gateway' });
    expect(VaultDataSchema.parse(EMPTY_VAULT)).toEqual(EMPTY_VAULT);
  });

  it('a problem code this version does not know reads as needs_sign_in, its words kept', () => {
    const data = VaultDataSchema.parse({
      version: 1,
      accounts: [{ ...custom, problem: { code: 'from_the_future', message: 'm' } }],
      activeAccountId: null,
    });
    expect(data.accounts[0]!.problem).toEqual({ code: 'needs_sign_in', message: 'm' });
  });

  it('refuses what is not a vault: another version, an empty token, an unknown kind', () => {
    expect(VaultDataSchema.safeParse({ version: 2, accounts: [], activeAccountId: null }).success).toBe(false);
    const emptyToken = { ...chatgpt, tokens: { accessToken: '', expiresAt: 1, scopes: [], savedAt: 0 } };
    expect(VaultDataSchema.safeParse({ version: 1, accounts: [emptyToken], activeAccountId: null }).success).toBe(false);
    expect(VaultDataSchema.safeParse({ version: 1, accounts: [{ ...chatgpt, kind: 'other' }], activeAccountId: null }).success).toBe(false);
  });

  it('an OAuth account’s client id is the issued registration or the configured one', () => {
    const [c, g] = VaultDataSchema.parse({ version: 1, accounts: [chatgpt, custom], activeAccountId: null }).accounts;
    expect(isOAuthAccount(c) && oauthClientId(c)).toBe('oaiapp_1');
    expect(isOAuthAccount(g) && oauthClientId(g)).toBe('gw');
    expect(isOAuthAccount(undefined)).toBe(false);
  });
});
