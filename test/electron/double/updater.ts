/**
 * electron-updater's autoUpdater as the app sees it, for the scenarios that hand it an update (config
 * `updater: 'double'`); the others load the real package. Its quitAndInstall does what electron-updater
 * 6.8 does: MacUpdater hands over to Electron's autoUpdater (Squirrel.Mac: windows close before
 * `before-quit`), BaseUpdater (Windows, Linux) starts the installer and then, on the next turn, emits
 * `before-quit-for-update` on Electron's autoUpdater and calls app.quit() (out/BaseUpdater.js).
 */
import { EventEmitter } from 'node:events';
import type { DoubleApp } from './app';
import type { Kernel } from './kernel';

export function createUpdater({ config, record }: Kernel, electron: { app: DoubleApp; autoUpdater: EventEmitter & { quitAndInstall(): void } }) {
  const autoUpdater = Object.assign(new EventEmitter(), {
    autoDownload: false,
    autoInstallOnAppQuit: false,
    checkForUpdates() {
      record('updater.checkForUpdates');
      return Promise.resolve({});
    },
    quitAndInstall() {
      record('updater.quitAndInstall');
      if (config.platform === 'darwin') return electron.autoUpdater.quitAndInstall();
      setImmediate(() => {
        electron.autoUpdater.emit('before-quit-for-update');
        electron.app.quit();
      });
    },
  });
  return { autoUpdater };
}
