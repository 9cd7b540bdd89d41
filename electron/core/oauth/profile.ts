/**
 * How an OAuth-backed account talks to its authorization server: where the
 * metadata comes from (discovery or explicit endpoints), how the client
 * authenticates (public client, or RFC 6749 §2.3.1 client secret), which extra
 * token parameters it sends (RFC 8707 `resource` for ChatGPT), what its token
 * responses must satisfy, and how its refusals are worded.
 */
import * as oauth from 'oauth4webapi';
import type { Clock } from '../kernel/deps';
import type { LoupeError } from '../kernel/errors';
import { withoutTrailingSlash } from '../kernel/urls';
import { Discovery, type MetadataSource, StaticMetadata } from './discovery';
import type { Endpoints } from './endpoints';
import { type TokenEndpointFailure, oauthError } from './errors';
import type { HttpVia } from './http-options';
import { type CustomProvider, checkProviderUrl } from './provider-config';

/** What a provider's token responses must satisfy beyond RFC 6749. */
export interface TokenRules {
  /** A code response must name the granted scope (SIWC notes §6.2). */
  grantedScopeRequired: boolean;
  /** A grant with offline_access must carry a refresh token (SIWC notes §6.2). */
  refreshTokenWithOfflineAccess: boolean;
  /** The server may say when Loupe may refresh next (`earliest_refresh_at`, SIWC notes §6.4); other servers' are not read. */
  earliestRefreshAt: boolean;
}

/** One authorization server as a client sees it (RFC 6749 §2, RFC 8414 §2), with its rules and words. */
export interface OAuthProfile extends HttpVia {
  /** Who the person signs in with, as messages name it: "ChatGPT", or the custom provider's label. */
  name: string;
  metadata: MetadataSource;
  tokenParams: Record<string, string>;
  clientAuth(): oauth.ClientAuth;
  /** `openid` was requested, so the provider must return an ID token (OIDC Core §3.1.3.3). */
  oidc: boolean;
  tokenRules: TokenRules;
  /** Scopes assumed when a code response does not name the granted ones (RFC 6749 §5.1). */
  defaultScopes: string[];
  /** A refused code exchange, in words the person can act on. */
  codeRefused(failure: TokenEndpointFailure): LoupeError;
  /** A re-sign-in verified as another person. */
  mismatchMessage: string;
}

const SIWC_RULES: TokenRules = { grantedScopeRequired: true, refreshTokenWithOfflineAccess: true, earliestRefreshAt: true };
const PLAIN_RULES: TokenRules = { grantedScopeRequired: false, refreshTokenWithOfflineAccess: false, earliestRefreshAt: false };

/** Sign in with ChatGPT: a public client (RFC 6749 §2.1) with PKCE and a resource indicator (RFC 8707). */
export function chatgptProfile(endpoints: Endpoints, discovery: Discovery, fetchImpl: typeof fetch, clock: Clock): OAuthProfile {
  return {
    name: 'ChatGPT',
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
        return oauthError('invalid_grant', 'The sign-in code expired or was already used. Please continue with ChatGPT again.', {
          retryable: true,
        });
      }
      if (failure.code === 'invalid_client')
        return oauthError('invalid_client', 'The sign-in server does not accept Loupe’s registration. Please try again later.');
      return oauthError('token_exchange_failed', `The sign-in server refused the sign-in (HTTP ${failure.status}). Please try again.`, {
        retryable: failure.status >= 500,
      });
    },
    mismatchMessage: 'You signed in as a different ChatGPT account than this one, so nothing was changed. Use "Add account" for another account.',
  };
}

const profiles = new WeakMap<CustomProvider, OAuthProfile>();

/**
 * A company's own OAuth 2.0 / OpenID Connect server: discovery when an issuer
 * is given (RFC 8414), else the endpoints as entered; a public client or a
 * confidential one (RFC 6749 §2.3.1); OIDC only when `openid` is asked for.
 */
export function customProfile(account: { label: string; provider: CustomProvider }, fetchImpl: typeof fetch, clock: Clock): OAuthProfile {
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
    name: account.label,
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
        ? oauthError('invalid_client', `${account.label} did not accept Loupe's client id or secret. Check the provider settings.`)
        : oauthError(
            'token_exchange_failed',
            `${account.label} refused the sign-in (HTTP ${failure.status}${failure.code ? `, ${failure.code}` : ''}).`,
          ),
    mismatchMessage: `You signed in to ${account.label} as a different user, so nothing was changed. Add it as another account instead.`,
  };
  profiles.set(provider, profile);
  return profile;
}
