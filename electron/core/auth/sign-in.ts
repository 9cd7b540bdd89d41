/**
 * One "Continue with ChatGPT" attempt: OAuth 2.0 authorization code grant
 * (RFC 6749 §4.1) with PKCE S256 (RFC 7636), a loopback redirect (RFC 8252
 * §7.3), `iss` checking (RFC 9207), a resource indicator (RFC 8707), and
 * OpenID Connect ID-token validation, all through oauth4webapi. Adds the SIWC
 * registration rules of the protocol notes §5: the issued client id arrives on
 * the first callback and is saved before the code is exchanged.
 */
import * as oauth from 'oauth4webapi';
import type { Logger } from '../kernel/deps';
import { LoupeError } from '../kernel/errors';
import { type ChatGptAccount, type TokenSet, type Vault, newAccountId } from '../accounts/vault';
import { type Discovery, httpOptions } from './discovery';
import { AGENT_NAME, DYNAMIC_CLIENT_ID, type Endpoints, PLAN_USAGE_SCOPE, SIWC_SCOPE } from './endpoints';
import { type LoopbackListener, startLoopbackListener } from './loopback';
import { mapProcessingError, networkError } from './oauth-errors';
import { parseEarliestRefreshAt, readTokenError } from './token-errors';
import { clientFor, verifyTokenResponse } from './verify';

const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;

export interface SignInDeps {
  endpoints: Endpoints;
  discovery: Discovery;
  fetch: typeof fetch;
  openExternal(url: string): Promise<void>;
  now(): number;
  log: Logger;
  vault: Vault;
  hostId: string;
}

export interface SignInRequest {
  /** The saved account to sign in to again (reauth), if any. */
  account: ChatGptAccount | undefined;
  /** Ask for consent again (to enable plan usage): `prompt=consent` with the full scope. */
  reconsent: boolean;
}

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
    options: { port: number; timeoutMs: number; now(): number },
    hooks: { finishing(): void },
  ): Promise<SignInAttempt> {
    const as = await plan.metadata();
    const state = oauth.generateRandomState();
    const listener = await startLoopbackListener({ expectedState: state, port: options.port, timeoutMs: options.timeoutMs });
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
    const startedAt = options.now();
    return new SignInAttempt(url.href, startedAt, startedAt + options.timeoutMs, listener, async () => {
      const callback = await listener.callback;
      hooks.finishing();
      return plan.finish(as, secrets, callback);
    });
  }
}

/** Sign in with ChatGPT: the first registration or a re-sign-in to a saved one (protocol notes §4–§7). */
export function siwcPlan(deps: SignInDeps, request: SignInRequest): SignInPlan {
  const saved = request.account;
  return {
    metadata: () => deps.discovery.get(),
    async authorizeUrl(as, secrets) {
      const url = new URL(as.authorization_endpoint!);
      const q = url.searchParams;
      q.set('client_id', saved?.clientId ?? DYNAMIC_CLIENT_ID);
      q.set('response_type', 'code');
      q.set('redirect_uri', secrets.redirectUri);
      q.set('scope', SIWC_SCOPE);
      q.set('resource', deps.endpoints.resource);
      q.set('state', secrets.state);
      q.set('nonce', secrets.nonce);
      q.set('code_challenge', await oauth.calculatePKCECodeChallenge(secrets.verifier));
      q.set('code_challenge_method', 'S256');
      q.set('ext_agent_host_id', deps.hostId);
      if (!saved) q.set('agent_name_hint', AGENT_NAME);
      if (saved?.tokens?.idToken) q.set('id_token_hint', saved.tokens.idToken);
      if (saved?.email) q.set('login_hint', saved.email);
      if (request.reconsent) q.set('prompt', 'consent');
      return url;
    },
    finish: (as, secrets, callback) => finish(deps, as, { ...secrets, saved }, callback),
  };
}

async function finish(
  deps: SignInDeps,
  as: oauth.AuthorizationServer,
  attempt: AttemptSecrets & { saved: ChatGptAccount | undefined },
  callback: URL,
): Promise<SignInOutcome> {
  const params = callback.searchParams;
  const { saved } = attempt;

  // Notes §5, in order: state (checked by the listener), error, code, client_id.
  const error = params.get('error');
  if (error === 'access_denied') {
    throw new LoupeError('access_denied', 'Sign-in was declined in the browser, so ChatGPT plan usage is not enabled. You can try again, or use an API key instead.');
  }
  if (error) throw new LoupeError('authorization_failed', 'The sign-in server could not complete the sign-in. Please try again.');
  const codes = params.getAll('code');
  if (codes.length !== 1 || codes[0] === '') throw new LoupeError('invalid_callback', 'The sign-in response was malformed. Please try again.');

  const issuedIds = params.getAll('client_id');
  if (issuedIds.length > 1) throw new LoupeError('invalid_callback', 'The sign-in response was malformed. Please try again.');
  const issued = issuedIds[0];
  if (issued !== undefined && (!CLIENT_ID_PATTERN.test(issued) || issued === DYNAMIC_CLIENT_ID)) {
    throw new LoupeError('invalid_callback', 'The sign-in server returned an invalid app registration. Please try again.');
  }
  let clientId: string;
  if (saved) {
    if (issued !== undefined && issued !== saved.clientId) {
      throw new LoupeError('client_mismatch', 'The sign-in server answered for a different app registration, so nothing was changed. Please try again.');
    }
    clientId = saved.clientId;
  } else {
    if (issued === undefined) {
      throw new LoupeError('registration_incomplete', 'The sign-in server did not finish registering Loupe. Please try again.');
    }
    clientId = issued;
  }
  if (!clientId.startsWith('oaiapp_')) deps.log.warn('issued client id has an unexpected prefix');

  const client = clientFor(clientId);
  let validated: URLSearchParams;
  try {
    validated = oauth.validateAuthResponse(as, client, callback, attempt.state);
  } catch {
    throw new LoupeError('invalid_callback', 'The sign-in response did not come from the expected server, so Loupe ignored it. Please try again.');
  }

  // Save the issued registration before the one-time code is spent: if the
  // exchange fails, the retry reuses this client id instead of registering again.
  let accountId = saved?.id;
  if (!saved) {
    accountId = newAccountId();
    const pending: ChatGptAccount = {
      id: accountId,
      kind: 'chatgpt',
      issuer: as.issuer,
      clientId,
      subject: null,
      email: null,
      name: null,
      registeredAt: deps.now(),
      lastRefreshAt: null,
      welcomeShown: false,
    };
    await deps.vault.update((data) => ({ ...data, accounts: [...data.accounts, pending] }));
  }

  let response: Response;
  try {
    response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), validated, attempt.redirectUri, attempt.verifier, {
      ...httpOptions(deps.endpoints.allowInsecure, deps.fetch),
      additionalParameters: { resource: deps.endpoints.resource },
    });
  } catch (cause) {
    throw networkError(cause);
  }
  const receivedAt = deps.now();
  if (!response.ok) {
    const failure = await readTokenError(response.clone());
    deps.log.warn('code exchange refused', { status: failure.status, code: failure.code, requestId: failure.requestId });
    if (failure.code === 'invalid_grant') {
      throw new LoupeError('invalid_grant', 'The sign-in code expired or was already used. Please continue with ChatGPT again.', { retryable: true });
    }
    if (failure.code === 'invalid_client') {
      throw new LoupeError('invalid_client', 'The sign-in server does not accept Loupe’s registration. Please try again later.');
    }
    throw new LoupeError('token_exchange_failed', `The sign-in server refused the sign-in (HTTP ${failure.status}). Please try again.`, {
      retryable: failure.status >= 500,
    });
  }

  let verified;
  try {
    verified = await verifyTokenResponse({ metadata: deps.discovery, allowInsecure: deps.endpoints.allowInsecure, fetch: deps.fetch }, as, client, response, {
      type: 'code',
      expectedNonce: attempt.nonce,
      requireIdToken: true,
      siwc: true,
    });
  } catch (error) {
    throw mapProcessingError(error);
  }
  const claims = verified.claims!;
  if (saved?.subject && claims.sub !== saved.subject) {
    throw new LoupeError('account_mismatch', 'You signed in as a different ChatGPT account than this one, so nothing was changed. Use "Add account" for another account.');
  }

  const scopes = verified.scopes ?? [];
  const tokens: TokenSet = {
    accessToken: verified.accessToken,
    refreshToken: verified.refreshToken,
    idToken: verified.idToken,
    expiresAt: receivedAt + verified.expiresIn * 1000,
    scopes,
    earliestRefreshAt: parseEarliestRefreshAt(verified.raw.earliest_refresh_at),
    savedAt: receivedAt,
  };
  const email = typeof claims.email === 'string' ? claims.email : null;
  const name = typeof claims.name === 'string' ? claims.name : null;
  const id = accountId!;
  await deps.vault.update((data) => ({
    ...data,
    activeAccountId: id,
    accounts: data.accounts.map((a) =>
      a.id === id && a.kind === 'chatgpt'
        ? {
            ...a,
            subject: claims.sub,
            email: email ?? a.email,
            name: name ?? a.name,
            tokens,
            pendingRefresh: undefined,
            problem: undefined,
            lastRefreshAt: null,
          }
        : a,
    ),
  }));
  return { accountId: id, planUsage: scopes.includes(PLAN_USAGE_SCOPE) };
}
