/**
 * Token revocation (RFC 7009): sign-out's revocation of a session's refresh
 * token, and the best-effort revocation of grants Loupe received but will not
 * keep (a sign-in refused after the code was spent, a refresh whose ID token
 * failed verification). Leaving such a grant alive would keep a working
 * refresh token at the server that no one can see or sign out of.
 */
import * as oauth from 'oauth4webapi';
import { sleep } from '../kernel/deps';
import type { Logger } from '../kernel/deps';
import { httpOptions } from './http-options';
import type { OAuthProfile } from './profile';
import { clientFor } from './token-response';

type RevokeVia = Pick<OAuthProfile, 'allowInsecure' | 'fetch' | 'clientAuth' | 'clock'>;

/**
 * Sign-out (RFC 7009 §2.1): revokes the refresh token, which ends the whole
 * grant on servers that support it, retrying once after a 5xx or a network
 * failure. True only when the server confirmed the revocation.
 */
export async function revokeRefreshToken(profile: OAuthProfile, clientId: string, refreshToken: string): Promise<boolean> {
  let as: oauth.AuthorizationServer;
  try {
    as = await profile.metadata.get();
  } catch {
    return false;
  }
  if (!as.revocation_endpoint) return false;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const response = await revocationRequest(profile, as, clientId, refreshToken, 'refresh_token');
      if (response.status === 200) return true;
      if (response.status < 500) return false;
    } catch {
      /* network error: one retry */
    }
    await sleep(profile.clock, 300);
  }
  return false;
}

/** The tokens of a grant to revoke (RFC 7009 §2.1). */
export interface UnwantedGrant {
  refreshToken?: string | undefined;
  accessToken?: string | undefined;
}

/** Reads the tokens out of a token-endpoint body without trusting anything else in it. */
export function grantOf(body: unknown): UnwantedGrant {
  if (!body || typeof body !== 'object') return {};
  const b = body as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  return { refreshToken: text(b.refresh_token), accessToken: text(b.access_token) };
}

/**
 * Revokes a grant Loupe refused (RFC 7009 §2.1): the refresh token, or the
 * access token when there is none. Only when the server advertises
 * revocation; never throws, never retries (the person is already looking at
 * an error and waits for nothing here).
 */
export async function revokeUnwantedGrant(
  profile: RevokeVia,
  as: oauth.AuthorizationServer,
  clientId: string,
  grant: UnwantedGrant,
  log: Logger,
): Promise<boolean> {
  const token = grant.refreshToken ?? grant.accessToken;
  if (!token || !as.revocation_endpoint) return false;
  try {
    const response = await revocationRequest(profile, as, clientId, token, grant.refreshToken ? 'refresh_token' : 'access_token');
    const ok = response.status === 200;
    log.info('revoked a grant Loupe refused', { confirmed: ok });
    return ok;
  } catch {
    log.warn('could not revoke a grant Loupe refused');
    return false;
  }
}

function revocationRequest(
  profile: RevokeVia,
  as: oauth.AuthorizationServer,
  clientId: string,
  token: string,
  hint: 'refresh_token' | 'access_token',
): Promise<Response> {
  return oauth.revocationRequest(as, clientFor(clientId), profile.clientAuth(), token, {
    ...httpOptions(profile, 10_000),
    additionalParameters: { token_type_hint: hint },
  });
}
