/**
 * Best-effort token revocation (RFC 7009) for grants Loupe received but will
 * not keep: a sign-in refused after the code was spent (identity not
 * verified, another person), or a refresh whose ID token failed verification.
 * Leaving such a grant alive would keep a working refresh token at the server
 * that no one can see or sign out of.
 */
import * as oauth from 'oauth4webapi';
import type { Logger } from '../kernel/deps';
import { httpOptions } from './discovery';
import type { OAuthProfile } from './profile';
import { clientFor } from './token-response';

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
 * Revokes the refresh token (which ends the whole grant on servers that
 * support it, RFC 7009 §2.1), or the access token when there is none. Only
 * when the server advertises revocation; never throws, never retries (the
 * person is already looking at an error and waits for nothing here).
 */
export async function revokeUnwantedGrant(
  profile: Pick<OAuthProfile, 'allowInsecure' | 'fetch' | 'clientAuth' | 'clock'>,
  as: oauth.AuthorizationServer,
  clientId: string,
  grant: UnwantedGrant,
  log: Logger,
): Promise<boolean> {
  const token = grant.refreshToken ?? grant.accessToken;
  if (!token || !as.revocation_endpoint) return false;
  try {
    const response = await oauth.revocationRequest(as, clientFor(clientId), profile.clientAuth(), token, {
      ...httpOptions(profile.allowInsecure, profile.fetch, profile.clock, 10_000),
      additionalParameters: { token_type_hint: grant.refreshToken ? 'refresh_token' : 'access_token' },
    });
    const ok = response.status === 200;
    log.info('revoked a grant Loupe refused', { confirmed: ok });
    return ok;
  } catch {
    log.warn('could not revoke a grant Loupe refused');
    return false;
  }
}
