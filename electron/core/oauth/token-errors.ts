/**
 * Classifies token-endpoint failures by the error code string, not the HTTP
 * status: SIWC's body shape is undocumented, so accept RFC 6749 §5.2
 * `{"error":"x"}`, nested `{"error":{"code":"x"}}` and top-level `{"code":"x"}`.
 */
import type { ErrorCode } from '../../contract';
import { LoupeError } from '../kernel/errors';

/** Refresh failures after which the grant is gone: clear the tokens and ask the person to sign in again. */
export const TERMINAL_REFRESH_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'invalid_grant',
  'invalid_refresh_token',
  'token_expired',
  'refresh_token_expired',
  'refresh_token_invalidated',
  'refresh_token_reused',
  'invalid_scope',
]);

export interface TokenEndpointFailure {
  status: number;
  code: string | null;
  requestId: string | null;
}

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

const REFRESH_MESSAGES: Record<string, string> = {
  refresh_token_reused:
    'Your ChatGPT session was ended because its refresh token was used twice (another copy of Loupe or another app may share it). Please sign in again.',
  refresh_token_invalidated: 'Loupe was disconnected from your ChatGPT account (for example in ChatGPT settings). Please sign in again.',
  refresh_token_expired: 'Your ChatGPT session expired. Please sign in again.',
  token_expired: 'Your ChatGPT session expired. Please sign in again.',
  invalid_grant: 'Your ChatGPT session is no longer valid. Please sign in again.',
  invalid_refresh_token: 'Your ChatGPT session is no longer valid. Please sign in again.',
  invalid_scope: 'Your ChatGPT session no longer has the permissions Loupe needs. Please sign in again.',
};

export function isTerminalRefreshCode(code: string): code is ErrorCode {
  return TERMINAL_REFRESH_CODES.has(code);
}

export function refreshFailureError(failure: TokenEndpointFailure): LoupeError {
  const code = failure.code ?? '';
  if (isTerminalRefreshCode(code)) return new LoupeError(code, REFRESH_MESSAGES[code] ?? 'Please sign in again.');
  if (code === 'invalid_client') {
    return new LoupeError(
      'invalid_client',
      'The sign-in server does not accept Loupe’s client registration. Your tokens were kept; contact support if this persists.',
    );
  }
  if (failure.status >= 500 || failure.status === 429) {
    return new LoupeError('server_unavailable', 'The sign-in server is having trouble. Loupe kept your session and will try again shortly.', {
      retryable: true,
    });
  }
  return new LoupeError('refresh_failed', `The sign-in server refused to renew your session (HTTP ${failure.status}). Please sign in again.`);
}

/** Parses `earliest_refresh_at`: a number (seconds below 1e12, else ms) or an ISO string; anything else is absent. */
export function parseEarliestRefreshAt(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value < 1e12 ? value * 1000 : value;
  if (typeof value === 'string' && value.trim() !== '') {
    if (/^\d+(\.\d+)?$/.test(value.trim())) return parseEarliestRefreshAt(Number(value));
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}
