/**
 * The double's `app`: paths, the single-instance lock, quit and exit, and the Windows AppUserModelID (before ready only).
 *
 * As Electron documents: app.setPath('userData') belongs before `ready` (Chromium's session data is placed
 * then); the single-instance lock lives in the userData folder of the moment it is requested (a lock file
 * here, so two processes sharing a folder cannot both hold it); app.quit() emits `before-quit`, then closes
 * every window (any `close` handler may cancel the quit), then emits `will-quit` and exits (app docs,
 * app.quit and the `window-all-closed` note: that event is not emitted while quitting).
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kernel } from './kernel';

export function createApp({ config, record, requireNotReady, preventable, readyPromise, isReady, violations }: Kernel) {
  let logsPath: string | undefined;
  const paths: Record<string, string> = {
    appData: config.appData,
    userData: config.userData,
    documents: config.documents,
    temp: join(config.userData, 'tmp'),
    home: config.userData,
  };
  let lockFile: string | null = null;
  const releaseLock = () => {
    if (lockFile) rmSync(lockFile, { force: true });
    lockFile = null;
  };
  process.on('exit', releaseLock);
  class App extends EventEmitter {
    readonly isPackaged = config.packaged;
    readonly commandLine = {
      hasSwitch: (name: string) => name === 'user-data-dir' && config.userDataSwitch,
    };
    readonly dock =
      config.platform === 'darwin'
        ? {
            visible: true,
            show: async () => {
              record('app.dock.show');
              this.dock!.visible = true;
            },
            hide: () => {
              record('app.dock.hide');
              this.dock!.visible = false;
            },
          }
        : undefined;
    exitCode: number | null = null;
    quitting = false;
    /** Set by windows.ts: closes every window as Electron does when quitting; false when one refused. */
    closeAllWindows: () => boolean = () => true;
    requestSingleInstanceLock() {
      record('app.requestSingleInstanceLock', paths.userData);
      if (!config.singleInstanceLock) return false;
      // Beside the folder rather than in it, so a scenario with an unusable folder still gets that far.
      const locks = join(tmpdir(), 'loupe-double-locks');
      const file = join(locks, createHash('sha256').update(paths.userData!).digest('hex').slice(0, 32));
      try {
        mkdirSync(locks, { recursive: true });
        closeSync(openSync(file, 'wx'));
      } catch {
        return false;
      }
      lockFile = file;
      return true;
    }
    whenReady() {
      return readyPromise;
    }
    isReady() {
      return isReady();
    }
    setAppUserModelId(id: string) {
      record('app.setAppUserModelId', id);
      requireNotReady('app.setAppUserModelId');
    }
    setAppLogsPath(path?: string) {
      record('app.setAppLogsPath', path ?? null);
      logsPath = path ?? (config.platform === 'darwin' ? join(config.userData, 'Logs') : join(paths.userData!, 'logs'));
    }
    setPath(name: string, path: string) {
      record('app.setPath', name, path);
      if (!(name in paths)) throw new Error(`the double has no path '${name}'`);
      if (name === 'userData' && isReady()) violations.push('app.setPath(userData) after ready: the session data stays behind');
      paths[name] = path;
    }
    getPath(name: string) {
      if (name === 'logs') {
        if (!logsPath) throw new Error("app.getPath('logs') before app.setAppLogsPath()");
        return logsPath;
      }
      const path = paths[name];
      if (!path) throw new Error(`the double has no path '${name}'`);
      return path;
    }
    getAppPath() {
      return config.appPath;
    }
    getName() {
      return 'Loupe';
    }
    getVersion() {
      return config.version;
    }
    quit() {
      record('app.quit');
      const event = preventable();
      this.emit('before-quit', event);
      if (event.defaultPrevented) return;
      this.quitting = true;
      if (!this.closeAllWindows()) {
        // A window refused to close: Electron abandons the quit.
        record('app.quit cancelled by a window');
        this.quitting = false;
        return;
      }
      this.emit('will-quit', preventable());
      this.exit(0);
    }
    exit(code = 0) {
      record('app.exit', code);
      this.exitCode = code;
      releaseLock();
      this.emit('double-exit', code);
    }
  }
  const app = new App();
  return app;
}

export type DoubleApp = ReturnType<typeof createApp>;
