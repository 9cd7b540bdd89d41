/**
 * A custom provider's configuration: the OAuth 2.0 / OpenID Connect server a
 * company runs (issuer for discovery, or its endpoints), Loupe's client there
 * (RFC 6749 §2), and the API its tokens are for. Parsed from the "add custom
 * provider" form, refusing insecure or incomplete ones; kept in the vault.
 */
import { z } from 'zod';
import { CREDENTIALS_URL_RULE, INSECURE_URL_RULE, checkSecureUrl, withoutTrailingSlash } from '../kernel/urls';
import { oauthError } from './errors';

/** A client's registration at an authorization server (RFC 6749 §2) and where its metadata is (RFC 8414). */
export const CustomProviderSchema = z.object({
  /** Discovery (RFC 8414 / OIDC) issuer; or the explicit endpoints below. */
  issuer: z.string().optional(),
  authorizationEndpoint: z.string().optional(),
  tokenEndpoint: z.string().optional(),
  revocationEndpoint: z.string().optional(),
  jwksUri: z.string().optional(),
  clientId: z.string(),
  /** Present for confidential clients; a secret, so it lives only in the vault, encrypted. */
  clientSecret: z.string().optional(),
  clientAuthMethod: z.enum(['none', 'client_secret_basic', 'client_secret_post']),
  scopes: z.array(z.string()),
  extraParams: z.record(z.string(), z.string()),
  apiBase: z.string(),
  useChatCompletions: z.boolean(),
});
export type CustomProvider = z.infer<typeof CustomProviderSchema>;

/** https everywhere, plain http only on loopback hosts (local testing). */
export function checkProviderUrl(raw: string, what: string): URL {
  const url = checkSecureUrl(raw);
  if (url === 'invalid')
    throw oauthError('invalid_provider', `${what} is not a valid URL (or contains spaces, control or invisible characters).`, { field: what });
  if (url === 'insecure') throw oauthError('invalid_provider', `${what} ${INSECURE_URL_RULE}.`, { field: what });
  if (url === 'credentials') throw oauthError('invalid_provider', `${what} ${CREDENTIALS_URL_RULE}.`, { field: what });
  return url;
}

/** Parses the "add custom provider" form into a provider config, refusing insecure or incomplete ones. */
export function parseCustomProvider(input: {
  issuer?: string | undefined;
  authorizationEndpoint?: string | undefined;
  tokenEndpoint?: string | undefined;
  revocationEndpoint?: string | undefined;
  jwksUri?: string | undefined;
  clientId: string;
  clientSecret?: string | undefined;
  clientAuthMethod?: 'none' | 'client_secret_basic' | 'client_secret_post' | undefined;
  scopes: string;
  extraParams?: Record<string, string> | undefined;
  apiBase: string;
  useChatCompletions?: boolean | undefined;
}): CustomProvider {
  const trimmed = (v: string | undefined) => (v && v.trim() !== '' ? v.trim() : undefined);
  const issuer = trimmed(input.issuer);
  const authorizationEndpoint = trimmed(input.authorizationEndpoint);
  const tokenEndpoint = trimmed(input.tokenEndpoint);
  if (!issuer && !(authorizationEndpoint && tokenEndpoint)) {
    throw oauthError('invalid_provider', 'Give either an issuer URL (for discovery) or both the authorization and token endpoints.', {
      field: 'issuer',
    });
  }
  for (const [value, what] of [
    [issuer, 'Issuer URL'],
    [authorizationEndpoint, 'Authorization endpoint'],
    [tokenEndpoint, 'Token endpoint'],
    [trimmed(input.revocationEndpoint), 'Revocation endpoint'],
    [trimmed(input.jwksUri), 'JWKS URL'],
    [input.apiBase, 'API base URL'],
  ] as const) {
    if (value) checkProviderUrl(value, what);
  }
  const secret = trimmed(input.clientSecret);
  const scopes = input.scopes.split(/\s+/).filter(Boolean);
  return {
    ...(issuer ? { issuer } : {}),
    ...(authorizationEndpoint ? { authorizationEndpoint } : {}),
    ...(tokenEndpoint ? { tokenEndpoint } : {}),
    ...(trimmed(input.revocationEndpoint) ? { revocationEndpoint: trimmed(input.revocationEndpoint) } : {}),
    ...(trimmed(input.jwksUri) ? { jwksUri: trimmed(input.jwksUri) } : {}),
    clientId: input.clientId.trim(),
    ...(secret ? { clientSecret: secret } : {}),
    clientAuthMethod: secret
      ? input.clientAuthMethod && input.clientAuthMethod !== 'none'
        ? input.clientAuthMethod
        : 'client_secret_basic'
      : 'none',
    scopes,
    extraParams: z.record(z.string(), z.string()).parse(input.extraParams ?? {}),
    apiBase: withoutTrailingSlash(input.apiBase.trim()),
    useChatCompletions: input.useChatCompletions ?? false,
  };
}
