import { describe, expect, it } from 'vitest';
import { isCommandName } from '../../../../electron/contract';
import { trayEffect } from '../../../../electron/core/tray/tray-actions';
import type { TrayAction } from '../../../../electron/core/tray/tray-model';

const ALL: TrayAction[] = [
  'open',
  'quit',
  'sign-in',
  'cancel-sign-in',
  'sign-out',
  'refresh',
  'analyse',
  'add-photos',
  'add-folder',
  'switch-account',
  'restart-to-update',
];

describe('trayEffect', () => {
  it('maps every action to an effect (switch-account needs its account)', () => {
    for (const action of ALL) expect(trayEffect(action, 'acc-1'), action).not.toBeNull();
    expect(trayEffect('switch-account')).toBeNull();
  });

  it('runs only commands the contract knows, with their input', () => {
    for (const action of ALL) {
      const effect = trayEffect(action, 'acc-1');
      if (effect?.kind === 'command') expect(isCommandName(effect.command), effect.command).toBe(true);
    }
    expect(trayEffect('switch-account', 'acc-1')).toMatchObject({ command: 'accounts.switch', input: { accountId: 'acc-1' } });
  });

  it('sign-in brings the window forward; a failed refresh does not pop it up', () => {
    expect(trayEffect('sign-in')).toMatchObject({ kind: 'command', command: 'auth.signIn', showWindow: true });
    expect(trayEffect('refresh')).toMatchObject({ kind: 'command', command: 'auth.refreshNow', showWindow: false, showWindowOnFailure: false });
    expect(trayEffect('sign-out')).toMatchObject({ command: 'auth.signOut', showWindowOnFailure: true });
  });

  it('photos and folders are picked separately, then staged', () => {
    expect(trayEffect('add-photos')).toEqual({ kind: 'pick-and-stage', folders: false });
    expect(trayEffect('add-folder')).toEqual({ kind: 'pick-and-stage', folders: true });
    expect(trayEffect('analyse')).toMatchObject({ command: 'analysis.pickImages', showWindow: true });
  });

  it('open, quit and restart are shell effects', () => {
    expect(trayEffect('open')).toEqual({ kind: 'show-window' });
    expect(trayEffect('quit')).toEqual({ kind: 'quit' });
    expect(trayEffect('restart-to-update')).toEqual({ kind: 'restart-to-update' });
  });
});
