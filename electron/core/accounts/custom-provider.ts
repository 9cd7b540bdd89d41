/** The "add custom provider" form, parsed into a provider config the vault keeps. */
import { z } from 'zod';
import { checkProviderUrl } from '../oauth/profile';
import { LoupeError } from '../kernel/errors';
import { withoutTrailingSlash } from '../kernel/urls';
import type { CustomProvider } from './vault-schema';

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
    throw new LoupeError('invalid_provider', 'Give either an issuer URL (for discovery) or both the authorization and token endpoints.', {
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
