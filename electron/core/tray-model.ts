import type { AppState } from '../contract';

/** What the tray shows, computed from AppState alone so it can be tested without Electron. */
export type TrayIconState = 'signed-out' | 'signed-in' | 'expiring' | 'needs-sign-in' | 'busy';

/** Menu actions the shell knows how to perform. */
export type TrayAction = 'open' | 'quit';

export type TrayMenuItem =
  | { type: 'action'; id: TrayAction; label: string; enabled: boolean }
  | { type: 'label'; label: string }
  | { type: 'separator' };

export interface TrayModel {
  icon: TrayIconState;
  tooltip: string;
  menu: TrayMenuItem[];
}

export function trayModel(state: AppState): TrayModel {
  const name = state.app.name;
  return {
    icon: 'signed-out',
    tooltip: `${name} — not signed in`,
    menu: [
      { type: 'label', label: 'Not signed in' },
      { type: 'separator' },
      { type: 'action', id: 'open', label: `Open ${name}`, enabled: true },
      { type: 'separator' },
      { type: 'action', id: 'quit', label: `Quit ${name}`, enabled: true },
    ],
  };
}
