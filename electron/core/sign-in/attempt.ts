/**
 * One sign-in attempt, whoever the provider: OAuth 2.0 authorization code
 * grant (RFC 6749 §4.1) with PKCE S256 (RFC 7636) through a loopback redirect
 * (RFC 8252 §7.3). The attempt holds its secrets (state, nonce, verifier) in
 * the main process, opens the browser, waits for the callback or a pasted
 * redirect, and tells the browser's page what Loupe decided. What the
 * authorization URL carries and what to do with the callback is the provider's
 * plan (chatgpt-sign-in.ts, custom-sign-in.ts).
 */
import * as oauth from 'oauth4webapi';
import type { Clock } from '../kernel/deps';
import { LoupeError } from '../kernel/errors';
import { outcomeForError } from './callback-pages';
import { type LoopbackListener, startLoopbackListener } from './loopback';

export interface SignInOutcome {
  accountId: string;
  planUsage: boolean;
}

/** What one attempt knows and must keep in the main process until the callback arrives. */
export interface AttemptSecrets {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
}

/** The provider-specific half of an attempt: the authorization URL, then what to do with the callback. */
export interface SignInPlan {
  metadata(): Promise<oauth.AuthorizationServer>;
  authorizeUrl(as: oauth.AuthorizationServer, secrets: AttemptSecrets): Promise<URL>;
  finish(as: oauth.AuthorizationServer, secrets: AttemptSecrets, callback: URL): Promise<SignInOutcome>;
}

/** A running attempt. The authorize URL stays in the main process (it may carry an `id_token_hint`). */
export class SignInAttempt {
  browserOpened = false;
  readonly done: Promise<SignInOutcome>;

  private constructor(
    readonly authorizeUrl: string,
    readonly startedAt: number,
    readonly deadline: number,
    private readonly listener: LoopbackListener,
    run: () => Promise<SignInOutcome>,
  ) {
    this.done = run().finally(() => void listener.close());
    this.done.catch(() => {});
  }

  cancel(): void {
    this.listener.cancel();
  }

  /** Hands the authorization URL to the system browser; a failure leaves the attempt waiting for a copied link or a pasted redirect. */
  async openBrowser(openExternal: (url: string) => Promise<void>): Promise<boolean> {
    try {
      await openExternal(this.authorizeUrl);
      this.browserOpened = true;
    } catch {
      this.browserOpened = false;
    }
    return this.browserOpened;
  }

  submitRedirectUrl(url: string): void {
    this.listener.submitPastedUrl(url);
  }

  static async start(
    plan: SignInPlan,
    options: { port: number; timeoutMs: number; clock: Clock },
    hooks: { finishing(): void; strayResponse(): void },
  ): Promise<SignInAttempt> {
    const as = await plan.metadata();
    const state = oauth.generateRandomState();
    const listener = await startLoopbackListener({
      expectedState: state,
      port: options.port,
      timeoutMs: options.timeoutMs,
      clock: options.clock,
      // A callback with another attempt's (or a forged) state: the person
      // sees it at once, and this attempt keeps waiting for its own.
      onStrayRequest: ({ reason }) => {
        if (reason === 'state' || reason === 'params') hooks.strayResponse();
      },
    });
    const secrets: AttemptSecrets = {
      state,
      nonce: oauth.generateRandomNonce(),
      verifier: oauth.generateRandomCodeVerifier(),
      redirectUri: listener.redirectUri,
    };
    let url: URL;
    try {
      url = await plan.authorizeUrl(as, secrets);
    } catch (error) {
      listener.cancel();
      throw error;
    }
    const startedAt = options.clock.now();
    return new SignInAttempt(url.href, startedAt, startedAt + options.timeoutMs, listener, async () => {
      const callback = await listener.callback;
      hooks.finishing();
      try {
        const outcome = await plan.finish(as, secrets, callback);
        listener.report('signed_in');
        return outcome;
      } catch (error) {
        // The browser shows the same decision as the window, from a fixed set of pages.
        listener.report(outcomeForError(error instanceof LoupeError ? error.code : undefined));
        throw error;
      }
    });
  }
}
