/** The double's system services: shell, clipboard, Notification, powerMonitor, screen and autoUpdater. */
import { EventEmitter } from 'node:events';
import type { Kernel, Listener } from './kernel';

export function createSystemServices({ record, requireReady }: Kernel) {
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
  // electron-updater's MacUpdater reaches for Electron's own autoUpdater; Loupe never does.
  const autoUpdater = new EventEmitter();

  return { shell, opened, clipboard, Notification, powerMonitor, powerMonitorEmitter, screen, autoUpdater };
}
