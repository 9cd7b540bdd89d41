/**
 * How an OAuth-backed account talks to its authorization server: where the
 * metadata comes from (discovery or explicit endpoints), how the client
 * authenticates (public client, or RFC 6749 §2.3.1 client secret), and which
 * extra token parameters it sends (RFC 8707 `resource` for ChatGPT).
 */
import * as oauth from 'oauth4webapi';
import { LoupeError } from '../errors';
import { UNSAFE_URL_CHARS } from '../external-links';
import type { CustomAccount } from '../vault';
import { Discovery } from './discovery';
import { type Endpoints, isLoopbackHost } from './endpoints';

export interface MetadataSource {
  get(): Promise<oauth.AuthorizationServer>;
  /** See Discovery.forgetKeys. */
  forgetKeys(as: oauth.AuthorizationServer): boolean;
}

export interface OAuthProfile {
  metadata: MetadataSource;
  allowInsecure: boolean;
  fetch: typeof fetch;
  tokenParams: Record<string, string>;
  clientAuth(): oauth.ClientAuth;
  /** `openid` was requested, so the provider must return an ID token. */
  oidc: boolean;
  /** Sign in with ChatGPT's stricter token rules apply. */
  siwc: boolean;
}

export function chatgptProfile(endpoints: Endpoints, discovery: Discovery, fetchImpl: typeof fetch): OAuthProfile {
  return {
    metadata: discovery,
    allowInsecure: endpoints.allowInsecure,
    fetch: fetchImpl,
    tokenParams: { resource: endpoints.resource },
    clientAuth: () => oauth.None(),
    oidc: true,
    siwc: true,
  };
}

/** Metadata written by hand (a provider without discovery); keys are fetched from `jwks_uri` when present. */
export class StaticMetadata implements MetadataSource {
  #as: oauth.AuthorizationServer;
  constructor(as: oauth.AuthorizationServer) {
    this.#as = as;
  }
  get(): Promise<oauth.AuthorizationServer> {
    return Promise.resolve(this.#as);
  }
  forgetKeys(as: oauth.AuthorizationServer): boolean {
    if (as !== this.#as) return false;
    this.#as = { ...as };
    return true;
  }
}

/** https everywhere, plain http only on loopback hosts (local testing). */
export function checkProviderUrl(raw: string, what: string): URL {
  let url: URL;
  if (UNSAFE_URL_CHARS.test(raw)) throw new LoupeError('invalid_provider', `${what} contains spaces, control or invisible characters.`, { field: what });
  try {
    url = new URL(raw);
  } catch {
    throw new LoupeError('invalid_provider', `${what} is not a valid URL.`, { field: what });
  }
  // Credentials in a URL end up in logs, screens and Referer headers; tokens and keys go elsewhere.
  if (url.username || url.password) throw new LoupeError('invalid_provider', `${what} must not contain a user name or password.`, { field: what });
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return url;
  throw new LoupeError('invalid_provider', `${what} must use https (plain http is allowed only for 127.0.0.1 or localhost).`, { field: what });
}

const profiles = new WeakMap<CustomAccount['provider'], OAuthProfile>();

export function customProfile(account: CustomAccount, fetchImpl: typeof fetch): OAuthProfile {
  const provider = account.provider;
  const cached = profiles.get(provider);
  if (cached) return cached;
  const urls = [provider.issuer, provider.authorizationEndpoint, provider.tokenEndpoint, provider.revocationEndpoint, provider.jwksUri, provider.apiBase].filter(
    (u): u is string => !!u,
  );
  const allowInsecure = urls.some((u) => new URL(u).protocol === 'http:');
  let metadata: MetadataSource;
  if (provider.issuer) {
    const issuer = checkProviderUrl(provider.issuer, 'Issuer URL');
    const issuerId = issuer.href.replace(/\/$/, '');
    metadata = new Discovery(
      { issuer: new URL(issuerId), issuerId, apiBase: new URL(provider.apiBase), resource: '', allowInsecure, testIssuer: null },
      fetchImpl,
      { requireRevocation: false, requireJwks: provider.scopes.includes('openid') },
    );
  } else {
    metadata = new StaticMetadata({
      issuer: provider.authorizationEndpoint ? new URL(provider.authorizationEndpoint).origin : 'urn:loupe:unknown-issuer',
      authorization_endpoint: provider.authorizationEndpoint,
      token_endpoint: provider.tokenEndpoint,
      ...(provider.revocationEndpoint ? { revocation_endpoint: provider.revocationEndpoint } : {}),
      ...(provider.jwksUri ? { jwks_uri: provider.jwksUri } : {}),
    });
  }
  const profile: OAuthProfile = {
    metadata,
    allowInsecure,
    fetch: fetchImpl,
    tokenParams: {},
    clientAuth: () => {
      if (provider.clientAuthMethod === 'none' || !provider.clientSecret) return oauth.None();
      return provider.clientAuthMethod === 'client_secret_post' ? oauth.ClientSecretPost(provider.clientSecret) : oauth.ClientSecretBasic(provider.clientSecret);
    },
    oidc: provider.scopes.includes('openid'),
    siwc: false,
  };
  profiles.set(provider, profile);
  return profile;
}
