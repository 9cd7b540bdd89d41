/**
 * The refresh grant (RFC 6749 §6) and what its answer means. Refresh tokens
 * rotate and are single-use (SIWC notes §6.6), so an answer is handed back
 * unverified: the session saves it (a checkpoint) before its ID token is
 * verified, since the JWKS may be down, and verifying a saved answer never
 * calls the token endpoint again. When to refresh is accounts/refresh-timing.ts.
 */
import * as oauth from 'oauth4webapi';
import type { Logger } from '../kernel/deps';
import type { LoupeError } from '../kernel/errors';
import { type OAuthErrorCode, type TokenEndpointFailure, mapProcessingError, oauthError, readTokenError } from './errors';
import { httpOptions } from './http-options';
import type { OAuthProfile } from './profile';
import { clientFor, verifyTokenResponse } from './token-response';
import { type PendingRefresh, type TokenSet, tokenSetFrom } from './token-set';

/** What the token endpoint said to a refresh (RFC 6749 §5.1, §5.2). */
export type RefreshAnswer =
  /** New tokens, not yet verified: save `answer`, then `verifyRefreshAnswer` it. */
  | { kind: 'answered'; answer: PendingRefresh; response: Response }
  /** The refresh token is gone for good: end the session with `problem`, then report `error`. */
  | { kind: 'grant_ended'; problem: LoupeError; error: LoupeError };

/**
 * Spends the refresh token (RFC 6749 §6). Throws when the session stays as it
 * was (the server unreachable, busy, or refusing Loupe's client): a lost
 * answer keeps the old token, and the next need decides (SIWC notes §6.6).
 */
export async function requestRefresh(profile: OAuthProfile, clientId: string, refreshToken: string, log: Logger): Promise<RefreshAnswer> {
  const as = await profile.metadata.get();
  let response: Response;
  try {
    response = await oauth.refreshTokenGrantRequest(as, clientFor(clientId), profile.clientAuth(), refreshToken, {
      ...httpOptions(profile),
      additionalParameters: profile.tokenParams,
    });
  } catch (cause) {
    throw oauthError('network_error', 'Loupe could not reach the sign-in server to renew your session. It will try again shortly.', {
      retryable: true,
      cause,
    });
  }
  const receivedAt = profile.clock.now();

  if (!response.ok) {
    const failure = await readTokenError(response.clone());
    log.warn('refresh refused', { status: failure.status, code: failure.code, requestId: failure.requestId });
    const error = refreshFailureError(failure, profile.name);
    if (isTerminal(error.code) || error.code === 'refresh_failed') return { kind: 'grant_ended', problem: error, error };
    throw error;
  }
  try {
    const body = (await response.clone().json()) as Record<string, unknown>;
    return { kind: 'answered', answer: { body, receivedAt }, response };
  } catch (cause) {
    return {
      kind: 'grant_ended',
      problem: oauthError('invalid_token_response', 'The sign-in server sent an unreadable answer. Please sign in again.'),
      error: mapProcessingError(cause),
    };
  }
}

/** Whether a refresh answer becomes the session (RFC 6749 §5.1, OIDC Core §12.2). */
export type RenewalVerdict =
  | { kind: 'renewed'; tokens: TokenSet }
  /** Loupe will not use this answer: end the session with `error`, then revoke the grant it carries (revoke.ts). */
  | { kind: 'refused'; error: LoupeError; as: oauth.AuthorizationServer };

/**
 * Verifies a refresh answer (RFC 6749 §5.1, OIDC Core §12.2) as of when it
 * arrived, since an outage may outlast its ID token's `exp`, and builds the
 * token set that replaces the session's. Throws a retryable error (the JWKS
 * unreachable) and leaves the answer to be verified later. `live` is the
 * answer as it came off the wire, when it is verified at once.
 */
export async function verifyRefreshAnswer(
  profile: OAuthProfile,
  session: { clientId: string; subject: string | null; tokens: TokenSet | undefined },
  answer: PendingRefresh,
  now: number,
  live?: Response,
): Promise<RenewalVerdict> {
  const as = await profile.metadata.get();
  const skew = Math.round((answer.receivedAt - now) / 1000);
  const response = live ?? new Response(JSON.stringify(answer.body), { status: 200, headers: { 'content-type': 'application/json' } });
  let verified;
  try {
    verified = await verifyTokenResponse(profile, as, clientFor(session.clientId, skew), response, { type: 'refresh', rules: profile.tokenRules });
  } catch (error) {
    const loupe = mapProcessingError(error);
    if (loupe.options.retryable) throw loupe;
    return { kind: 'refused', error: loupe, as };
  }
  if (verified.claims && session.subject && verified.claims.sub !== session.subject) {
    const error = oauthError('account_mismatch', `The renewed session belongs to a different ${profile.name} account. Please sign in again.`);
    return { kind: 'refused', error, as };
  }
  const tokens = tokenSetFrom(verified, { receivedAt: answer.receivedAt, rules: profile.tokenRules, previous: session.tokens, fallbackScopes: [] });
  return { kind: 'renewed', tokens };
}

/** Refresh failures after which the grant is gone: clear the tokens and ask the person to sign in again. */
const TERMINAL_REFRESH_CODES = [
  'invalid_grant',
  'invalid_refresh_token',
  'token_expired',
  'refresh_token_expired',
  'refresh_token_invalidated',
  'refresh_token_reused',
  'invalid_scope',
] as const satisfies readonly OAuthErrorCode[];
type TerminalRefreshCode = (typeof TERMINAL_REFRESH_CODES)[number];

const isTerminal = (code: string): code is TerminalRefreshCode => (TERMINAL_REFRESH_CODES as readonly string[]).includes(code);

/** The words for a grant that ended, naming the provider the person signed in with (`ChatGPT`, or a custom provider's label). */
function terminalMessage(code: TerminalRefreshCode, provider: string): string {
  switch (code) {
    case 'refresh_token_reused':
      return `Your ${provider} session was ended because its refresh token was used twice (another copy of Loupe or another app may share it). Please sign in again.`;
    case 'refresh_token_invalidated':
      return `Loupe was disconnected from your ${provider} account (for example in ${provider} settings). Please sign in again.`;
    case 'refresh_token_expired':
    case 'token_expired':
      return `Your ${provider} session expired. Please sign in again.`;
    case 'invalid_grant':
    case 'invalid_refresh_token':
      return `Your ${provider} session is no longer valid. Please sign in again.`;
    case 'invalid_scope':
      return `Your ${provider} session no longer has the permissions Loupe needs. Please sign in again.`;
  }
}

/** A refused refresh (RFC 6749 §5.2, SIWC notes §6.7), classified by its code, in words that name `provider`. */
export function refreshFailureError(failure: TokenEndpointFailure, provider: string): LoupeError {
  const code = failure.code ?? '';
  if (isTerminal(code)) return oauthError(code, terminalMessage(code, provider));
  if (code === 'invalid_client') {
    return oauthError(
      'invalid_client',
      'The sign-in server does not accept Loupe’s client registration. Your tokens were kept; contact support if this persists.',
    );
  }
  if (failure.status >= 500 || failure.status === 429) {
    return oauthError('server_unavailable', 'The sign-in server is having trouble. Loupe kept your session and will try again shortly.', {
      retryable: true,
    });
  }
  return oauthError('refresh_failed', `The sign-in server refused to renew your session (HTTP ${failure.status}). Please sign in again.`);
}
