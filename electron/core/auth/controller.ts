/**
 * Runs sign-in attempts for the UI: at most one at a time, its countdown,
 * cancel, "copy link" and "paste the redirect URL", and what happens after a
 * success (first-use notice, model list, refresh schedule).
 */
import type { CommandError, SignInView } from '../../contract';
import type { Logger } from '../deps';
import { LoupeError } from '../errors';
import type { Vault } from '../vault';
import { SignInAttempt, type SignInDeps } from './sign-in';

export interface AuthControllerDeps extends SignInDeps {
  vault: Vault;
  copyText(text: string): void;
  settings(): { callbackPort: number; signInTimeoutMinutes: number; signInTimeoutMs?: number };
  onSignedIn(outcome: { accountId: string; planUsage: boolean }): void;
  onChange(): void;
  log: Logger;
}

export class AuthController {
  #attempt: SignInAttempt | undefined;
  #reconsent = false;
  #finishing = false;
  #browserOpened = false;
  #error: CommandError | null = null;

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
    };
  }

  /** Starts an attempt and returns once the browser was asked to open; the outcome arrives through state. */
  async start(options: { reconsent: boolean }): Promise<void> {
    if (this.#attempt) throw new LoupeError('sign_in_in_progress', 'A sign-in is already waiting for your browser. Finish or cancel it first.');
    const settings = this.deps.settings();
    this.#error = null;
    this.#reconsent = options.reconsent;
    this.#browserOpened = false;
    const attempt = await SignInAttempt.start(
      this.deps,
      {
        account: this.#accountToReuse(),
        reconsent: options.reconsent,
        port: settings.callbackPort,
        timeoutMs: settings.signInTimeoutMs ?? settings.signInTimeoutMinutes * 60_000,
      },
      {
        finishing: () => {
          this.#finishing = true;
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

  /** Reauthorize the active registration (or a pending one) instead of registering again. */
  #accountToReuse() {
    const data = this.deps.vault.data();
    return this.deps.vault.active() ?? data.accounts.find((a) => a.subject === null);
  }

  async #settle(attempt: SignInAttempt): Promise<void> {
    try {
      const outcome = await attempt.done;
      this.deps.log.info('signed in', { planUsage: outcome.planUsage });
      this.deps.onSignedIn(outcome);
    } catch (error) {
      const mapped = toError(error);
      if (mapped.code !== 'cancelled') this.#error = mapped;
      this.deps.log.warn('sign-in ended', { code: mapped.code });
    } finally {
      this.#attempt = undefined;
      this.#finishing = false;
      this.deps.onChange();
    }
  }
}

function toError(error: unknown): CommandError {
  return error instanceof LoupeError ? error.toCommandError() : { code: 'sign_in_failed', message: 'Sign-in failed. Please try again.' };
}
