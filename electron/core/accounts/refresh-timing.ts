/**
 * When a session may refresh. Pure, so the rules are tested on their own.
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
 * and to about two a minute for 60-second tokens.
 */
import type { TokenSet } from './vault-schema';

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
