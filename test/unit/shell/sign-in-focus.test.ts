import { describe, expect, it } from 'vitest';
import type { AppState } from '../../../electron/contract';
import { signInJustSucceeded, watchSignIn } from '../../../electron/shell/sign-in-focus';

const state = (phase: AppState['signIn']['phase'], status: AppState['account']['status'], error: AppState['signIn']['error'] = null) =>
  ({ signIn: { phase, error }, account: { status } }) as unknown as AppState;

describe('signInJustSucceeded', () => {
  it('is true only for waiting/finishing → idle, signed in, no error', () => {
    expect(signInJustSucceeded(state('waiting', 'signed_out'), state('idle', 'signed_in'))).toBe(true);
    expect(signInJustSucceeded(state('finishing', 'signed_out'), state('idle', 'signed_in'))).toBe(true);
    expect(signInJustSucceeded(state('idle', 'signed_in'), state('idle', 'signed_in'))).toBe(false);
    expect(signInJustSucceeded(state('waiting', 'signed_out'), state('idle', 'signed_out'))).toBe(false);
    expect(signInJustSucceeded(state('waiting', 'signed_in'), state('idle', 'signed_in', { code: 'access_denied', message: 'x' }))).toBe(false);
    expect(signInJustSucceeded(state('waiting', 'signed_out'), state('finishing', 'signed_out'))).toBe(false);
  });

  it('watchSignIn fires once per successful attempt', () => {
    const listeners: Array<(s: AppState) => void> = [];
    let fired = 0;
    watchSignIn(
      () => state('idle', 'signed_out'),
      (l) => (listeners.push(l), () => {}),
      () => fired++,
    );
    for (const s of [state('waiting', 'signed_out'), state('finishing', 'signed_out'), state('idle', 'signed_in'), state('idle', 'signed_in')])
      listeners[0]!(s);
    expect(fired).toBe(1);
  });
});
