/** The double's `app`: paths, the single-instance lock, quit and exit, and the Windows AppUserModelID (before ready only). */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { Kernel } from './kernel';

export function createApp({ config, record, requireNotReady, preventable, readyPromise, isReady }: Kernel) {
  let logsPath: string | undefined;
  const paths: Record<string, string> = {
    userData: config.userData,
    documents: config.documents,
    temp: join(config.userData, 'tmp'),
    home: config.userData,
  };
  class App extends EventEmitter {
    readonly isPackaged = config.packaged;
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
    requestSingleInstanceLock() {
      record('app.requestSingleInstanceLock');
      return config.singleInstanceLock;
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
      logsPath = path ?? (config.platform === 'darwin' ? join(config.userData, 'Logs') : join(config.userData, 'logs'));
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
      this.emit('will-quit', preventable());
      this.exit(0);
    }
    exit(code = 0) {
      record('app.exit', code);
      this.exitCode = code;
      this.emit('double-exit', code);
    }
  }
  const app = new App();
  return app;
}

export type DoubleApp = ReturnType<typeof createApp>;
