import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { Discovery, StaticMetadata } from '../../../../electron/core/oauth/discovery';
import { resolveEndpoints } from '../../../../electron/core/oauth/endpoints';
import { chatgptProfile, customProfile } from '../../../../electron/core/oauth/profile';
import type { CustomProvider } from '../../../../electron/core/oauth/provider-config';
import { ManualClock } from '../../../support/manual-clock';

const clock = new ManualClock();
const noFetch = (async () => {
  throw new TypeError('no network in this test');
}) as typeof fetch;
const provider = (over: Partial<CustomProvider> = {}): CustomProvider => ({
  issuer: 'https://login.example.com/',
  clientId: 'gateway',
  clientAuthMethod: 'none',
  scopes: ['offline_access'],
  extraParams: {},
  apiBase: 'https://llm.example.com/v1',
  useChatCompletions: false,
  ...over,
});

/** What a ClientAuth puts on a token request, read off the request it builds. */
async function authOf(auth: oauth.ClientAuth): Promise<{ header: string | null; body: string }> {
  const headers = new Headers();
  const body = new URLSearchParams();
  await auth({ issuer: 'https://login.example.com' }, { client_id: 'gateway' }, body, headers);
  return { header: headers.get('authorization'), body: body.toString() };
}

describe('chatgptProfile', () => {
  const endpoints = resolveEndpoints({}, { dev: false });
  const profile = chatgptProfile(endpoints, new Discovery(endpoints, noFetch, clock), noFetch, clock);

  it('a public OIDC client that sends the resource indicator and holds the server to the SIWC rules', () => {
    expect(profile.name).toBe('ChatGPT');
    expect(profile.tokenParams).toEqual({ resource: 'https://api.openai.com/v1' });
    expect(profile.oidc).toBe(true);
    expect(profile.tokenRules).toEqual({ grantedScopeRequired: true, refreshTokenWithOfflineAccess: true, earliestRefreshAt: true });
    expect(profile.allowInsecure).toBe(false);
  });

  it('words a refused code by what the server said', () => {
    expect(profile.codeRefused({ status: 400, code: 'invalid_grant', requestId: null })).toMatchObject({
      code: 'invalid_grant',
      options: { retryable: true },
    });
    expect(profile.codeRefused({ status: 401, code: 'invalid_client', requestId: null }).code).toBe('invalid_client');
    expect(profile.codeRefused({ status: 502, code: null, requestId: null })).toMatchObject({
      code: 'token_exchange_failed',
      options: { retryable: true },
    });
    expect(profile.codeRefused({ status: 400, code: 'odd', requestId: null }).options.retryable).toBe(false);
  });
});

describe('customProfile', () => {
  it('is named by its label, discovers from its issuer, and is OIDC only when openid is asked for', () => {
    const plain = customProfile({ label: 'Acme', provider: provider() }, noFetch, clock);
    expect(plain.name).toBe('Acme');
    expect(plain.metadata).toBeInstanceOf(Discovery);
    expect(plain.oidc).toBe(false);
    expect(plain.tokenParams).toEqual({});
    expect(plain.defaultScopes).toEqual(['offline_access']);
    expect(plain.tokenRules.earliestRefreshAt).toBe(false);
    expect(customProfile({ label: 'Acme', provider: provider({ scopes: ['openid'] }) }, noFetch, clock).oidc).toBe(true);
  });

  it('without an issuer, the endpoints as entered, and plain http only when one of them is a loopback stand-in', async () => {
    const entered = provider({
      issuer: undefined,
      authorizationEndpoint: 'http://127.0.0.1:9000/authorize',
      tokenEndpoint: 'http://127.0.0.1:9000/token',
    });
    const profile = customProfile({ label: 'Local', provider: entered }, noFetch, clock);
    expect(profile.metadata).toBeInstanceOf(StaticMetadata);
    expect(await profile.metadata.get()).toEqual({
      issuer: 'http://127.0.0.1:9000',
      authorization_endpoint: 'http://127.0.0.1:9000/authorize',
      token_endpoint: 'http://127.0.0.1:9000/token',
    });
    expect(profile.allowInsecure).toBe(true);
    expect(customProfile({ label: 'Acme', provider: provider() }, noFetch, clock).allowInsecure).toBe(false);
  });

  it('authenticates as a public client, or with its secret in the header or the body', async () => {
    const as = (over: Partial<CustomProvider>) => customProfile({ label: 'Acme', provider: provider(over) }, noFetch, clock).clientAuth();
    expect(await authOf(as({}))).toEqual({ header: null, body: 'client_id=gateway' });
    const basic = await authOf(as({ clientSecret: 's3', clientAuthMethod: 'client_secret_basic' }));
    expect(basic.header).toMatch(/^Basic /);
    expect(basic.body).not.toContain('s3');
    expect((await authOf(as({ clientSecret: 's3', clientAuthMethod: 'client_secret_post' }))).body).toContain('client_secret=s3');
    // A secret-less "confidential" method stays a public client rather than sending an empty secret.
    expect((await authOf(as({ clientAuthMethod: 'client_secret_post' }))).body).toBe('client_id=gateway');
  });

  it('words a refusal and a different user in the provider’s name', () => {
    const profile = customProfile({ label: 'Acme', provider: provider() }, noFetch, clock);
    expect(profile.codeRefused({ status: 401, code: 'invalid_client', requestId: null }).message).toContain('Acme did not accept');
    expect(profile.codeRefused({ status: 400, code: 'invalid_grant', requestId: null }).message).toBe(
      'Acme refused the sign-in (HTTP 400, invalid_grant).',
    );
    expect(profile.mismatchMessage).toContain('signed in to Acme as a different user');
  });

  it('is built once per provider configuration', () => {
    const config = provider();
    expect(customProfile({ label: 'Acme', provider: config }, noFetch, clock)).toBe(
      customProfile({ label: 'Acme', provider: config }, noFetch, clock),
    );
    expect(customProfile({ label: 'Acme', provider: provider() }, noFetch, clock)).not.toBe(
      customProfile({ label: 'Acme', provider: config }, noFetch, clock),
    );
  });
});
