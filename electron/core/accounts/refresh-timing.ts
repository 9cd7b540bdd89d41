/**
 * When a session's token is refreshed: the one place that decides it, pure, so
 * the rules are tested on their own. The session plans its timer with
 * `nextRefresh`, the account view says "renews at 14:13" with `renewalAt`, an
 * API call checks `dueForRefresh` first, and a refresh goes to the server only
 * when `refreshGate` says so.
 *
 * The margin setting (up to 15 minutes) was written for hour-long tokens; a
 * custom provider may issue 60-second ones, and a token whose whole lifetime
 * is inside the margin is "due" the moment it arrives, so every refresh would
 * schedule the next one at once (a refresh loop that rotates the token and
 * rewrites the vault many times a second). So:
 *  - the effective margin is at most half the token's lifetime, and
 *  - one account never refreshes more often than MIN_REFRESH_INTERVAL_MS,
 *    whatever `expires_in` the server sends (0.001 s, or a lie).
 * Together they bound a session to at most 30 automatic refreshes a minute,
 * and to about two a minute for 60-second tokens. On top of that the server
 * may say when it may be asked next (SIWC `earliest_refresh_at`, notes §6.4),
 * and a transient failure is retried after a backoff.
 */
import type { PendingRefresh, TokenSet } from '../oauth/token-set';

export const MIN_REFRESH_INTERVAL_MS = 2_000;

/** Backoff after transient refresh failures (network, 5xx, JWKS outage), with ±20 % jitter. */
export const BACKOFF_MS = [5_000, 15_000, 60_000, 300_000] as const;

export function backoffDelay(failures: number, random: () => number = Math.random): number {
  const base = BACKOFF_MS[Math.min(Math.max(failures, 1) - 1, BACKOFF_MS.length - 1)]!;
  return base * (0.8 + random() * 0.4);
}

type Timing = Pick<TokenSet, 'expiresAt' | 'savedAt'>;

/** The configured margin, bounded by half of what this token actually lives. */
export function effectiveMarginMs(tokens: Timing, marginMs: number): number {
  const lifetime = Math.max(0, tokens.expiresAt - tokens.savedAt);
  return Math.min(marginMs, lifetime / 2);
}

/** The earliest moment an automatic (scheduled or on-demand) refresh may run. */
export function refreshDueAt(tokens: Timing & Pick<TokenSet, 'earliestRefreshAt'>, marginMs: number): number {
  return Math.max(tokens.expiresAt - effectiveMarginMs(tokens, marginMs), tokens.savedAt + MIN_REFRESH_INTERVAL_MS, tokens.earliestRefreshAt ?? 0);
}

/** Due by lifetime and floor; `earliest_refresh_at` is judged separately (a session may be told to wait past expiry). */
export function isDueForRefresh(tokens: Timing, marginMs: number, now: number): boolean {
  return now >= Math.max(tokens.expiresAt - effectiveMarginMs(tokens, marginMs), tokens.savedAt + MIN_REFRESH_INTERVAL_MS);
}

/** The token fields that decide the schedule. */
export type RenewableTokens = Timing & Partial<Pick<TokenSet, 'refreshToken' | 'earliestRefreshAt'>>;

/**
 * When the access token is renewed: the margin bounded by the token's
 * lifetime, a floor between refreshes, never before the server's
 * `earliest_refresh_at`. Null when there is nothing to renew with (no refresh
 * token): such a session simply ends at expiry.
 */
export function renewalAt(tokens: RenewableTokens | undefined, marginMs: number): number | null {
  if (!tokens?.refreshToken) return null;
  return refreshDueAt(tokens, marginMs);
}

/** Whether an API call should refresh first; a session without a refresh token never is due. */
export function dueForRefresh(tokens: RenewableTokens | undefined, marginMs: number, now: number): boolean {
  if (!tokens?.refreshToken) return false;
  return isDueForRefresh(tokens, marginMs, now);
}

/**
 * Whether a refresh goes to the server now: 'not_due' when nothing is due
 * (unless forced) or the server asked to wait while the token still works;
 * 'too_early' when it asked to wait and the token has expired (or the person
 * forced it): the caller reports that and retries later.
 */
export function refreshGate(tokens: RenewableTokens, marginMs: number, now: number, force: boolean): 'go' | 'not_due' | 'too_early' {
  if (!force && !dueForRefresh(tokens, marginMs, now)) return 'not_due';
  if (tokens.earliestRefreshAt !== undefined && tokens.earliestRefreshAt > now) {
    return tokens.expiresAt > now && !force ? 'not_due' : 'too_early';
  }
  return 'go';
}

/** What a session's timer does next, and when. */
export type NextRefresh =
  /** Nothing to renew with: the session ends at expiry, and says so. */
  | { kind: 'expire'; at: number }
  /**
   * Refresh: 'due' by the rules above; 'pending' commits a saved answer at once;
   * 'retry' repeats a failed refresh after its backoff, forced, since the one that
   * failed may have been forced (refresh now, a 401) while nothing was due.
   */
  | { kind: 'refresh'; at: number; reason: 'due' | 'pending' | 'retry' };

/** The session's next timer; null when there is none (signed out, the grant gone, or nothing to renew). */
export function nextRefresh(
  session: { tokens?: RenewableTokens | undefined; pendingRefresh?: PendingRefresh | undefined; problem?: unknown },
  /** When a failed refresh is retried; null when the last one did not fail. */
  retryAt: number | null,
  marginMs: number,
  now: number,
): NextRefresh | null {
  const { tokens, pendingRefresh } = session;
  if ((!tokens && !pendingRefresh) || session.problem) return null;
  if (tokens && !tokens.refreshToken && !pendingRefresh) return { kind: 'expire', at: tokens.expiresAt };
  if (retryAt !== null) return { kind: 'refresh', at: retryAt, reason: 'retry' };
  if (pendingRefresh) return { kind: 'refresh', at: now, reason: 'pending' };
  const at = renewalAt(tokens, marginMs);
  return at === null ? null : { kind: 'refresh', at, reason: 'due' };
}
