/**
 * Runs sign-in attempts for the UI: at most one at a time, its countdown,
 * cancel, "copy link" and "paste the redirect URL", and what happens after a
 * success (first-use notice, model list, refresh schedule).
 */
import type { CommandError, SignInView } from '../../contract';
import type { Logger } from '../kernel/deps';
import { LoupeError } from '../kernel/errors';
import type { CustomAccount } from '../accounts/vault/vault-schema';
import { customPlan } from './custom-sign-in';
import type { OAuthProfile } from '../oauth/profile';
import { SignInAttempt, type SignInPlan } from './attempt';
import { type SignInDeps, siwcPlan } from './chatgpt-sign-in';

export interface SignInTarget {
  reconsent?: boolean | undefined;
  /** Sign in to this saved account (ChatGPT or custom provider). */
  accountId?: string | undefined;
  /** Register another ChatGPT account instead of signing in to the active one. */
  newChatGptAccount?: boolean | undefined;
}

export interface AuthControllerDeps extends SignInDeps {
  customProfile(account: CustomAccount): OAuthProfile;
  copyText(text: string): void;
  settings(): { callbackPort: number; signInTimeoutMinutes: number; signInTimeoutMs?: number };
  /** Resolves before the outcome is shown, so what it does (a purge, a schedule) is done by then. */
  onSignedIn(outcome: { accountId: string; planUsage: boolean }): Promise<void>;
  onChange(): void;
  /** The attempt settled (signed in, failed or cancelled): its outcome is shown at once. */
  onSettled(): void;
  log: Logger;
}

export class AuthController {
  #attempt: SignInAttempt | undefined;
  #reconsent = false;
  #finishing = false;
  #browserOpened = false;
  #error: CommandError | null = null;
  #warning: CommandError | null = null;

  constructor(private readonly deps: AuthControllerDeps) {}

  view(): SignInView {
    if (!this.#attempt) return { phase: 'idle', startedAt: null, deadline: null, browserOpened: false, reconsent: false, error: this.#error };
    return {
      phase: this.#finishing ? 'finishing' : 'waiting',
      startedAt: this.#attempt.startedAt,
      deadline: this.#attempt.deadline,
      browserOpened: this.#browserOpened,
      reconsent: this.#reconsent,
      error: null,
      warning: this.#warning,
    };
  }

  /** Starts an attempt and returns once the browser was asked to open; the outcome arrives through state. */
  async start(target: SignInTarget): Promise<void> {
    if (this.#attempt) throw new LoupeError('sign_in_in_progress', 'A sign-in is already waiting for your browser. Finish or cancel it first.');
    const settings = this.deps.settings();
    const plan = this.#plan(target);
    this.#error = null;
    this.#warning = null;
    this.#reconsent = target.reconsent ?? false;
    this.#browserOpened = false;
    const attempt = await SignInAttempt.start(
      plan,
      { port: settings.callbackPort, timeoutMs: settings.signInTimeoutMs ?? settings.signInTimeoutMinutes * 60_000, clock: this.deps.clock },
      {
        finishing: () => {
          this.#finishing = true;
          this.deps.onChange();
        },
        strayResponse: () => {
          this.#warning = {
            code: 'unexpected_response',
            message: 'A sign-in response that Loupe did not start was ignored. Loupe is still waiting for yours.',
          };
          this.deps.log.warn('ignored a sign-in response Loupe did not start');
          this.deps.onChange();
        },
      },
    ).catch((error: unknown) => {
      this.#error = toError(error);
      this.deps.onChange();
      throw error;
    });
    this.#attempt = attempt;
    this.deps.onChange();
    void this.#settle(attempt);
    this.#browserOpened = await attempt.openBrowser(this.deps.openExternal);
    if (!this.#browserOpened) this.deps.log.warn('could not open the system browser for sign-in');
    this.deps.onChange();
  }

  cancel(): void {
    this.#attempt?.cancel();
  }

  copyLink(): void {
    if (!this.#attempt) throw new LoupeError('no_sign_in', 'There is no sign-in waiting. Choose "Continue with ChatGPT" first.');
    this.deps.copyText(this.#attempt.authorizeUrl);
  }

  submitRedirectUrl(url: string): void {
    if (!this.#attempt) throw new LoupeError('no_sign_in', 'There is no sign-in waiting. Choose "Continue with ChatGPT" first.');
    this.#attempt.submitRedirectUrl(url);
  }

  #plan(target: SignInTarget): SignInPlan {
    const explicit = target.accountId ? this.deps.records.get(target.accountId) : undefined;
    if (target.accountId && !explicit) throw new LoupeError('unknown_account', 'That account no longer exists.');
    if (explicit?.kind === 'api_key') throw new LoupeError('not_oauth', 'API-key accounts do not sign in; edit the key instead.');
    if (explicit?.kind === 'custom') return customPlan(this.deps, explicit, this.deps.customProfile(explicit));
    const reconsent = target.reconsent ?? false;
    if (explicit?.kind === 'chatgpt') return siwcPlan(this.deps, { account: explicit, reconsent });
    // A new registration reuses one whose code exchange failed, so OpenAI never sees it twice.
    const pending = this.deps.records.pendingRegistration();
    if (target.newChatGptAccount) return siwcPlan(this.deps, { account: pending, reconsent });
    const active = this.deps.records.active();
    if (active?.kind === 'custom') return customPlan(this.deps, active, this.deps.customProfile(active));
    return siwcPlan(this.deps, { account: active?.kind === 'chatgpt' ? active : pending, reconsent });
  }

  async #settle(attempt: SignInAttempt): Promise<void> {
    try {
      const outcome = await attempt.done;
      this.deps.log.info('signed in', { planUsage: outcome.planUsage });
      await this.deps.onSignedIn(outcome);
    } catch (error) {
      const mapped = toError(error);
      if (mapped.code !== 'cancelled') this.#error = mapped;
      this.deps.log.warn('sign-in ended', { code: mapped.code });
    } finally {
      this.#attempt = undefined;
      this.#finishing = false;
      this.#warning = null;
      this.deps.onChange();
      this.deps.onSettled();
    }
  }
}

function toError(error: unknown): CommandError {
  return error instanceof LoupeError ? error.toCommandError() : { code: 'sign_in_failed', message: 'Sign-in failed. Please try again.' };
}
