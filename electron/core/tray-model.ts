import type { AppState } from '../contract';

/** What the tray shows, computed from AppState and the time alone so it can be tested without Electron. */
export type TrayIconState = 'signed-out' | 'signed-in' | 'expiring' | 'needs-sign-in' | 'busy';

/** Menu actions the shell knows how to perform. */
export type TrayAction = 'open' | 'quit' | 'sign-in' | 'cancel-sign-in' | 'sign-out' | 'refresh';

export type TrayMenuItem =
  | { type: 'action'; id: TrayAction; label: string; enabled: boolean }
  | { type: 'label'; label: string }
  | { type: 'separator' };

export interface TrayModel {
  icon: TrayIconState;
  tooltip: string;
  menu: TrayMenuItem[];
}

/** "42 min", "1 h 5 min", "40 s": how long until `at`. */
export function formatRemaining(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.floor(ms / 1000))} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

export function trayModel(state: AppState, now: number): TrayModel {
  const name = state.app.name;
  const { account, signIn } = state;
  const who = account.email ?? account.name ?? 'ChatGPT account';
  const signingIn = signIn.phase !== 'idle';
  const remaining = account.expiresAt === null ? null : account.expiresAt - now;

  let icon: TrayIconState;
  let status: string;
  if (signingIn) {
    icon = 'busy';
    status = 'signing in…';
  } else if (account.status === 'needs_sign_in') {
    icon = 'needs-sign-in';
    status = `${who} · sign in again`;
  } else if (account.status === 'signed_in') {
    const expiring = remaining !== null && remaining < state.settings.expiryWarningMinutes * 60_000;
    icon = account.refreshing ? 'busy' : expiring ? 'expiring' : 'signed-in';
    status =
      remaining === null ? who : remaining <= 0 ? `${who} · token expired` : `${who} · token expires in ${formatRemaining(remaining)}`;
  } else {
    icon = 'signed-out';
    status = 'not signed in';
  }

  const menu: TrayMenuItem[] = [{ type: 'label', label: account.status === 'signed_out' ? 'Not signed in' : who }];
  if (account.status === 'signed_in' && remaining !== null) {
    menu.push({ type: 'label', label: remaining <= 0 ? 'Token expired' : `Token expires in ${formatRemaining(remaining)}` });
  }
  if (account.status === 'needs_sign_in') menu.push({ type: 'label', label: 'Needs sign-in' });
  menu.push({ type: 'separator' });
  if (signingIn) {
    menu.push({ type: 'action', id: 'cancel-sign-in', label: 'Cancel sign-in', enabled: true });
  } else if (account.status === 'signed_in') {
    menu.push({ type: 'action', id: 'refresh', label: 'Refresh now', enabled: !account.refreshing });
    menu.push({ type: 'action', id: 'sign-out', label: 'Sign out', enabled: true });
  } else {
    menu.push({ type: 'action', id: 'sign-in', label: 'Continue with ChatGPT…', enabled: true });
  }
  menu.push({ type: 'separator' });
  menu.push({ type: 'action', id: 'open', label: `Open ${name}`, enabled: true });
  menu.push({ type: 'action', id: 'quit', label: `Quit ${name}`, enabled: true });

  return { icon, tooltip: `${name} — ${status}`, menu };
}
