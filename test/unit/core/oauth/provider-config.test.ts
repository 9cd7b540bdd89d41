import { describe, expect, it } from 'vitest';
import { LoupeError } from '../../../../electron/core/kernel/errors';
import { CustomProviderSchema, checkProviderUrl, parseCustomProvider } from '../../../../electron/core/oauth/provider-config';

describe('checkProviderUrl', () => {
  it('checkProviderUrl refuses a user name or password, and unreadable characters', () => {
    for (const raw of [
      'https://user:secret@api.example.com/v1',
      'https://user@api.example.com/v1',
      'http://:secret@127.0.0.1:8080/v1',
      'https://api.example.com/\u202Ev1',
      'https://api.exa mple.com/',
    ]) {
      let error: unknown;
      try {
        checkProviderUrl(raw, 'API base URL');
      } catch (e) {
        error = e;
      }
      expect(error, raw).toBeInstanceOf(LoupeError);
      expect((error as LoupeError).code).toBe('invalid_provider');
      expect((error as LoupeError).message).not.toContain('secret');
    }
    expect(checkProviderUrl('https://api.example.com/v1', 'API base URL').href).toBe('https://api.example.com/v1');
  });

  it('names the field it refuses, for the form to point at', () => {
    expect(() => checkProviderUrl('http://login.example.com', 'Token endpoint')).toThrowError(
      expect.objectContaining({ code: 'invalid_provider', options: expect.objectContaining({ field: 'Token endpoint' }) }),
    );
    expect(checkProviderUrl('http://127.0.0.1:8080/token', 'Token endpoint').port).toBe('8080');
  });
});

describe('parseCustomProvider', () => {
  const form = { clientId: ' gateway ', scopes: ' openid  offline_access ', apiBase: 'https://llm.example.com/v1/' };

  it('an issuer for discovery: a public client, scopes split, the API base without its trailing slash', () => {
    const provider = parseCustomProvider({ ...form, issuer: ' https://login.example.com ' });
    expect(provider).toEqual({
      issuer: 'https://login.example.com',
      clientId: 'gateway',
      clientAuthMethod: 'none',
      scopes: ['openid', 'offline_access'],
      extraParams: {},
      apiBase: 'https://llm.example.com/v1',
      useChatCompletions: false,
    });
    expect(CustomProviderSchema.parse(provider)).toEqual(provider);
  });

  it('explicit endpoints instead of an issuer, with the optional ones kept', () => {
    const provider = parseCustomProvider({
      ...form,
      authorizationEndpoint: 'https://login.example.com/authorize',
      tokenEndpoint: 'https://login.example.com/token',
      revocationEndpoint: 'https://login.example.com/revoke',
      jwksUri: ' ',
      extraParams: { audience: 'api' },
      useChatCompletions: true,
    });
    expect(provider).toMatchObject({
      authorizationEndpoint: 'https://login.example.com/authorize',
      tokenEndpoint: 'https://login.example.com/token',
      revocationEndpoint: 'https://login.example.com/revoke',
      extraParams: { audience: 'api' },
      useChatCompletions: true,
    });
    expect(provider).not.toHaveProperty('issuer');
    expect(provider).not.toHaveProperty('jwksUri');
  });

  it('a secret makes a confidential client: basic unless post was chosen; a blank secret is none', () => {
    const issuer = 'https://login.example.com';
    expect(parseCustomProvider({ ...form, issuer, clientSecret: 's3', clientAuthMethod: 'none' })).toMatchObject({
      clientSecret: 's3',
      clientAuthMethod: 'client_secret_basic',
    });
    expect(parseCustomProvider({ ...form, issuer, clientSecret: 's3', clientAuthMethod: 'client_secret_post' }).clientAuthMethod).toBe(
      'client_secret_post',
    );
    const blank = parseCustomProvider({ ...form, issuer, clientSecret: '  ', clientAuthMethod: 'client_secret_post' });
    expect(blank.clientAuthMethod).toBe('none');
    expect(blank).not.toHaveProperty('clientSecret');
  });

  it('refuses neither an issuer nor both endpoints, and an insecure URL in any field', () => {
    expect(() => parseCustomProvider({ ...form, authorizationEndpoint: 'https://login.example.com/authorize' })).toThrowError(
      expect.objectContaining({ code: 'invalid_provider', options: expect.objectContaining({ field: 'issuer' }) }),
    );
    expect(() => parseCustomProvider({ ...form, issuer: 'https://login.example.com', jwksUri: 'http://keys.example.com/jwks' })).toThrowError(
      expect.objectContaining({ code: 'invalid_provider', options: expect.objectContaining({ field: 'JWKS URL' }) }),
    );
    expect(() => parseCustomProvider({ ...form, issuer: 'https://login.example.com', apiBase: 'http://llm.example.com/v1' })).toThrowError(
      expect.objectContaining({ options: expect.objectContaining({ field: 'API base URL' }) }),
    );
  });
});
