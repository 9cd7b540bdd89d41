/**
 * The second half of every sign-in, shared by ChatGPT and custom providers:
 * validate the callback (RFC 9207 `iss`, state), spend the one-time code
 * (RFC 6749 §4.1.3 with the PKCE verifier, RFC 7636), turn a refusal into the
 * profile's words, verify the token response and ID token (token-response.ts),
 * and build the token set. Providers differ only in their OAuthProfile.
 */
import * as oauth from 'oauth4webapi';
import type { Logger } from '../kernel/deps';
import type { LoupeError } from '../kernel/errors';
import { mapProcessingError, networkError, oauthError, readTokenError, signInIdentityUnavailable } from './errors';
import { httpOptions } from './http-options';
import type { OAuthProfile } from './profile';
import { grantOf, revokeUnwantedGrant } from './revoke';
import { clientFor, verifyTokenResponse } from './token-response';
import { type SignedInIdentity, type TokenSet, tokenSetFrom } from './token-set';

/** One authorization code (RFC 6749 §4.1.2) and what is needed to spend it. */
export interface CodeExchange {
  profile: OAuthProfile;
  as: oauth.AuthorizationServer;
  clientId: string;
  callback: URL;
  secrets: { state: string; nonce: string; verifier: string; redirectUri: string };
  /** The verified subject of the account signed in to again; another person is refused. */
  expectedSubject: string | null | undefined;
  now(): number;
  log: Logger;
  /** Runs once the callback is valid and before the code is spent (SIWC saves its issued client id here). */
  beforeGrant?(): Promise<void>;
}

/** A verified code exchange: the session's tokens and who signed in. */
export interface ExchangedSession {
  tokens: TokenSet;
  identity: SignedInIdentity;
}

/** RFC 6749 §4.1.3 with RFC 7636 §4.5 and RFC 9207 §2.4: the code spent once, its answer verified. */
export async function exchangeCode(x: CodeExchange): Promise<ExchangedSession> {
  const { profile, as } = x;
  const client = clientFor(x.clientId);
  let validated: URLSearchParams;
  try {
    validated = oauth.validateAuthResponse(as, client, x.callback, x.secrets.state);
  } catch {
    throw oauthError('invalid_callback', 'The sign-in response did not come from the expected server, so Loupe ignored it. Please try again.');
  }
  await x.beforeGrant?.();

  let response: Response;
  try {
    response = await oauth.authorizationCodeGrantRequest(as, client, profile.clientAuth(), validated, x.secrets.redirectUri, x.secrets.verifier, {
      ...httpOptions(profile),
      additionalParameters: profile.tokenParams,
    });
  } catch (cause) {
    throw networkError(cause);
  }
  const receivedAt = x.now();
  if (!response.ok) {
    const failure = await readTokenError(response.clone());
    x.log.warn('code exchange refused', { status: failure.status, code: failure.code, requestId: failure.requestId });
    throw profile.codeRefused(failure);
  }

  // Read the grant before verification consumes the body: if Loupe refuses
  // what it received, the grant is revoked rather than left alive unseen.
  const grant = grantOf(
    await response
      .clone()
      .json()
      .catch(() => undefined),
  );
  const refuse = async (error: LoupeError): Promise<never> => {
    await revokeUnwantedGrant(profile, as, x.clientId, grant, x.log);
    throw error;
  };

  let verified;
  try {
    verified = await verifyTokenResponse(profile, as, client, response, {
      type: 'code',
      expectedNonce: profile.oidc ? x.secrets.nonce : undefined,
      requireIdToken: profile.oidc,
      rules: profile.tokenRules,
    });
  } catch (error) {
    const mapped = mapProcessingError(error);
    // During a sign-in nothing is kept and nothing retries on its own, so the
    // "session is kept" wording of a refresh would be false here.
    return refuse(mapped.code === 'identity_verification_unavailable' ? signInIdentityUnavailable(mapped) : mapped);
  }
  const claims = verified.claims;
  if (x.expectedSubject && claims && claims.sub !== x.expectedSubject) return refuse(oauthError('account_mismatch', profile.mismatchMessage));

  const tokens = tokenSetFrom(verified, { receivedAt, rules: profile.tokenRules, fallbackScopes: profile.defaultScopes });
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { tokens, identity: { subject: claims?.sub, email: text(claims?.email), name: text(claims?.name) } };
}
