/**
 * The token lifecycle of one OAuth account (ChatGPT or a custom provider): proactive and on-demand
 * refresh (RFC 6749 §6) with one refresh in flight at a time, rotation-safe
 * persistence through a pending-refresh checkpoint, and sign-out with token
 * revocation (RFC 7009).
 *
 * Refresh tokens rotate and are single-use. So the response is written to the
 * vault (as a checkpoint) before anything can fail on it, the consumed token
 * is never sent twice, and an ambiguous failure keeps the old token and waits
 * for the next need instead of retrying in the same call.
 */
import type { CommandError } from '../../contract';
import { LoupeError } from '../kernel/errors';
import { mapProcessingError } from '../oauth/errors';
import { revokeRefreshToken } from '../oauth/revoke';
import { pendingRefreshToken } from '../oauth/token-set';
import { backoffDelay, dueForRefresh, nextRefresh } from './refresh-timing';
import { type SessionRefreshDeps, commitCheckpoint, needsSignIn, refreshWithServer } from './session-refresh';
import { type OAuthAccount, isOAuthAccount, oauthClientId } from './vault/vault-schema';

export interface SessionDeps extends SessionRefreshDeps {
  accountId: string;
  onChange(): void;
  /** A refresh settled (renewed or failed): its outcome is shown at once. */
  onSettled(): void;
}

export class Session {
  #inflight: Promise<void> | undefined;
  #timer: { cancel(): void } | undefined;
  #transient: CommandError | null = null;
  #failures = 0;
  /** After a transient failure, no automatic or on-demand refresh before this (clock ms). */
  #retryAt = 0;
  #disposed = false;
  /** Set while signing out: the grant is being revoked, so nothing may refresh it (an API call's 401 meanwhile would meet the revoked token). */
  #signingOut = false;

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
    const next = this.#next();
    return next?.kind === 'refresh' && next.reason === 'due' ? next.at : null;
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
    if (account.pendingRefresh || dueForRefresh(account.tokens, this.deps.marginMs(), this.deps.clock.now())) {
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
    if (!tokens || account.pendingRefresh) throw needsSignIn(account);
    if (tokens.expiresAt <= this.deps.clock.now())
      throw new LoupeError('token_expired', `Your ${this.#name(account)} session has expired. Please sign in again.`);
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
    if (!next || next === failedToken)
      throw new LoupeError('unauthorized', `The API did not accept your ${this.#name(account)} session. Please sign in again.`);
    return next;
  }

  /** Refresh now (shared by every concurrent caller). */
  refresh(options: { force?: boolean } = {}): Promise<void> {
    if (this.#signingOut) return Promise.reject(new LoupeError('signed_out', 'Signing out.'));
    this.#inflight ??= this.#refreshOnce(options.force ?? false).finally(() => {
      this.#inflight = undefined;
      this.deps.onChange();
      this.deps.onSettled();
      this.schedule();
    });
    this.deps.onChange();
    return this.#inflight;
  }

  /** Plan the next proactive refresh (or the next retry after a transient failure); refresh-timing.ts decides when. */
  schedule(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#disposed) return;
    const next = this.#next();
    if (!next) return;
    const delay = Math.max(0, next.at - this.deps.clock.now());
    this.#timer = this.deps.clock.setTimeout(() => {
      if (next.kind === 'expire') void this.#expire();
      else void this.refresh({ force: next.reason === 'retry' }).catch(() => {});
    }, delay);
  }

  /** Revoke (RFC 7009) and delete the tokens; the registration (client id, subject, email) stays for a later sign-in. */
  async signOut(): Promise<{ revoked: boolean }> {
    this.#signingOut = true;
    try {
      return await this.#signOut();
    } finally {
      this.#signingOut = false;
    }
  }

  dispose(): void {
    this.#disposed = true;
    this.#timer?.cancel();
  }

  // -------------------------------------------------------------------------

  async #signOut(): Promise<{ revoked: boolean }> {
    this.#timer?.cancel();
    await this.#inflight?.catch(() => {});
    const account = this.account();
    if (!account) return { revoked: true };
    const refreshToken = pendingRefreshToken(account.pendingRefresh) ?? account.tokens?.refreshToken;
    // Nothing to revoke only when there is no session at all; a session without a refresh token cannot be confirmed revoked.
    let revoked = !account.tokens && !account.pendingRefresh;
    if (refreshToken) revoked = await revokeRefreshToken(this.deps.profile(account), oauthClientId(account), refreshToken);
    // The registration stays active so the next sign-in ("Continue with ChatGPT", or the provider's) signs in to the same account.
    await this.deps.records.endGrant(account.id);
    this.#transient = null;
    this.#failures = 0;
    this.#retryAt = 0;
    this.deps.onChange();
    return { revoked };
  }

  #next() {
    const account = this.account();
    if (!account) return null;
    return nextRefresh(account, this.#transient ? this.#retryAt : null, this.deps.marginMs(), this.deps.clock.now());
  }

  /** Who the person signed in with, as messages name it. */
  #name(account: OAuthAccount): string {
    return this.deps.profile(account).name;
  }

  #requireAccount(): OAuthAccount {
    const account = this.account();
    if (!account) throw new LoupeError('signed_out', 'Sign in first.');
    return account;
  }

  /** A session without a refresh token ends at expiry: say so, so the person can sign in again. */
  async #expire(): Promise<void> {
    const account = this.account();
    if (!account?.tokens || account.tokens.refreshToken || account.tokens.expiresAt > this.deps.clock.now()) return;
    await this.deps.records.endGrant(
      account.id,
      new LoupeError('session_expired', `Your session with ${this.#name(account)} has ended (it offers no way to renew it). Please sign in again.`),
    );
    this.deps.onChange();
    this.deps.onSettled();
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
      let renewed = true;
      if (account.pendingRefresh) {
        await commitCheckpoint(this.deps, account, account.pendingRefresh);
      } else {
        renewed = await refreshWithServer(this.deps, account, force);
      }
      // Only a renewal the server answered shows that renewing works again;
      // a call that found nothing due leaves the failure (and its backoff) as it was.
      if (renewed) {
        this.#transient = null;
        this.#failures = 0;
        this.#retryAt = 0;
      }
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
}
