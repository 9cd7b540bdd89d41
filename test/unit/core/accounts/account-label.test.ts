import { describe, expect, it } from 'vitest';
import { accountStatus, labelOf, withoutCredentials } from '../../../../electron/core/accounts/account-label';
import type { Account } from '../../../../electron/core/accounts/vault/vault-schema';

const session = { subject: 's', registeredAt: 0, lastRefreshAt: null };
const tokens = { accessToken: 'a', expiresAt: 1, scopes: [], savedAt: 0 };
const chatgpt = (over: Record<string, unknown> = {}) =>
  ({ id: 'c', kind: 'chatgpt', issuer: 'i', clientId: 'oaiapp_x', welcomeShown: false, email: null, name: null, ...session, ...over }) as Account;
const custom = (over: Record<string, unknown> = {}) =>
  ({
    id: 'g',
    kind: 'custom',
    label: 'Gateway',
    provider: { clientId: 'x', clientAuthMethod: 'none', scopes: [], extraParams: {}, apiBase: 'https://llm.example.com', useChatCompletions: false },
    email: null,
    name: null,
    ...session,
    ...over,
  }) as Account;
const apiKey = (over: Record<string, unknown> = {}) =>
  ({
    id: 'k',
    kind: 'api_key',
    label: 'Key',
    baseUrl: 'https://api.openai.com/v1',
    apiKey: 'sk',
    useChatCompletions: false,
    createdAt: 0,
    ...over,
  }) as Account;

describe('labelOf', () => {
  it('a ChatGPT account by its email, else its name, else generically; others by their label', () => {
    expect(labelOf(chatgpt({ email: 'a@example.com', name: 'A' }))).toBe('a@example.com');
    expect(labelOf(chatgpt({ name: 'A' }))).toBe('A');
    expect(labelOf(chatgpt())).toBe('ChatGPT account');
    expect(labelOf(custom({ email: 'a@example.com' }))).toBe('Gateway');
    expect(labelOf(apiKey())).toBe('Key');
  });
});

describe('accountStatus', () => {
  const problem = { code: 'invalid_grant', message: 'm' };
  it('signed in with tokens (or a refresh being verified); needs sign-in once the grant ended with a reason', () => {
    expect(accountStatus(undefined)).toBe('signed_out');
    expect(accountStatus(custom({ tokens }))).toBe('signed_in');
    expect(accountStatus(custom({ pendingRefresh: { body: {}, receivedAt: 0 } }))).toBe('signed_in');
    expect(accountStatus(custom({ problem }))).toBe('needs_sign_in');
    expect(accountStatus(chatgpt())).toBe('signed_out');
  });
  it('an API key is signed in until the server rejects it', () => {
    expect(accountStatus(apiKey())).toBe('signed_in');
    expect(accountStatus(apiKey({ problem }))).toBe('needs_sign_in');
  });
});

describe('withoutCredentials', () => {
  it('shows an API base without a user name or password, and anything unreadable not at all', () => {
    expect(withoutCredentials('https://api.example.com/v1')).toBe('https://api.example.com/v1');
    expect(withoutCredentials('https://me:secret@api.example.com/v1')).toBe('https://api.example.com/v1');
    expect(withoutCredentials('https://me@api.example.com/')).toBe('https://api.example.com');
    expect(withoutCredentials('not a url')).toBeNull();
    expect(withoutCredentials(null)).toBeNull();
  });
});
