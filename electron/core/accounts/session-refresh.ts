/**
 * One refresh of a session, saved so that a rotated, single-use refresh token
 * is never lost (SIWC notes §6.6): the server's answer (oauth/refresh.ts) is
 * written to the vault as a checkpoint before its ID token is verified (the
 * JWKS may be down), then committed; a stored checkpoint is committed without
 * calling the token endpoint again. When to refresh is refresh-timing.ts.
 */
import type { Clock, Logger } from '../kernel/deps';
import { LoupeError } from '../kernel/errors';
import type { OAuthProfile } from '../oauth/profile';
import { requestRefresh, verifyRefreshAnswer } from '../oauth/refresh';
import { grantOf, revokeUnwantedGrant } from '../oauth/revoke';
import type { PendingRefresh } from '../oauth/token-set';
import { refreshGate } from './refresh-timing';
import type { AccountRepository } from './repository';
import { type OAuthAccount, oauthClientId } from './vault/vault-schema';

export interface SessionRefreshDeps {
  records: AccountRepository;
  profile(account: OAuthAccount): OAuthProfile;
  clock: Clock;
  log: Logger;
  /** Refresh this long before expiry. */
  marginMs(): number;
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
export async function refreshWithServer(deps: SessionRefreshDeps, account: OAuthAccount, force: boolean): Promise<boolean> {
  const tokens = account.tokens;
  if (!tokens?.refreshToken) throw needsSignIn(account);
  const gate = refreshGate(tokens, deps.marginMs(), deps.clock.now(), force);
  if (gate === 'not_due') return false;
  if (gate === 'too_early') {
    throw new LoupeError('refresh_not_ready', 'The sign-in server asked Loupe to wait before renewing the session. Loupe will retry shortly.', {
      retryable: true,
    });
  }
  const profile = deps.profile(account);
  const result = await requestRefresh(profile, oauthClientId(account), tokens.refreshToken, deps.log);
  if (result.kind === 'grant_ended') {
    await deps.records.endGrant(account.id, result.problem);
    throw result.error;
  }
  const { answer, response } = result;
  if (typeof answer.body.id_token === 'string') {
    // Checkpoint first: verifying the ID token needs the JWKS, which may be down.
    await deps.records.checkpointRefresh(account.id, answer);
    await commitCheckpoint(deps, { ...account, pendingRefresh: answer }, answer);
  } else {
    await commit(deps, account, answer, response);
  }
  return true;
}

/** Verifies a stored refresh answer as of when it arrived, then commits it. Never calls the token endpoint. */
export function commitCheckpoint(deps: SessionRefreshDeps, account: OAuthAccount, checkpoint: PendingRefresh): Promise<void> {
  return commit(deps, account, checkpoint);
}

async function commit(deps: SessionRefreshDeps, account: OAuthAccount, answer: PendingRefresh, live?: Response): Promise<void> {
  const profile = deps.profile(account);
  const clientId = oauthClientId(account);
  const verdict = await verifyRefreshAnswer(profile, { clientId, subject: account.subject, tokens: account.tokens }, answer, deps.clock.now(), live);
  if (verdict.kind === 'refused') {
    // End it here first, then revoke the rotated grant it carried, best effort,
    // so a working refresh token is not left alive at the server.
    await deps.records.endGrant(account.id, verdict.error);
    await revokeUnwantedGrant(profile, verdict.as, clientId, grantOf(answer.body), deps.log);
    throw verdict.error;
  }
  await deps.records.recordRefresh(account.id, verdict.tokens, answer.receivedAt);
}
