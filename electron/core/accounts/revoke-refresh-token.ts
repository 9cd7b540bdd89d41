/** Sign-out's revocation (RFC 7009) of a session's refresh token, with one retry. */
import * as oauth from 'oauth4webapi';
import { httpOptions } from '../oauth/discovery';
import type { OAuthProfile } from '../oauth/profile';
import { clientFor } from '../oauth/token-response';
import { type Clock, sleep } from '../kernel/deps';
import { type OAuthAccount, type PendingRefresh, oauthClientId } from './vault-schema';

/** True only when the server confirmed the revocation. */
export async function revokeRefreshToken(profile: OAuthProfile, account: OAuthAccount, refreshToken: string, clock: Clock): Promise<boolean> {
  let as: oauth.AuthorizationServer;
  try {
    as = await profile.metadata.get();
  } catch {
    return false;
  }
  if (!as.revocation_endpoint) return false;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const response = await oauth.revocationRequest(as, clientFor(oauthClientId(account)), profile.clientAuth(), refreshToken, {
        ...httpOptions(profile.allowInsecure, profile.fetch, clock, 10_000),
        additionalParameters: { token_type_hint: 'refresh_token' },
      });
      if (response.status === 200) return true;
      if (response.status < 500) return false;
    } catch {
      /* network error: one retry */
    }
    await sleep(clock, 300);
  }
  return false;
}

/** The rotated refresh token a checkpoint carries, which is the one to revoke. */
export function pendingRefreshToken(pending: PendingRefresh | undefined): string | undefined {
  const token = pending?.body.refresh_token;
  return typeof token === 'string' ? token : undefined;
}
