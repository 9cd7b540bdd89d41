/**
 * Asking the person in a main-process dialog (CoreDeps.confirm) before
 * something they must agree to: secrets leaving for a server they named,
 * weak storage, a vault reset. A renderer cannot draw, answer or dismiss it.
 */
import type { ConfirmOptions } from './deps';
import { LoupeError } from './errors';

export type Confirm = (options: ConfirmOptions) => Promise<boolean>;

/** Goes on only when the person chose the affirmative button; a dialog that failed to show counts as declined. */
export async function requireConfirmation(confirm: Confirm, options: ConfirmOptions): Promise<void> {
  let ok = false;
  try {
    ok = await confirm(options);
  } catch {
    ok = false;
  }
  if (!ok) throw new LoupeError('not_confirmed', 'Nothing was saved: the confirmation was declined.');
}
