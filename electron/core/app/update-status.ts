/**
 * When Loupe looks for updates and what it shows, as pure functions of the
 * updater's events and the time. The shell feeds electron-updater's events in
 * and performs what comes out; the rules are tested here without Electron.
 */

/** Look again this long after the last check ended (successful or not). */
export const UPDATE_CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;

export type UpdatePhase = 'idle' | 'checking' | 'downloading' | 'ready' | 'failed';

export interface UpdateStatus {
  phase: UpdatePhase;
  /** The version being downloaded or ready to install. */
  version: string | null;
  /** When the last check ended, ms since the epoch. */
  lastCheckedAt: number | null;
  /** The last failure, in words, for the log. */
  error: string | null;
}

export type UpdateEvent =
  | { type: 'checking' }
  | { type: 'available'; version: string }
  | { type: 'not-available' }
  | { type: 'downloaded'; version: string }
  | { type: 'error'; message: string };

export const initialUpdateStatus: UpdateStatus = { phase: 'idle', version: null, lastCheckedAt: null, error: null };

/** Updates apply only to packaged builds: a development build has no release to compare with and no installer to replace. */
export function updatesEnabled(app: { packaged: boolean }): boolean {
  return app.packaged;
}

export function reduceUpdate(status: UpdateStatus, event: UpdateEvent, now: number): UpdateStatus {
  // A downloaded update stays ready until the person restarts; later checks cannot take it back.
  if (status.phase === 'ready' && event.type !== 'downloaded') return status;
  switch (event.type) {
    case 'checking':
      return { ...status, phase: 'checking', error: null };
    case 'available':
      // electron-updater downloads in the background (autoDownload) right after it reports one.
      return { ...status, phase: 'downloading', version: event.version, lastCheckedAt: now, error: null };
    case 'not-available':
      return { ...status, phase: 'idle', version: null, lastCheckedAt: now, error: null };
    case 'downloaded':
      return { ...status, phase: 'ready', version: event.version, error: null };
    case 'error':
      return { ...status, phase: 'failed', lastCheckedAt: now, error: event.message };
  }
}

/**
 * How long until the next check: now at start, then every interval after the
 * last one ended; null while a check or download is running or an update waits
 * for a restart (nothing newer is worth fetching then).
 */
export function nextCheckIn(status: UpdateStatus, now: number): number | null {
  if (status.phase === 'checking' || status.phase === 'downloading' || status.phase === 'ready') return null;
  if (status.lastCheckedAt === null) return 0;
  return Math.max(0, status.lastCheckedAt + UPDATE_CHECK_INTERVAL_MS - now);
}

/** The tray's "Restart to update" item, when there is something to restart into. */
export function readyUpdate(status: UpdateStatus): { version: string } | null {
  return status.phase === 'ready' && status.version ? { version: status.version } : null;
}
