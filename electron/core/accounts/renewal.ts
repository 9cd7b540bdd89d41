/**
 * When a session renews itself: one computation, used by the session to plan
 * its proactive refresh and by the account view to say "renews at 14:13".
 */

import { refreshDueAt } from './refresh-timing';

/** The token fields that decide the schedule. */
export interface RenewableTokens {
  expiresAt: number;
  savedAt: number;
  refreshToken?: string | null | undefined;
  /** The server asked not to be asked before this time. */
  earliestRefreshAt?: number | undefined;
}

/**
 * When the access token is renewed (refresh-timing's rule: the margin bounded
 * by the token's lifetime, a floor between refreshes, never before the
 * server's `earliest_refresh_at`). Null when there is nothing to renew with
 * (no refresh token): such a session simply ends at expiry.
 */
export function renewalAt(tokens: RenewableTokens | undefined, marginMs: number): number | null {
  if (!tokens?.refreshToken) return null;
  return refreshDueAt(tokens, marginMs);
}
