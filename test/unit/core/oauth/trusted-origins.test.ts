import { describe, expect, it } from 'vitest';
import {
  OPENAI_API_ORIGIN,
  apiKeyConfirmation,
  customProviderConfirmation,
  isOpenAiHost,
  refuseOpenAiEndpoints,
} from '../../../../electron/core/oauth/trusted-origins';
import type { CustomProvider } from '../../../../electron/core/oauth/provider-config';

const provider: CustomProvider = {
  issuer: 'https://login.example.com',
  tokenEndpoint: 'https://login.example.com/token',
  clientId: 'gateway',
  clientAuthMethod: 'none',
  scopes: ['openid'],
  extraParams: {},
  apiBase: 'https://llm.example.com/v1',
  useChatCompletions: false,
};

describe('OpenAI’s hosts', () => {
  it('knows which hosts are OpenAI’s', () => {
    for (const host of ['openai.com', 'auth.openai.com', 'api.openai.com', 'chatgpt.com', 'ab.chatgpt.com', 'AUTH.OpenAI.com.'])
      expect(isOpenAiHost(host), host).toBe(true);
    for (const host of ['notopenai.com', 'openai.com.evil.example', 'chatgpt.co', 'example.com']) expect(isOpenAiHost(host), host).toBe(false);
  });

  it('a custom provider may not point any of its servers at them, named by field', () => {
    expect(() => refuseOpenAiEndpoints(provider)).not.toThrow();
    expect(() => refuseOpenAiEndpoints({ ...provider, revocationEndpoint: 'https://auth.openai.com/oauth/revoke' })).toThrowError(
      expect.objectContaining({ code: 'openai_domain_refused', options: expect.objectContaining({ field: 'revocationEndpoint' }) }),
    );
    // The API base is the provider's own business: it is where its tokens are meant to go.
    expect(() => refuseOpenAiEndpoints({ ...provider, apiBase: 'https://api.openai.com/v1' })).not.toThrow();
  });
});

describe('confirmations', () => {
  it('an API key for OpenAI’s own API needs none; for another server it names that origin only', () => {
    expect(apiKeyConfirmation(new URL(`${OPENAI_API_ORIGIN}/v1`))).toBeNull();
    const asked = apiKeyConfirmation(new URL('https://llm.example.com:8443/v1'));
    expect(asked?.origins).toEqual(['https://llm.example.com:8443']);
    expect(asked?.message).toContain('https://llm.example.com:8443');
  });

  it('a custom provider names every origin its secrets and photos go to, each once', () => {
    const asked = customProviderConfirmation('Gateway', { ...provider, jwksUri: 'https://keys.example.com/jwks' });
    expect(asked.origins).toEqual(['https://login.example.com', 'https://keys.example.com', 'https://llm.example.com']);
    expect(asked.message).toContain('“Gateway” at https://login.example.com, https://keys.example.com');
    expect(asked.message).toContain('to https://llm.example.com');
    expect(customProviderConfirmation('x'.repeat(200), provider).message).toContain(`“${'x'.repeat(80)}”`);
  });
});
