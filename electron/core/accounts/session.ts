/**
 * The token lifecycle of the active ChatGPT account: proactive and on-demand
 * refresh (RFC 6749 §6) with one refresh in flight at a time, rotation-safe
 * persistence through a pending-refresh checkpoint, and sign-out with token
 * revocation (RFC 7009).
 *
 * Refresh tokens rotate and are single-use. So the response is written to the
 * vault (as a checkpoint) before anything can fail on it, the consumed token
 * is never sent twice, and an ambiguous failure keeps the old token and waits
 * for the next need instead of retrying in the same call.
 */
import * as oauth from 'oauth4webapi';
import type { CommandError } from '../../contract';
import { httpOptions } from '../auth/discovery';
import { mapProcessingError } from '../auth/oauth-errors';
import type { OAuthProfile } from '../auth/profile';
import { grantOf, revokeUnwantedGrant } from '../auth/revoke';
import { parseEarliestRefreshAt, readTokenError, refreshFailureError, TERMINAL_REFRESH_CODES } from '../auth/token-errors';
import { clientFor, verifyTokenResponse } from '../auth/verify';
import { type Clock, type Logger, sleep } from '../kernel/deps';
import { LoupeError } from '../kernel/errors';
import { backoffDelay, isDueForRefresh } from './refresh-timing';
import { renewalAt } from './renewal';
import type { AccountRepository } from './repository';
import { type OAuthAccount, type PendingRefresh, type TokenSet, isOAuthAccount, oauthClientId } from './vault';

export interface SessionDeps {
  accountId: string;
  records: AccountRepository;
  profile(account: OAuthAccount): OAuthProfile;
  clock: Clock;
  log: Logger;
  /** Refresh this long before expiry. */
  marginMs(): number;
  onChange(): void;
}

export class Session {
  #inflight: Promise<void> | undefined;
  #timer: { cancel(): void } | undefined;
  #transient: CommandError | null = null;
  #failures = 0;
  /** After a transient failure, no automatic or on-demand refresh before this (clock ms). */
  #retryAt = 0;
  #disposed = false;

  constructor(private readonly deps: SessionDeps) {}

  get refreshing(): boolean {
    return this.#inflight !== undefined;
  }

  /** A retryable problem (network, JWKS outage) that did not end the session. */
  get transientProblem(): CommandError | null {
    return this.#transient;
  }

  /** When this session will renew itself (the time `schedule` plans); null when it won't or renewing is failing. */
  renewsAt(): number | null {
    const account = this.account();
    if (!account?.tokens || account.pendingRefresh || account.problem || this.#transient) return null;
    return renewalAt(account.tokens, this.deps.marginMs());
  }

  account(): OAuthAccount | undefined {
    const account = this.deps.records.get(this.deps.accountId);
    return isOAuthAccount(account) ? account : undefined;
  }

  /**
   * A usable access token for an API call, refreshing first when it is about
   * to expire. Concurrent callers share one refresh.
   */
  async accessToken(): Promise<string> {
    let account = this.#requireAccount();
    if (account.pendingRefresh || this.#dueForRefresh(account.tokens)) {
      try {
        // During an outage every API request would otherwise call the token
        // endpoint (or the JWKS) again; wait out the same backoff as the timer.
        if (this.#backingOff()) throw this.#transientError();
        await this.refresh();
      } catch (error) {
        account = this.#requireAccount();
        // A still-valid token keeps working through a transient refresh failure.
        if (!(account.tokens && !account.pendingRefresh && account.tokens.expiresAt > this.deps.clock.now())) throw error;
      }
      account = this.#requireAccount();
    }
    const tokens = account.tokens;
    if (!tokens || account.pendingRefresh) throw this.#needsSignIn(account);
    if (tokens.expiresAt <= this.deps.clock.now()) throw new LoupeError('token_expired', 'Your ChatGPT session has expired. Please sign in again.');
    return tokens.accessToken;
  }

  /**
   * After a 401 from the API: if another refresh already replaced the token
   * that failed, use the new one; otherwise refresh once and return the new
   * token. The caller retries its request at most once.
   */
  async afterUnauthorized(failedToken: string): Promise<string> {
    const account = this.#requireAccount();
    const current = account.tokens?.accessToken;
    if (current && current !== failedToken) return current;
    // Each request retries once; during an outage they wait out the backoff too.
    if (this.#backingOff()) throw this.#transientError();
    await this.refresh({ force: true });
    const next = this.#requireAccount().tokens?.accessToken;
    if (!next || next === failedToken) throw new LoupeError('unauthorized', 'The API did not accept your ChatGPT session. Please sign in again.');
    return next;
  }

  /** Refresh now (shared by every concurrent caller). */
  refresh(options: { force?: boolean } = {}): Promise<void> {
    this.#inflight ??= this.#refreshOnce(options.force ?? false).finally(() => {
      this.#inflight = undefined;
      this.deps.onChange();
      this.schedule();
    });
    this.deps.onChange();
    return this.#inflight;
  }

  /** Plan the next proactive refresh (or the next retry after a transient failure). */
  schedule(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#disposed) return;
    const account = this.account();
    if (!account || (!account.tokens && !account.pendingRefresh) || account.problem) return;
    const now = this.deps.clock.now();
    let at: number;
    if (account.tokens && !account.tokens.refreshToken && !account.pendingRefresh) {
      // Nothing to renew with: the session simply ends at expiry.
      const expiresAt = account.tokens.expiresAt;
      this.#timer = this.deps.clock.setTimeout(() => void this.#expire(), Math.max(0, expiresAt - now));
      return;
    }
    if (this.#transient) {
      at = this.#retryAt;
    } else if (account.pendingRefresh) {
      at = now;
    } else {
      const renewsAt = renewalAt(account.tokens, this.deps.marginMs());
      if (renewsAt === null) return;
      at = renewsAt;
    }
    this.#timer = this.deps.clock.setTimeout(
      () => {
        void this.refresh().catch(() => {});
      },
      Math.max(0, at - now),
    );
  }

  /** Revoke (RFC 7009) and delete the tokens; the registration (client id, subject, email) stays for a later sign-in. */
  async signOut(): Promise<{ revoked: boolean }> {
    this.#timer?.cancel();
    await this.#inflight?.catch(() => {});
    const account = this.account();
    if (!account) return { revoked: true };
    const refreshToken = pendingRefreshToken(account.pendingRefresh) ?? account.tokens?.refreshToken;
    // Nothing to revoke only when there is no session at all; a session without a refresh token cannot be confirmed revoked.
    let revoked = !account.tokens && !account.pendingRefresh;
    if (refreshToken) revoked = await this.#revoke(account, refreshToken);
    // The registration stays active so the next "Continue with ChatGPT" signs in to the same account.
    await this.deps.records.endGrant(account.id);
    this.#transient = null;
    this.#failures = 0;
    this.#retryAt = 0;
    this.deps.onChange();
    return { revoked };
  }

  dispose(): void {
    this.#disposed = true;
    this.#timer?.cancel();
  }

  // -------------------------------------------------------------------------

  #requireAccount(): OAuthAccount {
    const account = this.account();
    if (!account) throw new LoupeError('signed_out', 'Sign in first.');
    return account;
  }

  /** A session without a refresh token ends at expiry: say so, so the person can sign in again. */
  async #expire(): Promise<void> {
    const account = this.account();
    if (!account?.tokens || account.tokens.refreshToken || account.tokens.expiresAt > this.deps.clock.now()) return;
    await this.#endGrant(
      account,
      new LoupeError('session_expired', 'Your session with this provider has ended (it offers no way to renew it). Please sign in again.'),
    );
    this.deps.onChange();
  }

  #needsSignIn(account: OAuthAccount): LoupeError {
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

  #dueForRefresh(tokens: TokenSet | undefined): boolean {
    if (!tokens?.refreshToken) return false;
    return isDueForRefresh(tokens, this.deps.marginMs(), this.deps.clock.now());
  }

  #backingOff(): boolean {
    return this.#transient !== null && this.deps.clock.now() < this.#retryAt;
  }

  #transientError(): LoupeError {
    const t = this.#transient!;
    return new LoupeError(t.code, t.message, { retryable: true });
  }

  async #refreshOnce(force: boolean): Promise<void> {
    // Re-read under the single-flight: a refresh that finished while this one
    // was queued already rotated the token.
    const account = this.#requireAccount();
    try {
      if (account.pendingRefresh) {
        await this.#commitCheckpoint(account, account.pendingRefresh);
      } else {
        await this.#refreshWithServer(account, force);
      }
      this.#transient = null;
      this.#failures = 0;
      this.#retryAt = 0;
    } catch (error) {
      const loupe = error instanceof LoupeError ? error : mapProcessingError(error);
      if (loupe.options.retryable) {
        this.#transient = loupe.toCommandError();
        this.#failures++;
        this.#retryAt = this.deps.clock.now() + backoffDelay(this.#failures);
        this.deps.log.warn('refresh failed; will retry', { code: loupe.code });
      } else {
        this.deps.log.warn('refresh failed permanently', { code: loupe.code });
        this.#transient = null;
        this.#failures = 0;
      }
      throw loupe;
    }
  }

  async #refreshWithServer(account: OAuthAccount, force: boolean): Promise<void> {
    const tokens = account.tokens;
    if (!tokens?.refreshToken) throw this.#needsSignIn(account);
    const now = this.deps.clock.now();
    if (!force && !this.#dueForRefresh(tokens)) return;
    if (tokens.earliestRefreshAt !== undefined && tokens.earliestRefreshAt > now) {
      if (tokens.expiresAt > now && !force) return;
      throw new LoupeError('refresh_not_ready', 'The sign-in server asked Loupe to wait before renewing the session. Loupe will retry shortly.', {
        retryable: true,
      });
    }
    const profile = this.deps.profile(account);
    const as = await profile.metadata.get();
    const client = clientFor(oauthClientId(account));
    let response: Response;
    try {
      response = await oauth.refreshTokenGrantRequest(as, client, profile.clientAuth(), tokens.refreshToken, {
        ...httpOptions(profile.allowInsecure, profile.fetch, this.deps.clock),
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
    const receivedAt = this.deps.clock.now();

    if (!response.ok) {
      const failure = await readTokenError(response.clone());
      this.deps.log.warn('refresh refused', { status: failure.status, code: failure.code, requestId: failure.requestId });
      const error = refreshFailureError(failure);
      if (TERMINAL_REFRESH_CODES.has(error.code) || error.code === 'refresh_failed') await this.#endGrant(account, error);
      throw error;
    }

    let body: Record<string, unknown>;
    try {
      body = (await response.clone().json()) as Record<string, unknown>;
    } catch (cause) {
      await this.#endGrant(account, new LoupeError('invalid_token_response', 'The sign-in server sent an unreadable answer. Please sign in again.'));
      throw mapProcessingError(cause);
    }
    const checkpoint: PendingRefresh = { body, receivedAt };
    if (typeof body.id_token === 'string') {
      // Checkpoint first: verifying the ID token needs the JWKS, which may be down.
      await this.deps.records.checkpointRefresh(account.id, checkpoint);
      await this.#commitCheckpoint({ ...account, pendingRefresh: checkpoint }, checkpoint);
    } else {
      await this.#commitResponse(account, response, checkpoint);
    }
  }

  /** Verifies a stored refresh response as of when it arrived, then commits it. Never calls the token endpoint. */
  async #commitCheckpoint(account: OAuthAccount, checkpoint: PendingRefresh): Promise<void> {
    const replay = new Response(JSON.stringify(checkpoint.body), { status: 200, headers: { 'content-type': 'application/json' } });
    await this.#commitResponse(account, replay, checkpoint);
  }

  async #commitResponse(account: OAuthAccount, response: Response, checkpoint: PendingRefresh): Promise<void> {
    const profile = this.deps.profile(account);
    const as = await profile.metadata.get();
    // Judge the ID token's times as of when it arrived: an outage may outlast its exp.
    const skew = Math.round((checkpoint.receivedAt - this.deps.clock.now()) / 1000);
    const client = clientFor(oauthClientId(account), skew);
    let verified;
    try {
      verified = await verifyTokenResponse(profile, as, client, response, { type: 'refresh', rules: profile.tokenRules });
    } catch (error) {
      const loupe = mapProcessingError(error);
      if (!loupe.options.retryable) await this.#refuseRenewal(account, as, checkpoint, loupe);
      throw loupe;
    }
    if (verified.claims && account.subject && verified.claims.sub !== account.subject) {
      const mismatch = new LoupeError('account_mismatch', 'The renewed session belongs to a different ChatGPT account. Please sign in again.');
      await this.#refuseRenewal(account, as, checkpoint, mismatch);
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
    await this.deps.records.recordRefresh(account.id, tokens, checkpoint.receivedAt);
  }

  /**
   * A renewed session Loupe will not use (its ID token failed verification):
   * end it locally, then revoke the rotated grant it carried, best effort, so
   * a working refresh token is not left alive at the server.
   */
  async #refuseRenewal(account: OAuthAccount, as: oauth.AuthorizationServer, checkpoint: PendingRefresh, error: LoupeError): Promise<void> {
    await this.#endGrant(account, error);
    const profile = this.deps.profile(account);
    await revokeUnwantedGrant(profile, as, oauthClientId(account), grantOf(checkpoint.body), this.deps.log);
  }

  /** The grant is gone: drop the unusable tokens, keep the registration, and say why. */
  async #endGrant(account: OAuthAccount, error: LoupeError): Promise<void> {
    await this.deps.records.endGrant(account.id, error);
  }

  async #revoke(account: OAuthAccount, refreshToken: string): Promise<boolean> {
    const profile = this.deps.profile(account);
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
          ...httpOptions(profile.allowInsecure, profile.fetch, this.deps.clock, 10_000),
          additionalParameters: { token_type_hint: 'refresh_token' },
        });
        if (response.status === 200) return true;
        if (response.status < 500) return false;
      } catch {
        /* network error: one retry */
      }
      await sleep(this.deps.clock, 300);
    }
    return false;
  }
}

function pendingRefreshToken(pending: PendingRefresh | undefined): string | undefined {
  const token = pending?.body.refresh_token;
  return typeof token === 'string' ? token : undefined;
}
