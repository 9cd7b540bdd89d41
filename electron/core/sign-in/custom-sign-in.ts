/**
 * Sign-in to a custom OAuth 2.0 / OpenID Connect provider (a company gateway
 * behind its own authorization server): RFC 6749 §4.1 code grant with PKCE
 * (RFC 7636), `iss` checking (RFC 9207), a public or confidential client
 * (RFC 6749 §2.3.1), and OIDC ID-token validation only when `openid` was asked for.
 */
import * as oauth from 'oauth4webapi';
import type { AccountRepository } from '../accounts/repository';
import type { CustomAccount } from '../accounts/vault/vault-schema';
import type { Logger } from '../kernel/deps';
import { LoupeError } from '../kernel/errors';
import { exchangeCode } from '../oauth/code-exchange';
import type { OAuthProfile } from '../oauth/profile';
import type { SignInOutcome, SignInPlan } from './attempt';
import { refuseOpenAiEndpoints } from '../oauth/trusted-origins';

export function customPlan(
  deps: { records: AccountRepository; now(): number; log: Logger },
  account: CustomAccount,
  profile: OAuthProfile,
): SignInPlan {
  const provider = account.provider;
  return {
    metadata: async () => {
      // Also for providers saved before this rule existed: never sign in to OpenAI's servers as a custom provider.
      refuseOpenAiEndpoints(provider);
      const as = await profile.metadata.get();
      if (!as.authorization_endpoint || !as.token_endpoint) {
        throw new LoupeError('invalid_provider', `${account.label} has no authorization or token endpoint configured.`);
      }
      return as;
    },
    async authorizeUrl(as, secrets) {
      const url = new URL(as.authorization_endpoint!);
      const q = url.searchParams;
      for (const [key, value] of Object.entries(provider.extraParams)) q.set(key, value);
      q.set('client_id', provider.clientId);
      q.set('response_type', 'code');
      q.set('redirect_uri', secrets.redirectUri);
      if (provider.scopes.length > 0) q.set('scope', provider.scopes.join(' '));
      q.set('state', secrets.state);
      if (profile.oidc) q.set('nonce', secrets.nonce);
      q.set('code_challenge', await oauth.calculatePKCECodeChallenge(secrets.verifier));
      q.set('code_challenge_method', 'S256');
      return url;
    },
    async finish(as, secrets, callback): Promise<SignInOutcome> {
      const params = callback.searchParams;
      const error = params.get('error');
      if (error === 'access_denied') throw new LoupeError('access_denied', `Sign-in to ${account.label} was declined in the browser.`);
      if (error)
        throw new LoupeError('authorization_failed', `${account.label} could not complete the sign-in (${error.slice(0, 60)}). Please try again.`);
      if (params.getAll('code').length !== 1) throw new LoupeError('invalid_callback', 'The sign-in response was malformed. Please try again.');

      const { tokens, identity } = await exchangeCode({
        profile,
        as,
        clientId: provider.clientId,
        callback,
        secrets,
        expectedSubject: account.subject,
        now: deps.now,
        log: deps.log,
      });
      await deps.records.completeSignIn(account.id, identity, tokens);
      return { accountId: account.id, planUsage: false };
    },
  };
}
