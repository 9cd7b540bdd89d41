/**
 * App lifecycle and wiring: builds the Electron-backed adapters, hands them to
 * createCore, and attaches the shell (window, tray, IPC). No behaviour lives
 * here; it lives in electron/core.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Notification, app, clipboard, dialog, net, session, shell } from 'electron';
import { systemClock } from './core/kernel/deps';
import { dispatchCommand } from './core/kernel/dispatch';
import { createCore } from './core/index';
import { analysisProgress } from './core/tray-model';
import { createSafeStorageCipher } from './shell/cipher';
import { registerIpc } from './shell/ipc';
import { registerAppScheme, serveRenderer } from './shell/protocol';
import { openElectronStore } from './shell/store';
import { createTray } from './shell/tray';
import { createMainWindow, lockDownSession } from './shell/window';

const here = fileURLToPath(new URL('.', import.meta.url));
const distDir = join(here, '..');
const iconDir = app.isPackaged ? join(process.resourcesPath, 'icons') : join(app.getAppPath(), 'build', 'icons');

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  registerAppScheme();
  void start();
}

async function start(): Promise<void> {
  let win: BrowserWindow | undefined;
  let quitting = false;

  const showWindow = () => {
    if (!win || win.isDestroyed()) win = openWindow();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };
  const openWindow = () => {
    const created = createMainWindow({ preloadPath: join(distDir, 'preload', 'preload.cjs'), dev: !app.isPackaged, iconPath: join(iconDir, 'app.png') });
    // Closing hides to the tray; only Quit ends the app.
    created.on('close', (event) => {
      if (!quitting) {
        event.preventDefault();
        created.hide();
      }
    });
    return created;
  };

  let shutdown: (() => Promise<void>) | undefined;
  app.on('second-instance', () => showWindow());
  app.on('before-quit', (event) => {
    quitting = true;
    if (!shutdown) return;
    // Let running jobs record what they finished before the process ends (bounded, so Quit always quits).
    event.preventDefault();
    const finish = shutdown;
    shutdown = undefined;
    void Promise.race([finish(), new Promise((resolve) => setTimeout(resolve, 5_000))]).finally(() => app.quit());
  });
  app.on('window-all-closed', () => {
    /* stay in the tray */
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  await app.whenReady();
  lockDownSession(session.defaultSession);
  serveRenderer(join(distDir, 'renderer'));

  const core = await createCore({
    cipher: createSafeStorageCipher(),
    openStore: (name) => openElectronStore(app.getPath('userData'), name),
    openExternal: (url) => shell.openExternal(url),
    copyText: (text) => clipboard.writeText(text),
    openPath: async (path) => {
      const failure = await shell.openPath(path);
      if (failure) throw new Error(failure);
    },
    pickFiles: async () => {
      const result = await dialog.showOpenDialog({
        title: 'Add images',
        properties: ['openFile', 'openDirectory', 'multiSelections'],
        filters: [{ name: 'Images', extensions: ['jpg', 'jpeg', 'png', 'webp', 'gif', 'avif', 'tif', 'tiff', 'heic', 'heif'] }],
      });
      return result.canceled ? [] : result.filePaths;
    },
    pickSavePath: async (defaultName) => {
      const result = await dialog.showSaveDialog({ defaultPath: join(app.getPath('documents'), defaultName) });
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    documentsDir: app.getPath('documents'),
    fetch: (input, init) => net.fetch(input instanceof URL ? input.href : input, init),
    notify: (title, body) => {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    },
    clock: systemClock,
    dataDir: app.getPath('userData'),
    app: { name: app.getName(), version: app.getVersion(), platform: process.platform, dev: !app.isPackaged },
  }, {
    // Stand-in servers for development; a packaged build always talks to OpenAI.
    endpoints: app.isPackaged ? {} : { issuer: process.env.LOUPE_CHATGPT_ISSUER, apiBase: process.env.LOUPE_OPENAI_API_BASE },
  });

  win = openWindow();
  const disposeIpc = registerIpc(core, () => win);
  // Taskbar / dock progress while photos are analysed.
  const unsubscribeProgress = core.subscribe((state) => {
    const progress = analysisProgress(state);
    if (win && !win.isDestroyed()) win.setProgressBar(progress && progress.total > 0 ? progress.done / progress.total : -1);
  });
  const tray = createTray({
    iconDir,
    getState: core.getState,
    subscribe: core.subscribe,
    onAction: (action, accountId) => {
      const run = (command: 'auth.signIn' | 'auth.cancelSignIn' | 'auth.signOut' | 'auth.refreshNow' | 'analysis.pickImages' | 'accounts.switch', input: object = {}) =>
        void dispatchCommand(core, command, input).then((result) => {
          if (!result.ok && command !== 'auth.refreshNow') showWindow();
        });
      switch (action) {
        case 'open':
          return showWindow();
        case 'quit':
          return app.quit();
        case 'sign-in':
          showWindow();
          return run('auth.signIn');
        case 'cancel-sign-in':
          return run('auth.cancelSignIn');
        case 'sign-out':
          return run('auth.signOut');
        case 'refresh':
          return run('auth.refreshNow');
        case 'switch-account':
          return accountId ? run('accounts.switch', { accountId }) : undefined;
        case 'analyse':
          showWindow();
          return run('analysis.pickImages');
      }
    },
  });

  shutdown = async () => {
    unsubscribeProgress();
    disposeIpc();
    tray.destroy();
    await core.dispose();
  };
}
