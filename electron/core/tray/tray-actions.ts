/**
 * What each tray menu action does, as data: the shell performs the effect,
 * this table decides it. Kept beside the tray model so a new menu item and
 * its behaviour are reviewed together.
 */
import type { CommandName } from '../../contract';
import type { TrayAction } from './tray-model';

export type TrayEffect =
  | { kind: 'show-window' }
  | { kind: 'quit' }
  | { kind: 'restart-to-update' }
  /** A system dialog for photos or for folders (Windows and Linux cannot offer both at once), then `core.stageOffered` (no command stages a path). */
  | { kind: 'pick-and-stage'; folders: boolean }
  | {
      kind: 'command';
      command: CommandName;
      input: Record<string, unknown>;
      /** Bring the window forward first: the command's progress is shown there. */
      showWindow: boolean;
      /** Bring the window forward when the command fails, so the person sees why. */
      showWindowOnFailure: boolean;
    };

const command = (name: CommandName, options: { input?: Record<string, unknown>; showWindow?: boolean; quietFailure?: boolean } = {}): TrayEffect => ({
  kind: 'command',
  command: name,
  input: options.input ?? {},
  showWindow: options.showWindow ?? false,
  showWindowOnFailure: !options.quietFailure,
});

/** The effect of clicking `action` (with the account of a "Switch account" entry); null when there is nothing to do. */
export function trayEffect(action: TrayAction, accountId?: string): TrayEffect | null {
  switch (action) {
    case 'open':
      return { kind: 'show-window' };
    case 'quit':
      return { kind: 'quit' };
    case 'restart-to-update':
      return { kind: 'restart-to-update' };
    case 'sign-in':
      return command('auth.signIn', { showWindow: true });
    case 'cancel-sign-in':
      return command('auth.cancelSignIn');
    case 'sign-out':
      return command('auth.signOut');
    // A failed refresh is shown by the tray icon and the account view; no need to pop the window up.
    case 'refresh':
      return command('auth.refreshNow', { quietFailure: true });
    case 'switch-account':
      return accountId ? command('accounts.switch', { input: { accountId } }) : null;
    case 'analyse':
      return command('analysis.pickImages', { showWindow: true });
    case 'add-photos':
      return { kind: 'pick-and-stage', folders: false };
    case 'add-folder':
      return { kind: 'pick-and-stage', folders: true };
  }
}
