/**
 * The records a grant leaves behind (RFC 6749 §5.1): the token set a session
 * uses, a refresh answer kept until its ID token is verified, and what a
 * verified sign-in says about the person. Validated by the vault on every read
 * and write; built here, once, from a verified code or refresh answer.
 */
import { z } from 'zod';
import type { TokenRules } from './profile';
import type { VerifiedTokens } from './token-response';

/** A session's tokens (RFC 6749 §5.1), with when they arrived. */
export const TokenSetSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  idToken: z.string().min(1).optional(),
  expiresAt: z.number(),
  scopes: z.array(z.string()),
  /** The server asked not to be asked for a refresh before this time (SIWC notes §6.4). */
  earliestRefreshAt: z.number().optional(),
  /** When the answer arrived (clock ms); a token's lifetime counts from here. */
  savedAt: z.number(),
});
export type TokenSet = z.infer<typeof TokenSetSchema>;

/** A refresh answer (RFC 6749 §6) kept until its ID token is verified. */
export const PendingRefreshSchema = z.object({
  /** The raw token-endpoint JSON, kept until its ID token is verified. */
  body: z.record(z.string(), z.unknown()),
  receivedAt: z.number(),
});
/** A refresh answer saved before its ID token is verified: the consumed refresh token is never sent again. */
export type PendingRefresh = z.infer<typeof PendingRefreshSchema>;

/** What a verified sign-in tells us about the person; a missing field keeps what was saved. */
export interface SignedInIdentity {
  subject?: string | undefined;
  email?: string | undefined;
  name?: string | undefined;
}

/**
 * The token set a verified answer makes. A refresh answer may leave out the
 * refresh token, ID token and scope (RFC 6749 §6): those of `previous` stay.
 */
export function tokenSetFrom(
  verified: VerifiedTokens,
  answer: { receivedAt: number; rules: TokenRules; previous?: TokenSet | undefined; fallbackScopes: string[] },
): TokenSet {
  const { receivedAt, previous } = answer;
  return {
    accessToken: verified.accessToken,
    refreshToken: verified.refreshToken ?? previous?.refreshToken,
    idToken: verified.idToken ?? previous?.idToken,
    expiresAt: receivedAt + verified.expiresIn * 1000,
    scopes: verified.scopes ?? previous?.scopes ?? answer.fallbackScopes,
    earliestRefreshAt: answer.rules.earliestRefreshAt ? parseEarliestRefreshAt(verified.raw.earliest_refresh_at) : undefined,
    savedAt: receivedAt,
  };
}

/** Parses `earliest_refresh_at`: a number (seconds below 1e12, else ms) or an ISO string; anything else is absent. */
export function parseEarliestRefreshAt(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value < 1e12 ? value * 1000 : value;
  if (typeof value === 'string' && value.trim() !== '') {
    if (/^\d+(\.\d+)?$/.test(value.trim())) return parseEarliestRefreshAt(Number(value));
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/** The rotated refresh token a pending answer carries: the one the server now knows, so the one to revoke. */
export function pendingRefreshToken(pending: PendingRefresh | undefined): string | undefined {
  const token = pending?.body.refresh_token;
  return typeof token === 'string' ? token : undefined;
}
