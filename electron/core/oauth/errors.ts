/**
 * Every error the OAuth protocol raises here, as a closed union, and how
 * oauth4webapi's failures and a token endpoint's error bodies become one of
 * them. Messages never quote server bodies or token material.
 */
import * as oauth from 'oauth4webapi';
import { LoupeError } from '../kernel/errors';
import { isNetworkError } from '../kernel/network';

export type OAuthErrorCode =
  /** Discovery failed or lacks a required endpoint (RFC 8414 §3); retrying may help. */
  | 'discovery_failed'
  /** The metadata names another issuer than the one asked for (RFC 8414 §3.3); retrying cannot help. */
  | 'issuer_mismatch'
  /** A development override of ChatGPT's issuer or API base is not allowed or not a usable URL. */
  | 'invalid_configuration'
  /** A custom provider's settings are incomplete or name an insecure URL. */
  | 'invalid_provider'
  /** A custom provider points at OpenAI's or ChatGPT's servers, which only the built-in sign-in may use. */
  | 'openai_domain_refused'
  /** The authorization response failed its `iss` or `state` check (RFC 9207, RFC 6749 §4.1.2), or is malformed. */
  | 'invalid_callback'
  /** The tokens belong to another person than the account signed in to again or renewed. */
  | 'account_mismatch'
  /** The authorization code or refresh token is expired, used or revoked (RFC 6749 §5.2). */
  | 'invalid_grant'
  /** The server does not accept the client id or secret (RFC 6749 §5.2). */
  | 'invalid_client'
  /** The token endpoint refused the code for another reason. */
  | 'token_exchange_failed'
  /** The ID token's signature or claims failed verification (OIDC Core §3.1.3.7). */
  | 'invalid_id_token'
  /** The issuer's keys could not be fetched to verify an ID token; the outage may pass. */
  | 'identity_verification_unavailable'
  /** The token response is not one Loupe can use (no bearer token, no lifetime, no scope where required). */
  | 'invalid_token_response'
  /** The server could not be reached at all (no HTTP status). */
  | 'network_error'
  /** The token endpoint answered 5xx or 429 to a refresh; the session is kept and retried. */
  | 'server_unavailable'
  /** The token endpoint refused a refresh without a code Loupe knows; the person signs in again. */
  | 'refresh_failed'
  /** SIWC: the refresh token is not valid (notes §6.7). */
  | 'invalid_refresh_token'
  /** SIWC: the session's tokens expired at the server (notes §6.7). */
  | 'token_expired'
  /** SIWC: the refresh token expired (notes §6.7). */
  | 'refresh_token_expired'
  /** SIWC: the person disconnected Loupe, for example in ChatGPT's settings (notes §6.7). */
  | 'refresh_token_invalidated'
  /** SIWC: the single-use refresh token was sent twice, so the server ended the grant (notes §6.6). */
  | 'refresh_token_reused'
  /** The grant no longer carries the scopes asked for (RFC 6749 §5.2). */
  | 'invalid_scope';

/** The only way this room makes an error, so it can raise nothing outside OAuthErrorCode. */
export function oauthError(code: OAuthErrorCode, message: string, options: LoupeError['options'] = {}): LoupeError {
  return new LoupeError(code, message, options);
}

const ID_TOKEN_CODES = new Set<string>([oauth.JWT_CLAIM_COMPARISON, oauth.JWT_TIMESTAMP_CHECK, oauth.KEY_SELECTION]);

/** The ID token failed its checks (OIDC Core §3.1.3.7). */
export function invalidIdToken(cause?: unknown): LoupeError {
  return oauthError('invalid_id_token', 'The sign-in server returned an identity Loupe could not verify. Please sign in again.', { cause });
}

/**
 * The JWKS could not be fetched while verifying a *refresh*: the session is
 * kept (checkpointed) and the session's backoff retries, so saying so is true.
 */
export function identityUnavailable(cause?: unknown): LoupeError {
  return oauthError(
    'identity_verification_unavailable',
    'Loupe could not reach the sign-in server to verify your identity. Your session is kept; Loupe will try again shortly.',
    { retryable: true, cause },
  );
}

/**
 * The same outage during a *first* sign-in or a re-sign-in: there is no new
 * session to keep and nothing retries on its own, so the person is told to try
 * again. (The code stays the same; only the promise in the words differs.)
 */
export function signInIdentityUnavailable(cause?: unknown): LoupeError {
  return oauthError(
    'identity_verification_unavailable',
    'Loupe could not reach the sign-in server to verify your identity, so the sign-in could not be completed. Please try again.',
    { retryable: true, cause },
  );
}

/** A token response Loupe cannot use (RFC 6749 §5.1). */
export function invalidTokenResponse(detail: string, cause?: unknown): LoupeError {
  return oauthError('invalid_token_response', `The sign-in server sent an unusable token response (${detail}). Please try again.`, { cause });
}

/** No HTTP status at all: the server could not be reached. */
export function networkError(cause?: unknown): LoupeError {
  return oauthError('network_error', 'Loupe could not reach the sign-in server. Check your connection and try again.', {
    retryable: true,
    cause,
  });
}

/** For errors thrown while processing a token response (claims, token_type, body shape). */
export function mapProcessingError(error: unknown): LoupeError {
  if (error instanceof LoupeError) return error;
  if (error instanceof oauth.OperationProcessingError) {
    if (error.code && ID_TOKEN_CODES.has(error.code)) return invalidIdToken(error);
    if (/id_token|JWT|ID Token/i.test(error.message)) return invalidIdToken(error);
    return invalidTokenResponse(error.message.replace(/"[^"]*" /g, '').slice(0, 80), error);
  }
  if (error instanceof oauth.UnsupportedOperationError) {
    if (/token_type/.test(error.message)) return invalidTokenResponse('unsupported token type', error);
    return invalidIdToken(error);
  }
  if (isNetworkError(error)) return networkError(error);
  return invalidTokenResponse('unexpected content', error);
}

/** A token endpoint's refusal (RFC 6749 §5.2), as far as it can be read. */
export interface TokenEndpointFailure {
  status: number;
  code: string | null;
  requestId: string | null;
}

/**
 * Reads a token endpoint's error by its code string, not the HTTP status.
 * SIWC's body shape is undocumented, so RFC 6749 §5.2 `{"error":"x"}`, nested
 * `{"error":{"code":"x"}}` and top-level `{"code":"x"}` are all accepted, and a
 * 401 without a body is read from `WWW-Authenticate` (RFC 6750 §3).
 */
export async function readTokenError(response: Response): Promise<TokenEndpointFailure> {
  const requestId = response.headers.get('x-request-id') ?? response.headers.get('openai-request-id');
  let code: string | null = null;
  try {
    const body: unknown = JSON.parse(await response.text());
    if (body && typeof body === 'object') {
      const b = body as { error?: unknown; code?: unknown };
      if (typeof b.error === 'string') code = b.error;
      else if (b.error && typeof b.error === 'object' && typeof (b.error as { code?: unknown }).code === 'string')
        code = (b.error as { code: string }).code;
      else if (typeof b.code === 'string') code = b.code;
    }
  } catch {
    /* non-JSON error body: classify by status */
  }
  if (!code && response.status === 401 && response.headers.get('www-authenticate')) {
    const match = /error="([^"]+)"/.exec(response.headers.get('www-authenticate') ?? '');
    code = match?.[1] ?? 'invalid_client';
  }
  return { status: response.status, code, requestId };
}
