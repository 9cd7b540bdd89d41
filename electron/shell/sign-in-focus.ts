import type { AppState } from '../contract';

/**
 * True when a sign-in attempt has just succeeded: the person is looking at
 * their browser, so the window should come back to the front.
 */
export function signInJustSucceeded(before: AppState, after: AppState): boolean {
  return before.signIn.phase !== 'idle' && after.signIn.phase === 'idle' && after.signIn.error === null && after.account.status === 'signed_in';
}

/** Calls `onSuccess` after each successful sign-in. */
export function watchSignIn(
  getState: () => AppState,
  subscribe: (listener: (state: AppState) => void) => () => void,
  onSuccess: () => void,
): () => void {
  let last = getState();
  return subscribe((state) => {
    const before = last;
    last = state;
    if (signInJustSucceeded(before, state)) onSuccess();
  });
}
