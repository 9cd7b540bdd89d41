/** The double's system services: shell, clipboard, Notification, powerMonitor, screen and autoUpdater. */
import { EventEmitter } from 'node:events';
import type { DoubleApp } from './app';
import type { Kernel, Listener } from './kernel';

export function createSystemServices({ record, requireReady }: Kernel, app: DoubleApp) {
  const opened: string[] = [];
  const shell = {
    async openExternal(url: string) {
      record('shell.openExternal', url);
      opened.push(url);
    },
    async openPath(path: string) {
      record('shell.openPath', path);
      return '';
    },
  };
  const clipboard = { writeText: (text: string) => record('clipboard.writeText', text.length) };
  class Notification {
    static isSupported() {
      return true;
    }
    constructor(readonly options: { title: string; body: string }) {
      requireReady('new Notification');
    }
    show() {
      record('Notification.show', this.options.title);
    }
  }
  const powerMonitorEmitter = new EventEmitter();
  const powerMonitor = {
    on(event: string, listener: Listener) {
      record('powerMonitor.on', event);
      requireReady('powerMonitor');
      powerMonitorEmitter.on(event, listener);
      return powerMonitor;
    },
  };
  const screen = {
    getPrimaryDisplay() {
      requireReady('screen');
      return { workAreaSize: { width: 1920, height: 1080 } };
    },
  };
  /**
   * Electron's autoUpdater (Squirrel.Mac on macOS), which electron-updater's MacUpdater drives. Its
   * quitAndInstall, as Electron's source and docs have it: emit `before-quit-for-update`, close every
   * window, and only once all are closed quit (so `before-quit` comes after the windows closed). A window
   * whose `close` is prevented stops it there: the app keeps running and the update waits.
   */
  const autoUpdater = Object.assign(new EventEmitter(), {
    quitAndInstall() {
      record('autoUpdater.quitAndInstall');
      autoUpdater.emit('before-quit-for-update');
      if (!app.closeAllWindows()) return record('autoUpdater.quitAndInstall stopped: a window stayed open');
      app.quit();
    },
  });

  return { shell, opened, clipboard, Notification, powerMonitor, powerMonitorEmitter, screen, autoUpdater };
}
