import type { AppState } from '../../contract';
import { accountGlance } from '../accounts/expiry-warning';

/** What the tray shows, computed from AppState and the time alone so it can be tested without Electron. */
export type TrayIconState = 'signed-out' | 'signed-in' | 'expiring' | 'needs-sign-in' | 'busy';

/** Menu actions the shell knows how to perform. */
export type TrayAction =
  | 'open'
  | 'quit'
  | 'sign-in'
  | 'cancel-sign-in'
  | 'sign-out'
  | 'refresh'
  | 'analyse'
  | 'add-photos'
  | 'add-folder'
  | 'switch-account'
  | 'restart-to-update';

/** Shell facts the tray shows beside AppState (they are not part of the renderer's state). */
export interface TrayExtras {
  /** Set once an update has been downloaded and is installed by restarting. */
  updateReady?: { version: string } | null;
}

export type TrayMenuItem =
  | { type: 'action'; id: TrayAction; label: string; enabled: boolean; accountId?: string; checked?: boolean }
  | { type: 'label'; label: string }
  | { type: 'submenu'; label: string; items: TrayMenuItem[] }
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

/** Progress of running jobs, for the tray and the taskbar: null when nothing runs. */
export function analysisProgress(state: AppState): { done: number; total: number } | null {
  const running = state.analysis.jobs.filter((j) => j.status === 'running' || j.status === 'queued');
  if (running.length === 0) return null;
  return running.reduce(
    (sum, j) => ({ done: sum.done + j.counts.done + j.counts.unparsed + j.counts.failed + j.counts.skipped, total: sum.total + j.counts.total }),
    { done: 0, total: 0 },
  );
}

function accountLine(a: AppState['accounts'][number], now: number): string {
  const state =
    a.status === 'needs_sign_in'
      ? 'needs sign-in'
      : a.status === 'signed_out'
        ? 'signed out'
        : a.expiresAt === null
          ? 'ready'
          : a.expiresAt <= now
            ? 'expired'
            : `${formatRemaining(a.expiresAt - now)} left`;
  return `${a.label} (${state})`;
}

export function trayModel(state: AppState, now: number, extras: TrayExtras = {}): TrayModel {
  const name = state.app.name;
  const { account, signIn } = state;
  const who = account.email ?? account.name ?? account.label ?? 'ChatGPT account';
  const progress = analysisProgress(state);
  const signingIn = signIn.phase !== 'idle';
  const remaining = account.expiresAt === null ? null : account.expiresAt - now;

  let icon: TrayIconState;
  let status: string;
  if (progress) {
    icon = 'busy';
    status = `Analysing ${progress.done} / ${progress.total}`;
  } else if (signingIn) {
    icon = 'busy';
    status = 'signing in…';
  } else if (account.status === 'needs_sign_in') {
    icon = 'needs-sign-in';
    status = `${who} · sign in again`;
  } else if (account.status === 'signed_in') {
    // The same rule as the window's account pill: a session that renews itself in time is never "expiring".
    const expiring = accountGlance(account, now, state.settings.expiryWarningMinutes * 60_000) === 'expiring';
    icon = account.refreshing ? 'busy' : expiring ? 'expiring' : 'signed-in';
    status = remaining === null ? who : remaining <= 0 ? `${who} · token expired` : `${who} · token expires in ${formatRemaining(remaining)}`;
  } else {
    icon = 'signed-out';
    status = 'not signed in';
  }

  const menu: TrayMenuItem[] = [{ type: 'label', label: account.status === 'signed_out' ? 'Not signed in' : who }];
  if (progress) menu.push({ type: 'label', label: `Analysing ${progress.done} / ${progress.total}` });
  if (account.status === 'signed_in' && remaining !== null) {
    menu.push({ type: 'label', label: remaining <= 0 ? 'Token expired' : `Token expires in ${formatRemaining(remaining)}` });
  }
  if (account.status === 'needs_sign_in') menu.push({ type: 'label', label: 'Needs sign-in' });
  menu.push({ type: 'separator' });
  if (signingIn) {
    menu.push({ type: 'action', id: 'cancel-sign-in', label: 'Cancel sign-in', enabled: true });
  } else if (account.status === 'signed_in') {
    if (account.canRefresh) menu.push({ type: 'action', id: 'refresh', label: 'Refresh now', enabled: !account.refreshing });
    menu.push({ type: 'action', id: 'sign-out', label: account.kind === 'api_key' ? 'Remove API key' : 'Sign out', enabled: true });
  } else {
    menu.push({
      type: 'action',
      id: 'sign-in',
      label: account.kind === 'custom' ? `Sign in to ${account.label}…` : 'Continue with ChatGPT…',
      enabled: true,
    });
  }
  if (state.accounts.length > 1) {
    menu.push({
      type: 'submenu',
      label: 'Switch account',
      items: state.accounts.map((a) => ({
        type: 'action',
        id: 'switch-account',
        accountId: a.id,
        label: accountLine(a, now),
        enabled: true,
        checked: a.active,
      })),
    });
  }
  menu.push({ type: 'separator' });
  if (state.app.platform === 'darwin') {
    menu.push({ type: 'action', id: 'analyse', label: 'Analyse images…', enabled: true });
  } else {
    // Windows and Linux dialogs pick files or folders, never both at once.
    menu.push({ type: 'action', id: 'add-photos', label: 'Add photos…', enabled: true });
    menu.push({ type: 'action', id: 'add-folder', label: 'Add folder…', enabled: true });
  }
  if (extras.updateReady) {
    menu.push({ type: 'action', id: 'restart-to-update', label: `Restart to update (${extras.updateReady.version})`, enabled: true });
  }
  menu.push({ type: 'action', id: 'open', label: `Open ${name}`, enabled: true });
  menu.push({ type: 'action', id: 'quit', label: `Quit ${name}`, enabled: true });

  return { icon, tooltip: `${name} — ${status}`, menu };
}
