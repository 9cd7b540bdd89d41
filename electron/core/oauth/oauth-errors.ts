/**
 * Maps oauth4webapi failures to errors a person can act on. Messages never
 * quote server bodies or token material.
 */
import * as oauth from 'oauth4webapi';
import { LoupeError } from '../kernel/errors';
import { isNetworkError } from '../kernel/network';

const ID_TOKEN_CODES = new Set<string>([oauth.JWT_CLAIM_COMPARISON, oauth.JWT_TIMESTAMP_CHECK, oauth.KEY_SELECTION]);

export function invalidIdToken(cause?: unknown): LoupeError {
  return new LoupeError('invalid_id_token', 'The sign-in server returned an identity Loupe could not verify. Please sign in again.', { cause });
}

/**
 * The JWKS could not be fetched while verifying a *refresh*: the session is
 * kept (checkpointed) and the session's backoff retries, so saying so is true.
 */
export function identityUnavailable(cause?: unknown): LoupeError {
  return new LoupeError(
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
  return new LoupeError(
    'identity_verification_unavailable',
    'Loupe could not reach the sign-in server to verify your identity, so the sign-in could not be completed. Please try again.',
    { retryable: true, cause },
  );
}

export function invalidTokenResponse(detail: string, cause?: unknown): LoupeError {
  return new LoupeError('invalid_token_response', `The sign-in server sent an unusable token response (${detail}). Please try again.`, { cause });
}

export function networkError(cause?: unknown): LoupeError {
  return new LoupeError('network_error', 'Loupe could not reach the sign-in server. Check your connection and try again.', {
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

/**
 * A fetch wrapper that remembers whether the JWKS could be fetched, so a
 * signature check that failed because the key set was unreachable is told
 * apart from one that failed because the signature is wrong.
 */
export function jwksProbe(fetchImpl: typeof fetch): { fetch: typeof fetch; unreachable(): boolean } {
  let failed = false;
  const wrapped = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    try {
      const response = await fetchImpl(input, init);
      if (!response.ok) failed = true;
      return response;
    } catch (error) {
      failed = true;
      throw error;
    }
  }) as typeof fetch;
  return { fetch: wrapped, unreachable: () => failed };
}
