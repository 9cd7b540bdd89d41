/**
 * Sign-in to a custom OAuth 2.0 / OpenID Connect provider (a company gateway
 * behind its own authorization server): RFC 6749 §4.1 code grant with PKCE
 * (RFC 7636), `iss` checking (RFC 9207), a public or confidential client
 * (RFC 6749 §2.3.1), and OIDC ID-token validation only when `openid` was asked for.
 */
import * as oauth from 'oauth4webapi';
import { LoupeError } from '../kernel/errors';
import type { CustomAccount, TokenSet, Vault } from '../accounts/vault';
import { httpOptions } from './discovery';
import { mapProcessingError, networkError } from './oauth-errors';
import type { OAuthProfile } from './profile';
import type { SignInOutcome, SignInPlan } from './sign-in';
import { readTokenError } from './token-errors';
import { clientFor, verifyTokenResponse } from './verify';

export function customPlan(deps: { vault: Vault; now(): number }, account: CustomAccount, profile: OAuthProfile): SignInPlan {
  const provider = account.provider;
  return {
    metadata: async () => {
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
      if (error) throw new LoupeError('authorization_failed', `${account.label} could not complete the sign-in (${error.slice(0, 60)}). Please try again.`);
      if (params.getAll('code').length !== 1) throw new LoupeError('invalid_callback', 'The sign-in response was malformed. Please try again.');

      const client = clientFor(provider.clientId);
      let validated: URLSearchParams;
      try {
        validated = oauth.validateAuthResponse(as, client, callback, secrets.state);
      } catch {
        throw new LoupeError('invalid_callback', 'The sign-in response did not come from the expected server, so Loupe ignored it. Please try again.');
      }
      let response: Response;
      try {
        response = await oauth.authorizationCodeGrantRequest(as, client, profile.clientAuth(), validated, secrets.redirectUri, secrets.verifier, {
          ...httpOptions(profile.allowInsecure, profile.fetch),
          additionalParameters: profile.tokenParams,
        });
      } catch (cause) {
        throw networkError(cause);
      }
      const receivedAt = deps.now();
      if (!response.ok) {
        const failure = await readTokenError(response.clone());
        if (failure.code === 'invalid_client') {
          throw new LoupeError('invalid_client', `${account.label} did not accept Loupe's client id or secret. Check the provider settings.`);
        }
        throw new LoupeError('token_exchange_failed', `${account.label} refused the sign-in (HTTP ${failure.status}${failure.code ? `, ${failure.code}` : ''}).`);
      }
      let verified;
      try {
        verified = await verifyTokenResponse(profile, as, client, response, {
          type: 'code',
          expectedNonce: profile.oidc ? secrets.nonce : undefined,
          requireIdToken: profile.oidc,
          siwc: false,
        });
      } catch (cause) {
        throw mapProcessingError(cause);
      }
      const claims = verified.claims;
      if (account.subject && claims && claims.sub !== account.subject) {
        throw new LoupeError('account_mismatch', `You signed in to ${account.label} as a different user, so nothing was changed. Add it as another account instead.`);
      }
      const tokens: TokenSet = {
        accessToken: verified.accessToken,
        refreshToken: verified.refreshToken,
        idToken: verified.idToken,
        expiresAt: receivedAt + verified.expiresIn * 1000,
        scopes: verified.scopes ?? provider.scopes,
        savedAt: receivedAt,
      };
      await deps.vault.update((data) => ({
        ...data,
        activeAccountId: account.id,
        accounts: data.accounts.map((a) =>
          a.id === account.id && a.kind === 'custom'
            ? {
                ...a,
                subject: claims?.sub ?? a.subject,
                email: typeof claims?.email === 'string' ? claims.email : a.email,
                name: typeof claims?.name === 'string' ? claims.name : a.name,
                tokens,
                pendingRefresh: undefined,
                problem: undefined,
                lastRefreshAt: null,
              }
            : a,
        ),
      }));
      return { accountId: account.id, planUsage: false };
    },
  };
}
