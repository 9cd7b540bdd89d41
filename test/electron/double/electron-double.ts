/**
 * A test double of the `electron` module for running the built main process
 * in plain Node. It implements the slice of Electron Loupe uses, records
 * every call, and enforces each API's documented precondition: calling an API
 * on the wrong side of `ready` throws (as Electron does) and is recorded as a
 * violation, so a test fails even if the app swallowed the error.
 *
 * Preconditions, from Electron's API docs:
 * - before ready only: protocol.registerSchemesAsPrivileged ("can only be used
 *   before the ready event"), app.setAppUserModelId (Windows: must precede any
 *   window or notification so the taskbar groups them; Loupe's rule, per #8).
 * - after ready only: BrowserWindow and Tray ("cannot be created before
 *   ready"), protocol.handle, session.defaultSession / fromPartition, net,
 *   screen and powerMonitor ("cannot be used until the ready event"),
 *   safeStorage (Linux: no key storage config before ready), dialog.showOpen
 *   / showSave, Notification, Menu.buildFromTemplate (macOS).
 * - any time: app events, requestSingleInstanceLock, getPath, showErrorBox
 *   ("can be called safely before ready"), shell.openExternal, nativeImage.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface DoubleConfig {
  platform: NodeJS.Platform;
  userData: string;
  documents: string;
  appPath: string;
  packaged: boolean;
  version: string;
  /** What requestSingleInstanceLock returns (false: another instance holds it). */
  singleInstanceLock: boolean;
  /** Linux safeStorage backend to report. */
  storageBackend: string;
  /** An API (as named in `calls`) that throws when the app calls it, to simulate a failure there. */
  throwFrom?: string;
}

export interface Call {
  api: string;
  args: unknown[];
  afterReady: boolean;
}

type Listener = (...args: unknown[]) => unknown;

export function createElectronDouble(config: DoubleConfig) {
  let ready = false;
  let resolveReady: () => void = () => {};
  const readyPromise = new Promise<void>((resolve) => (resolveReady = resolve));
  const calls: Call[] = [];
  const violations: string[] = [];
  const record = (api: string, ...args: unknown[]) => {
    calls.push({ api, args, afterReady: ready });
    if (api === config.throwFrom) throw new Error(`simulated failure in ${api}`);
  };
  const requireReady = (api: string) => {
    if (!ready) {
      violations.push(`${api} called before ready`);
      throw new Error(`${api} cannot be used before the app is ready`);
    }
  };
  const requireNotReady = (api: string) => {
    if (ready) {
      violations.push(`${api} called after ready`);
      throw new Error(`${api} must be called before the app is ready`);
    }
  };
  const preventable = () => {
    const event = { defaultPrevented: false, preventDefault: () => void (event.defaultPrevented = true) };
    return event;
  };

  // ---------------------------------------------------------------- app
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
      return ready;
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

  // ---------------------------------------------------------------- windows
  let nextContentsId = 1;
  class WebContents extends EventEmitter {
    readonly id = nextContentsId++;
    windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
    sent: Array<{ channel: string; args: unknown[] }> = [];
    destroyed = false;
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      this.windowOpenHandler = handler;
    }
    send(channel: string, ...args: unknown[]) {
      this.sent.push({ channel, args });
    }
    isDestroyed() {
      return this.destroyed;
    }
  }
  const windows: BrowserWindow[] = [];
  class BrowserWindow extends EventEmitter {
    static getFocusedWindow() {
      return windows.find((w) => !w.destroyed && w.focused > 0) ?? null;
    }
    readonly options: Record<string, unknown>;
    readonly webContents = new WebContents();
    url: string | null = null;
    visible = false;
    minimized = false;
    destroyed = false;
    focused = 0;
    progress: number | null = null;
    constructor(options: Record<string, unknown> = {}) {
      super();
      record('new BrowserWindow', options);
      requireReady('new BrowserWindow');
      this.options = options;
      windows.push(this);
      app.emit('web-contents-created', preventable(), this.webContents);
    }
    async loadURL(url: string) {
      record('BrowserWindow.loadURL', url);
      this.url = url;
      setImmediate(() => this.emit('ready-to-show'));
    }
    show() {
      this.visible = true;
      this.emit('show');
    }
    hide() {
      this.visible = false;
      this.emit('hide');
    }
    focus() {
      this.focused++;
    }
    isMinimized() {
      return this.minimized;
    }
    restore() {
      this.minimized = false;
    }
    isVisible() {
      return this.visible;
    }
    isDestroyed() {
      return this.destroyed;
    }
    setProgressBar(progress: number) {
      this.progress = progress;
    }
    /** What clicking the window's close button does. */
    close() {
      const event = preventable();
      this.emit('close', event);
      if (event.defaultPrevented) return;
      this.destroyed = true;
      this.webContents.destroyed = true;
      this.visible = false;
      this.emit('closed');
    }
  }

  // ---------------------------------------------------------------- tray and menus
  class Menu {
    constructor(readonly template: Array<Record<string, unknown>>) {}
    static buildFromTemplate(template: Array<Record<string, unknown>>) {
      requireReady('Menu.buildFromTemplate');
      return new Menu(template);
    }
  }
  const trays: Tray[] = [];
  class Tray extends EventEmitter {
    image: { path: string };
    tooltip = '';
    menu: Menu | null = null;
    menuBuilds = 0;
    destroyed = false;
    constructor(image: { path: string }) {
      super();
      record('new Tray', image.path);
      requireReady('new Tray');
      this.image = image;
      trays.push(this);
    }
    setImage(image: { path: string }) {
      this.image = image;
    }
    setToolTip(tooltip: string) {
      this.tooltip = tooltip;
    }
    setContextMenu(menu: Menu) {
      this.menu = menu;
      this.menuBuilds++;
    }
    destroy() {
      this.destroyed = true;
    }
  }
  const nativeImage = {
    createFromPath: (path: string) => ({ path, isEmpty: () => !existsSync(path) }),
  };

  // ---------------------------------------------------------------- ipc
  const handlers = new Map<string, Listener>();
  const handleCalls: string[] = [];
  const ipcMain = Object.assign(new EventEmitter(), {
    handle(channel: string, handler: Listener) {
      handleCalls.push(channel);
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, handler);
    },
    removeHandler(channel: string) {
      handlers.delete(channel);
    },
  });

  // ---------------------------------------------------------------- protocol, sessions, net
  const privilegedSchemes: unknown[] = [];
  const protocolHandlers = new Map<string, (request: Request) => Promise<Response> | Response>();
  const protocol = {
    registerSchemesAsPrivileged(schemes: unknown[]) {
      record('protocol.registerSchemesAsPrivileged', schemes);
      requireNotReady('protocol.registerSchemesAsPrivileged');
      privilegedSchemes.push(...schemes);
    },
    handle(scheme: string, handler: (request: Request) => Promise<Response> | Response) {
      record('protocol.handle', scheme);
      requireReady('protocol.handle');
      protocolHandlers.set(scheme, handler);
    },
  };
  const fetches: Array<{ partition: string; url: string; credentials: unknown }> = [];
  const makeSession = (partition: string) => ({
    partition,
    permissionRequestHandler: null as unknown,
    permissionCheckHandler: null as unknown,
    devicePermissionHandler: null as unknown,
    setPermissionRequestHandler(handler: unknown) {
      this.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler: unknown) {
      this.permissionCheckHandler = handler;
    },
    setDevicePermissionHandler(handler: unknown) {
      this.devicePermissionHandler = handler;
    },
    fetch(input: string | Request, init: RequestInit = {}) {
      requireReady('session.fetch');
      fetches.push({ partition, url: typeof input === 'string' ? input : input.url, credentials: init.credentials });
      return globalThis.fetch(input, init);
    },
  });
  const sessions = new Map<string, ReturnType<typeof makeSession>>();
  const sessionFor = (partition: string) => {
    let found = sessions.get(partition);
    if (!found) sessions.set(partition, (found = makeSession(partition)));
    return found;
  };
  const session = {
    get defaultSession() {
      requireReady('session.defaultSession');
      return sessionFor('');
    },
    fromPartition(partition: string) {
      record('session.fromPartition', partition);
      requireReady('session.fromPartition');
      return sessionFor(partition);
    },
  };
  const net = {
    fetch(input: string | Request, init?: RequestInit) {
      record('net.fetch');
      requireReady('net.fetch');
      return sessionFor('').fetch(input, init);
    },
  };

  // ---------------------------------------------------------------- system services
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
  const errorBoxes: Array<{ title: string; content: string }> = [];
  const openDialogAnswers: string[][] = [];
  const messageBoxAnswers: number[] = [];
  const messageBoxes: Array<{ title: string; message: string; detail: string; buttons: string[]; defaultId: number; cancelId: number }> = [];
  const dialog = {
    async showMessageBox(...args: unknown[]) {
      const options = (args.length > 1 ? args[1] : args[0]) as (typeof messageBoxes)[number];
      record('dialog.showMessageBox', options.title);
      requireReady('dialog.showMessageBox');
      messageBoxes.push(options);
      // Closing the box answers its cancelId, as Electron documents.
      return { response: messageBoxAnswers.shift() ?? options.cancelId, checkboxChecked: false };
    },
    showErrorBox(title: string, content: string) {
      record('dialog.showErrorBox', title);
      errorBoxes.push({ title, content });
    },
    async showOpenDialog(options: unknown) {
      record('dialog.showOpenDialog', options);
      requireReady('dialog.showOpenDialog');
      const filePaths = openDialogAnswers.shift() ?? [];
      return { canceled: filePaths.length === 0, filePaths };
    },
    async showSaveDialog(options: unknown) {
      record('dialog.showSaveDialog', options);
      requireReady('dialog.showSaveDialog');
      return { canceled: true, filePath: '' };
    },
  };
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
  // Reversible, so the vault round-trips; prefixed, so a test can tell it was used.
  const safeStorage = {
    async isAsyncEncryptionAvailable() {
      requireReady('safeStorage.isAsyncEncryptionAvailable');
      return true;
    },
    getSelectedStorageBackend() {
      record('safeStorage.getSelectedStorageBackend');
      requireReady('safeStorage.getSelectedStorageBackend');
      return config.storageBackend;
    },
    async encryptStringAsync(plainText: string) {
      requireReady('safeStorage.encryptStringAsync');
      return Buffer.concat([Buffer.from('dbl1'), Buffer.from(plainText, 'utf8').map((b) => b ^ 0x5a)]);
    },
    async decryptStringAsync(cipherText: Buffer) {
      requireReady('safeStorage.decryptStringAsync');
      return { result: Buffer.from(cipherText.subarray(4).map((b) => b ^ 0x5a)).toString('utf8'), shouldReEncrypt: false };
    },
  };
  // electron-updater's MacUpdater reaches for Electron's own autoUpdater; Loupe never does.
  const autoUpdater = new EventEmitter();

  const module = {
    app,
    BrowserWindow,
    Tray,
    Menu,
    nativeImage,
    ipcMain,
    protocol,
    session,
    net,
    shell,
    clipboard,
    dialog,
    Notification,
    powerMonitor,
    safeStorage,
    screen,
    autoUpdater,
  };

  /** What only the test sees. */
  const control = {
    calls,
    violations,
    windows,
    trays,
    handlers,
    handleCalls,
    privilegedSchemes,
    protocolHandlers,
    sessions,
    fetches,
    opened,
    errorBoxes,
    openDialogAnswers,
    messageBoxAnswers,
    messageBoxes,
    powerMonitor: powerMonitorEmitter,
    get ready() {
      return ready;
    },
    fireReady() {
      if (ready) return;
      ready = true;
      app.emit('will-finish-launching');
      app.emit('ready', preventable(), {});
      resolveReady();
    },
    preventable,
  };
  return { module, control };
}

export type ElectronDouble = ReturnType<typeof createElectronDouble>;
