import { describe, expect, it } from 'vitest';
import { apiKeyAccess, oauthAccess } from '../../../../electron/core/accounts/account-access';
import type { Session } from '../../../../electron/core/accounts/session';
import type { ApiKeyAccount, CustomAccount } from '../../../../electron/core/accounts/vault/vault-schema';
import { resolveEndpoints } from '../../../../electron/core/oauth/endpoints';

const key: ApiKeyAccount = {
  id: 'k',
  kind: 'api_key',
  label: 'Work key',
  baseUrl: 'https://llm.example.com/v1',
  apiKey: 'sk-1',
  useChatCompletions: true,
  createdAt: 0,
};

describe('apiKeyAccess', () => {
  it('reads the key afresh for every call, so an edit or a removal takes effect at once', async () => {
    let current: ApiKeyAccount | undefined = key;
    const access = apiKeyAccess(key, () => current);
    expect(access).toMatchObject({ id: 'k', kind: 'api_key', label: 'Work key', useChatCompletions: true, planRules: false });
    expect(access.apiBase.href).toBe('https://llm.example.com/v1');
    expect(await access.accessToken()).toBe('sk-1');
    current = { ...key, apiKey: 'sk-2' };
    expect(await access.accessToken()).toBe('sk-2');
    current = undefined;
    await expect(access.accessToken()).rejects.toMatchObject({ code: 'unknown_account' });
  });

  it('a 401 is the end of the key: nothing to renew', async () => {
    await expect(apiKeyAccess(key, () => key).afterUnauthorized('sk-1')).rejects.toMatchObject({
      code: 'invalid_api_key',
      message: expect.stringContaining('Work key'),
    });
  });
});

describe('oauthAccess', () => {
  const session = { accessToken: async () => 'at', afterUnauthorized: async (t: string) => `${t}+1` } as unknown as Session;
  const endpoints = resolveEndpoints({}, { dev: false });

  it('a custom provider calls its own API base with its own wire rules, through its session', async () => {
    const account = {
      id: 'g',
      kind: 'custom',
      label: 'Gateway',
      provider: { apiBase: 'https://llm.example.com/v1', useChatCompletions: true },
    } as unknown as CustomAccount;
    const access = oauthAccess(account, session, endpoints);
    expect(access).toMatchObject({ id: 'g', kind: 'custom', label: 'Gateway', useChatCompletions: true, planRules: false });
    expect(access.apiBase.href).toBe('https://llm.example.com/v1');
    expect(await access.accessToken()).toBe('at');
    expect(await access.afterUnauthorized('at')).toBe('at+1');
  });

  it('a ChatGPT account calls OpenAI’s API under the plan rules', () => {
    const account = { id: 'c', kind: 'chatgpt', email: 'a@example.com', name: null } as never;
    const access = oauthAccess(account, session, endpoints);
    expect(access).toMatchObject({ kind: 'chatgpt', label: 'a@example.com', planRules: true, useChatCompletions: false });
    expect(access.apiBase.href).toBe('https://api.openai.com/v1');
  });
});
