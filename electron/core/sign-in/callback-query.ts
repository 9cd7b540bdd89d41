/**
 * The query check every callback (real or pasted) goes through: exactly one
 * `state`, equal to the attempt's, and a result (`code` or `error`).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type QueryCheck = 'ok' | 'missing_state' | 'duplicate_state' | 'wrong_state' | 'no_result';

/** A checker bound to one attempt's `state` (RFC 6749 §4.1.2, §10.12). */
export function callbackQueryCheck(expectedState: string): (params: URLSearchParams) => QueryCheck {
  // Comparing HMACs under a per-listener key keeps the comparison constant-time
  // even when the lengths differ, without an early length check.
  const macKey = randomBytes(32);
  const mac = (value: string) => createHmac('sha256', macKey).update(value, 'utf8').digest();
  const expectedMac = mac(expectedState);

  return function checkQuery(params: URLSearchParams): QueryCheck {
    const states = params.getAll('state');
    if (states.length === 0) return 'missing_state';
    if (states.length > 1) return 'duplicate_state';
    if (!timingSafeEqual(mac(states[0]!), expectedMac)) return 'wrong_state';
    // Which of these wins, and whether `code` is well-formed, is the sign-in flow's call.
    if (!params.has('error') && !params.has('code')) return 'no_result';
    return 'ok';
  };
}
