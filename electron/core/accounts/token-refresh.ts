/**
 * One refresh against the token endpoint (RFC 6749 §6), and committing its
 * answer. Refresh tokens rotate and are single-use, so the response is
 * written to the vault as a checkpoint before its ID token is verified (the
 * JWKS may be down), and a stored checkpoint is committed without calling
 * the token endpoint again.
 */
import * as oauth from 'oauth4webapi';
import { httpOptions } from '../oauth/discovery';
import { mapProcessingError } from '../oauth/oauth-errors';
import type { OAuthProfile } from '../oauth/profile';
import { grantOf, revokeUnwantedGrant } from '../oauth/revoke';
import { parseEarliestRefreshAt, readTokenError, refreshFailureError, TERMINAL_REFRESH_CODES } from '../oauth/token-errors';
import { clientFor, verifyTokenResponse } from '../oauth/token-response';
import type { Clock, Logger } from '../kernel/deps';
import { LoupeError } from '../kernel/errors';
import { isDueForRefresh } from './refresh-timing';
import type { AccountRepository } from './repository';
import { type OAuthAccount, type PendingRefresh, type TokenSet, oauthClientId } from './vault-schema';

export interface TokenRefreshDeps {
  records: AccountRepository;
  profile(account: OAuthAccount): OAuthProfile;
  clock: Clock;
  log: Logger;
  /** Refresh this long before expiry. */
  marginMs(): number;
}

/** Due by the session's own timing rules (refresh-timing.ts); a session without a refresh token never is. */
export function dueForRefresh(deps: TokenRefreshDeps, tokens: TokenSet | undefined): boolean {
  if (!tokens?.refreshToken) return false;
  return isDueForRefresh(tokens, deps.marginMs(), deps.clock.now());
}

/** Why this account has no usable token (a checkpoint still being verified, or the grant is gone). */
export function needsSignIn(account: OAuthAccount): LoupeError {
  if (account.pendingRefresh) {
    return new LoupeError(
      'identity_verification_unavailable',
      'Loupe is still verifying your renewed session with the sign-in server. It will retry shortly.',
      {
        retryable: true,
      },
    );
  }
  return new LoupeError(account.problem?.code ?? 'needs_sign_in', account.problem?.message ?? 'Please sign in again.');
}

/**
 * Refresh with the server when due (or forced). Resolves true once a renewed
 * session is committed, false when nothing was due and the server was not
 * contacted (which proves nothing about whether renewing works).
 */
export async function refreshWithServer(deps: TokenRefreshDeps, account: OAuthAccount, force: boolean): Promise<boolean> {
  const tokens = account.tokens;
  if (!tokens?.refreshToken) throw needsSignIn(account);
  const now = deps.clock.now();
  if (!force && !dueForRefresh(deps, tokens)) return false;
  if (tokens.earliestRefreshAt !== undefined && tokens.earliestRefreshAt > now) {
    if (tokens.expiresAt > now && !force) return false;
    throw new LoupeError('refresh_not_ready', 'The sign-in server asked Loupe to wait before renewing the session. Loupe will retry shortly.', {
      retryable: true,
    });
  }
  const profile = deps.profile(account);
  const as = await profile.metadata.get();
  const client = clientFor(oauthClientId(account));
  let response: Response;
  try {
    response = await oauth.refreshTokenGrantRequest(as, client, profile.clientAuth(), tokens.refreshToken, {
      ...httpOptions(profile.allowInsecure, profile.fetch, deps.clock),
      additionalParameters: profile.tokenParams,
    });
  } catch (cause) {
    // The server may have rotated the token and the answer was lost: keep
    // the old one and let the next need decide (notes §6.6).
    throw new LoupeError('network_error', 'Loupe could not reach the sign-in server to renew your session. It will try again shortly.', {
      retryable: true,
      cause,
    });
  }
  const receivedAt = deps.clock.now();

  if (!response.ok) {
    const failure = await readTokenError(response.clone());
    deps.log.warn('refresh refused', { status: failure.status, code: failure.code, requestId: failure.requestId });
    const error = refreshFailureError(failure);
    if (TERMINAL_REFRESH_CODES.has(error.code) || error.code === 'refresh_failed') await endGrant(deps, account, error);
    throw error;
  }

  let body: Record<string, unknown>;
  try {
    body = (await response.clone().json()) as Record<string, unknown>;
  } catch (cause) {
    await endGrant(deps, account, new LoupeError('invalid_token_response', 'The sign-in server sent an unreadable answer. Please sign in again.'));
    throw mapProcessingError(cause);
  }
  const checkpoint: PendingRefresh = { body, receivedAt };
  if (typeof body.id_token === 'string') {
    // Checkpoint first: verifying the ID token needs the JWKS, which may be down.
    await deps.records.checkpointRefresh(account.id, checkpoint);
    await commitCheckpoint(deps, { ...account, pendingRefresh: checkpoint }, checkpoint);
  } else {
    await commitResponse(deps, account, response, checkpoint);
  }
  return true;
}

/** Verifies a stored refresh response as of when it arrived, then commits it. Never calls the token endpoint. */
export async function commitCheckpoint(deps: TokenRefreshDeps, account: OAuthAccount, checkpoint: PendingRefresh): Promise<void> {
  const replay = new Response(JSON.stringify(checkpoint.body), { status: 200, headers: { 'content-type': 'application/json' } });
  await commitResponse(deps, account, replay, checkpoint);
}

async function commitResponse(deps: TokenRefreshDeps, account: OAuthAccount, response: Response, checkpoint: PendingRefresh): Promise<void> {
  const profile = deps.profile(account);
  const as = await profile.metadata.get();
  // Judge the ID token's times as of when it arrived: an outage may outlast its exp.
  const skew = Math.round((checkpoint.receivedAt - deps.clock.now()) / 1000);
  const client = clientFor(oauthClientId(account), skew);
  let verified;
  try {
    verified = await verifyTokenResponse(profile, as, client, response, { type: 'refresh', rules: profile.tokenRules });
  } catch (error) {
    const loupe = mapProcessingError(error);
    if (!loupe.options.retryable) await refuseRenewal(deps, account, as, checkpoint, loupe);
    throw loupe;
  }
  if (verified.claims && account.subject && verified.claims.sub !== account.subject) {
    const mismatch = new LoupeError('account_mismatch', 'The renewed session belongs to a different ChatGPT account. Please sign in again.');
    await refuseRenewal(deps, account, as, checkpoint, mismatch);
    throw mismatch;
  }
  const tokens: TokenSet = {
    accessToken: verified.accessToken,
    refreshToken: verified.refreshToken ?? account.tokens?.refreshToken,
    idToken: verified.idToken ?? account.tokens?.idToken,
    expiresAt: checkpoint.receivedAt + verified.expiresIn * 1000,
    scopes: verified.scopes ?? account.tokens?.scopes ?? [],
    earliestRefreshAt: parseEarliestRefreshAt(checkpoint.body.earliest_refresh_at),
    savedAt: checkpoint.receivedAt,
  };
  await deps.records.recordRefresh(account.id, tokens, checkpoint.receivedAt);
}

/**
 * A renewed session Loupe will not use (its ID token failed verification):
 * end it locally, then revoke the rotated grant it carried, best effort, so
 * a working refresh token is not left alive at the server.
 */
async function refuseRenewal(
  deps: TokenRefreshDeps,
  account: OAuthAccount,
  as: oauth.AuthorizationServer,
  checkpoint: PendingRefresh,
  error: LoupeError,
): Promise<void> {
  await endGrant(deps, account, error);
  const profile = deps.profile(account);
  await revokeUnwantedGrant(profile, as, oauthClientId(account), grantOf(checkpoint.body), deps.log);
}

/** The grant is gone: drop the unusable tokens, keep the registration, and say why. */
export async function endGrant(deps: TokenRefreshDeps, account: OAuthAccount, error: LoupeError): Promise<void> {
  await deps.records.endGrant(account.id, error);
}
