/**
 * electron-updater driven by the pure rules in electron/core/app/update-status.ts:
 * check at start and every six hours, download in the background, offer
 * "Restart to update" in the tray once downloaded. Packaged builds only; the
 * feed is the GitHub repository a release build was made for
 * (LOUPE_UPDATE_REPOSITORY in build/electron-builder.config.ts), and a
 * Windows update must carry that build's publisher's signature.
 */
import type { Clock, Logger } from '../core/kernel/deps';
import { type UpdateEvent, type UpdateStatus, initialUpdateStatus, nextCheckIn, readyUpdate, reduceUpdate } from '../core/app/update-status';

/** The slice of electron-updater's AppUpdater Loupe uses. */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  on(event: 'checking-for-update' | 'update-not-available', listener: () => void): unknown;
  on(event: 'update-available' | 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(): void;
}

export interface Updates {
  ready(): { version: string } | null;
  restartToUpdate(): void;
  stop(): void;
}

export function startUpdates(options: { updater: UpdaterLike; clock: Clock; log: Logger; onChange: () => void }): Updates {
  const { updater, clock, log } = options;
  let status: UpdateStatus = initialUpdateStatus;
  let timer = { cancel() {} };
  let stopped = false;

  const schedule = () => {
    timer.cancel();
    const delay = nextCheckIn(status, clock.now());
    if (stopped || delay === null) return;
    timer = clock.setTimeout(() => {
      updater.checkForUpdates().then(
        (result) => {
          // null: electron-updater is inactive here (e.g. a Linux build that is not an AppImage or a deb); no events will follow.
          if (result === null) log.info('updates are not available for this build');
        },
        // Errors arrive as the 'error' event too, which reschedules.
        () => {},
      );
    }, delay);
  };
  const apply = (event: UpdateEvent) => {
    const before = readyUpdate(status);
    status = reduceUpdate(status, event, clock.now());
    if (event.type === 'error') log.warn('update check failed', { error: event.message });
    if (event.type === 'downloaded') log.info('update downloaded', { version: event.version });
    if (readyUpdate(status)?.version !== before?.version) options.onChange();
    schedule();
  };

  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  updater.on('checking-for-update', () => apply({ type: 'checking' }));
  updater.on('update-available', (info) => apply({ type: 'available', version: info.version }));
  updater.on('update-not-available', () => apply({ type: 'not-available' }));
  updater.on('update-downloaded', (info) => apply({ type: 'downloaded', version: info.version }));
  updater.on('error', (error) => apply({ type: 'error', message: error.message }));
  schedule();

  return {
    ready: () => readyUpdate(status),
    restartToUpdate: () => {
      if (readyUpdate(status)) updater.quitAndInstall();
    },
    stop() {
      stopped = true;
      timer.cancel();
    },
  };
}
