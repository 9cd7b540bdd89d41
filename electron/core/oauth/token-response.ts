/**
 * Token-response validation (RFC 6749 §5.1) shared by the code exchange and refresh:
 * oauth4webapi checks the body and the ID token's claims (OIDC Core §3.1.3.7),
 * then `validateApplicationLevelSignature` checks its signature against the
 * issuer's JWKS (RS256), which the SIWC notes require. On top of that, the
 * SIWC-specific checks of the notes §6.2.
 */
import * as oauth from 'oauth4webapi';
import { isNetworkError } from '../kernel/network';
import type { MetadataSource } from './discovery';
import { identityUnavailable, invalidIdToken, invalidTokenResponse, mapProcessingError } from './errors';
import { type HttpVia, httpOptions } from './http-options';
import type { TokenRules } from './profile';

/** Leeway for the ID token's times against this machine's clock (OIDC Core §3.1.3.7, items 9-10). */
export const CLOCK_TOLERANCE_SECONDS = 5;

/** Where the issuer's keys come from (RFC 7517), to check an ID token's signature. */
export interface VerifyContext extends HttpVia {
  metadata: MetadataSource;
}

/** A token response (RFC 6749 §5.1) after its checks. */
export interface VerifiedTokens {
  accessToken: string;
  refreshToken: string | undefined;
  idToken: string | undefined;
  expiresIn: number;
  /** Granted scopes; undefined when a refresh response omitted `scope` (keep the previous ones). */
  scopes: string[] | undefined;
  claims: oauth.IDToken | undefined;
  raw: oauth.TokenEndpointResponse;
}

/** The client (RFC 6749 §2.2) as oauth4webapi takes it; `skewSeconds` judges an answer's times as of when it arrived. */
export function clientFor(clientId: string, skewSeconds = 0): oauth.Client {
  const client: oauth.Client = { client_id: clientId, [oauth.clockTolerance]: CLOCK_TOLERANCE_SECONDS };
  if (skewSeconds !== 0) client[oauth.clockSkew] = skewSeconds;
  return client;
}

/** RFC 6749 §5.1 and OIDC Core §3.1.3.7: a code or refresh answer checked, its ID token's signature included. */
export async function verifyTokenResponse(
  ctx: VerifyContext,
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  response: Response,
  kind: ({ type: 'code'; expectedNonce: string | undefined; requireIdToken: boolean } | { type: 'refresh' }) & { rules: TokenRules },
): Promise<VerifiedTokens> {
  let raw: oauth.TokenEndpointResponse;
  try {
    raw =
      kind.type === 'code'
        ? await oauth.processAuthorizationCodeResponse(as, client, response, {
            expectedNonce: kind.expectedNonce ?? oauth.expectNoNonce,
            requireIdToken: kind.requireIdToken,
          })
        : await oauth.processRefreshTokenResponse(as, client, response);
  } catch (error) {
    throw mapProcessingError(error);
  }

  if (raw.token_type !== 'bearer') throw invalidTokenResponse('token type is not Bearer');
  if (typeof raw.access_token !== 'string' || raw.access_token === '') throw invalidTokenResponse('no access token');
  if (typeof raw.expires_in !== 'number' || !Number.isFinite(raw.expires_in) || raw.expires_in <= 0) {
    throw invalidTokenResponse('missing or invalid lifetime');
  }
  if (kind.rules.grantedScopeRequired && kind.type === 'code' && typeof raw.scope !== 'string') throw invalidTokenResponse('no granted scope');
  const scopes = typeof raw.scope === 'string' ? raw.scope.split(/\s+/).filter(Boolean) : undefined;
  if (kind.rules.refreshTokenWithOfflineAccess && scopes?.includes('offline_access') && !raw.refresh_token)
    throw invalidTokenResponse('no refresh token although offline access was granted');

  if (raw.id_token) await verifySignature(ctx, as, response);
  const claims = raw.id_token ? oauth.getValidatedIdTokenClaims(raw) : undefined;
  if (claims && (typeof claims.sub !== 'string' || claims.sub === '')) throw invalidIdToken();

  return {
    accessToken: raw.access_token,
    refreshToken: raw.refresh_token,
    idToken: raw.id_token,
    expiresIn: raw.expires_in,
    scopes,
    claims,
    raw,
  };
}

async function verifySignature(ctx: VerifyContext, as: oauth.AuthorizationServer, response: Response): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const probe = jwksProbe(ctx.fetch);
    try {
      await oauth.validateApplicationLevelSignature(as, response, httpOptions({ ...ctx, fetch: probe.fetch }));
      return;
    } catch (error) {
      if (probe.unreachable()) throw identityUnavailable(error);
      // A key we have not seen: the issuer may have rotated its keys since we cached them.
      if (attempt === 0 && error instanceof oauth.OperationProcessingError && error.code === oauth.KEY_SELECTION && ctx.metadata.forgetKeys(as)) {
        as = await ctx.metadata.get();
        continue;
      }
      if (isNetworkError(error)) throw identityUnavailable(error);
      throw invalidIdToken(error);
    }
  }
}

/**
 * A fetch wrapper that remembers whether the JWKS could be fetched, so a
 * signature check that failed because the key set was unreachable is told
 * apart from one that failed because the signature is wrong.
 */
function jwksProbe(fetchImpl: typeof fetch): { fetch: typeof fetch; unreachable(): boolean } {
  let failed = false;
  const wrapped = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    try {
      const response = await fetchImpl(input, init);
      if (!response.ok) failed = true;
      return response;
    } catch (error) {
      failed = true;
      throw error;
    }
  }) as typeof fetch;
  return { fetch: wrapped, unreachable: () => failed };
}
