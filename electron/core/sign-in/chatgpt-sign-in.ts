/**
 * "Continue with ChatGPT": the authorization URL of Sign in with ChatGPT
 * (resource indicator RFC 8707, `ext_agent_host_id`, hints) and what to do
 * with its callback, with the SIWC registration rules of the protocol notes
 * §5: the issued client id arrives on the first callback and is saved before
 * the code is exchanged (RFC 6749 §4.1.3, oauth/code-exchange.ts).
 */
import * as oauth from 'oauth4webapi';
import type { Clock, Logger } from '../kernel/deps';
import { LoupeError } from '../kernel/errors';
import type { AccountRepository } from '../accounts/repository';
import { type ChatGptAccount, newAccountId } from '../accounts/vault/vault-schema';
import { exchangeCode } from '../oauth/code-exchange';
import type { Discovery } from '../oauth/discovery';
import { AGENT_NAME, DYNAMIC_CLIENT_ID, type Endpoints, PLAN_USAGE_SCOPE, SIWC_SCOPE } from '../oauth/endpoints';
import { chatgptProfile } from '../oauth/profile';
import type { AttemptSecrets, SignInOutcome, SignInPlan } from './attempt';

const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;

export interface SignInDeps {
  endpoints: Endpoints;
  discovery: Discovery;
  fetch: typeof fetch;
  openExternal(url: string): Promise<void>;
  now(): number;
  clock: Clock;
  log: Logger;
  records: AccountRepository;
  hostId: string;
}

export interface SignInRequest {
  /** The saved account to sign in to again (reauth), if any. */
  account: ChatGptAccount | undefined;
  /** Ask for consent again (to enable plan usage): `prompt=consent` with the full scope. */
  reconsent: boolean;
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
    throw new LoupeError(
      'access_denied',
      'Sign-in was declined in the browser, so ChatGPT plan usage is not enabled. You can try again, or use an API key instead.',
    );
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
      throw new LoupeError(
        'client_mismatch',
        'The sign-in server answered for a different app registration, so nothing was changed. Please try again.',
      );
    }
    clientId = saved.clientId;
  } else {
    if (issued === undefined) {
      throw new LoupeError('registration_incomplete', 'The sign-in server did not finish registering Loupe. Please try again.');
    }
    clientId = issued;
  }
  if (!clientId.startsWith('oaiapp_')) deps.log.warn('issued client id has an unexpected prefix');

  // Save the issued registration before the one-time code is spent: if the
  // exchange fails, the retry reuses this client id instead of registering again.
  const accountId = saved?.id ?? newAccountId();
  const { tokens, identity } = await exchangeCode({
    profile: chatgptProfile(deps.endpoints, deps.discovery, deps.fetch, deps.clock),
    as,
    clientId,
    callback,
    secrets: attempt,
    expectedSubject: saved?.subject,
    now: deps.now,
    log: deps.log,
    beforeGrant: async () => {
      if (saved) return;
      await deps.records.registerPendingClient({
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
      });
    },
  });
  await deps.records.completeSignIn(accountId, identity, tokens);
  return { accountId, planUsage: tokens.scopes.includes(PLAN_USAGE_SCOPE) };
}
