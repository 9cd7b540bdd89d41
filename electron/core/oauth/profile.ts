/**
 * How an OAuth-backed account talks to its authorization server: where the
 * metadata comes from (discovery or explicit endpoints), how the client
 * authenticates (public client, or RFC 6749 §2.3.1 client secret), and which
 * extra token parameters it sends (RFC 8707 `resource` for ChatGPT).
 */
import * as oauth from 'oauth4webapi';
import type { Clock } from '../kernel/deps';
import { LoupeError } from '../kernel/errors';
import type { CustomAccount } from '../accounts/vault-schema';
import { Discovery } from './discovery';
import { CREDENTIALS_URL_RULE, INSECURE_URL_RULE, checkSecureUrl, withoutTrailingSlash } from '../kernel/urls';
import type { Endpoints } from './endpoints';
import type { TokenEndpointFailure } from './token-errors';
import type { TokenRules } from './token-response';

export interface MetadataSource {
  get(): Promise<oauth.AuthorizationServer>;
  /** See Discovery.forgetKeys. */
  forgetKeys(as: oauth.AuthorizationServer): boolean;
}

export interface OAuthProfile {
  metadata: MetadataSource;
  allowInsecure: boolean;
  fetch: typeof fetch;
  clock: Clock;
  tokenParams: Record<string, string>;
  clientAuth(): oauth.ClientAuth;
  /** `openid` was requested, so the provider must return an ID token. */
  oidc: boolean;
  tokenRules: TokenRules;
  /** Scopes assumed when a code response does not name the granted ones. */
  defaultScopes: string[];
  /** A refused code exchange, in words the person can act on. */
  codeRefused(failure: TokenEndpointFailure): LoupeError;
  /** A re-sign-in verified as another person. */
  mismatchMessage: string;
}

const SIWC_RULES: TokenRules = { grantedScopeRequired: true, refreshTokenWithOfflineAccess: true, earliestRefreshAt: true };
const PLAIN_RULES: TokenRules = { grantedScopeRequired: false, refreshTokenWithOfflineAccess: false, earliestRefreshAt: false };

export function chatgptProfile(endpoints: Endpoints, discovery: Discovery, fetchImpl: typeof fetch, clock: Clock): OAuthProfile {
  return {
    metadata: discovery,
    allowInsecure: endpoints.allowInsecure,
    fetch: fetchImpl,
    clock,
    tokenParams: { resource: endpoints.resource },
    clientAuth: () => oauth.None(),
    oidc: true,
    tokenRules: SIWC_RULES,
    defaultScopes: [],
    codeRefused: (failure) => {
      if (failure.code === 'invalid_grant') {
        return new LoupeError('invalid_grant', 'The sign-in code expired or was already used. Please continue with ChatGPT again.', {
          retryable: true,
        });
      }
      if (failure.code === 'invalid_client')
        return new LoupeError('invalid_client', 'The sign-in server does not accept Loupe’s registration. Please try again later.');
      return new LoupeError('token_exchange_failed', `The sign-in server refused the sign-in (HTTP ${failure.status}). Please try again.`, {
        retryable: failure.status >= 500,
      });
    },
    mismatchMessage: 'You signed in as a different ChatGPT account than this one, so nothing was changed. Use "Add account" for another account.',
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
  const url = checkSecureUrl(raw);
  if (url === 'invalid')
    throw new LoupeError('invalid_provider', `${what} is not a valid URL (or contains spaces, control or invisible characters).`, { field: what });
  if (url === 'insecure') throw new LoupeError('invalid_provider', `${what} ${INSECURE_URL_RULE}.`, { field: what });
  if (url === 'credentials') throw new LoupeError('invalid_provider', `${what} ${CREDENTIALS_URL_RULE}.`, { field: what });
  return url;
}

const profiles = new WeakMap<CustomAccount['provider'], OAuthProfile>();

export function customProfile(account: CustomAccount, fetchImpl: typeof fetch, clock: Clock): OAuthProfile {
  const provider = account.provider;
  const cached = profiles.get(provider);
  if (cached) return cached;
  const urls = [
    provider.issuer,
    provider.authorizationEndpoint,
    provider.tokenEndpoint,
    provider.revocationEndpoint,
    provider.jwksUri,
    provider.apiBase,
  ].filter((u): u is string => !!u);
  const allowInsecure = urls.some((u) => new URL(u).protocol === 'http:');
  let metadata: MetadataSource;
  if (provider.issuer) {
    const issuer = checkProviderUrl(provider.issuer, 'Issuer URL');
    const issuerId = withoutTrailingSlash(issuer.href);
    metadata = new Discovery(
      { issuer: new URL(issuerId), issuerId, apiBase: new URL(provider.apiBase), resource: '', allowInsecure, testIssuer: null },
      fetchImpl,
      clock,
      { requireRevocation: false, requireJwks: provider.scopes.includes('openid') },
    );
  } else {
    metadata = new StaticMetadata({
      issuer: provider.authorizationEndpoint ? new URL(provider.authorizationEndpoint).origin : 'urn:loupe:unknown-issuer',
      ...(provider.authorizationEndpoint ? { authorization_endpoint: provider.authorizationEndpoint } : {}),
      ...(provider.tokenEndpoint ? { token_endpoint: provider.tokenEndpoint } : {}),
      ...(provider.revocationEndpoint ? { revocation_endpoint: provider.revocationEndpoint } : {}),
      ...(provider.jwksUri ? { jwks_uri: provider.jwksUri } : {}),
    });
  }
  const profile: OAuthProfile = {
    metadata,
    allowInsecure,
    fetch: fetchImpl,
    clock,
    tokenParams: {},
    clientAuth: () => {
      if (provider.clientAuthMethod === 'none' || !provider.clientSecret) return oauth.None();
      return provider.clientAuthMethod === 'client_secret_post'
        ? oauth.ClientSecretPost(provider.clientSecret)
        : oauth.ClientSecretBasic(provider.clientSecret);
    },
    oidc: provider.scopes.includes('openid'),
    tokenRules: PLAIN_RULES,
    defaultScopes: provider.scopes,
    codeRefused: (failure) =>
      failure.code === 'invalid_client'
        ? new LoupeError('invalid_client', `${account.label} did not accept Loupe's client id or secret. Check the provider settings.`)
        : new LoupeError(
            'token_exchange_failed',
            `${account.label} refused the sign-in (HTTP ${failure.status}${failure.code ? `, ${failure.code}` : ''}).`,
          ),
    mismatchMessage: `You signed in to ${account.label} as a different user, so nothing was changed. Add it as another account instead.`,
  };
  profiles.set(provider, profile);
  return profile;
}
