/**
 * App lifecycle: single instance, the order things must happen in around
 * `ready`, start-up that fails visibly, and quitting that lets running jobs
 * record their work. Behaviour lives in electron/core; Electron adapters live
 * in electron/shell.
 *
 * Order matters in three places:
 * - the image backend hook is installed before anything loads sharp, which is
 *   why the core is imported dynamically below and never statically;
 * - the app:// scheme and the Windows AppUserModelID are set before `ready`;
 * - IPC handlers are registered before the window exists, and a second launch
 *   during start-up waits for both.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, app, dialog, powerMonitor, protocol, session } from 'electron';
import type { AppState } from './contract';
import { dispatchCommand, dispatchOffered } from './core/kernel/dispatch';
import { systemClock } from './core/kernel/deps';
import { trayEffect } from './core/tray/tray-actions';
import { analysisProgress } from './core/tray/tray-model';
import { electronDeps, pickPaths } from './shell/electron-deps';
import { chooseImageBackend, installImageBackend } from './shell/image-backend';
import { registerIpc } from './shell/ipc';
import { openLogFile } from './shell/log-file';
import { createMainWindow, lockDownSession } from './shell/main-window';
import { registerAppScheme, serveRenderer } from './shell/serve-renderer';
import { createShutdown } from './shell/shutdown';
import { watchSignIn } from './shell/sign-in-focus';
import { startupFailureMessage } from './shell/startup-failure';
import { type LoupeTray, createTray } from './shell/tray';
import { type Updates, startUpdates } from './shell/updater';

/** Same as `appId` in build/electron-builder.json: Windows groups notifications and taskbar entries by it. */
export const APP_ID = 'app.loupe.desktop';

const clock = systemClock;
const platform = process.platform;
const distDir = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const imageBackend = chooseImageBackend(platform, true);

app.setAppLogsPath();
const log = openLogFile(app.getPath('logs'), clock);
/** What start-up is doing, for the failure dialog. */
let step = 'choosing how photos are decoded';

try {
  installImageBackend(imageBackend);
  step = 'registering with Windows';
  if (platform === 'win32') app.setAppUserModelId(APP_ID);
  step = 'checking for another running Loupe';
  if (!app.requestSingleInstanceLock()) {
    app.quit();
  } else {
    step = 'registering the app:// scheme';
    registerAppScheme(protocol);
    void run();
  }
} catch (error) {
  failVisibly(error);
}

/** A throw anywhere in start-up: say what failed and where the log is, then exit 1 (dialog.showErrorBox works before `ready`). */
function failVisibly(error: unknown): void {
  log.error('start-up failed', { step, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  const message = startupFailureMessage(step, error, log.path);
  dialog.showErrorBox(message.title, message.content);
  app.exit(1);
}

async function run(): Promise<void> {
  step = 'starting Electron';
  let win: BrowserWindow | undefined;
  let showWindow: (() => void) | undefined;
  let showWhenReady = false;
  let quitting = false;
  let recordAndQuit: ((quit: () => void) => void) | undefined;

  // A second launch focuses this one; during start-up it waits for the window and its IPC handlers.
  app.on('second-instance', () => (showWindow ? showWindow() : (showWhenReady = true)));
  // macOS: clicking the app in Finder or Launchpad while it runs.
  app.on('activate', () => showWindow?.());
  app.on('window-all-closed', () => {
    /* stay in the tray */
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  app.on('before-quit', (event) => {
    quitting = true;
    if (!recordAndQuit) return;
    event.preventDefault();
    const finish = recordAndQuit;
    recordAndQuit = undefined;
    finish(() => app.quit());
  });

  try {
    await app.whenReady();
    log.info('starting', { version: app.getVersion(), platform, imageBackend, packaged: app.isPackaged });
    const iconDir = app.isPackaged ? join(process.resourcesPath, 'icons') : join(app.getAppPath(), 'build', 'icons');
    step = 'locking down the window session';
    lockDownSession(session.defaultSession);
    step = "serving the window's files";
    serveRenderer(protocol, join(distDir, 'renderer'));

    step = 'loading Loupe';
    const { createCore } = await import('./core/index');
    step = 'opening the settings and the saved sign-in';
    const core = await createCore(electronDeps({ clock, logger: log, platform }), {
      // Stand-in servers for development; a packaged build always talks to OpenAI.
      endpoints: app.isPackaged ? {} : { issuer: process.env.LOUPE_CHATGPT_ISSUER, apiBase: process.env.LOUPE_OPENAI_API_BASE },
    });

    step = 'connecting the window';
    const disposeIpc = registerIpc(core, () => win, log);

    step = 'opening the window';
    const openWindow = () => {
      const created = createMainWindow({
        preloadPath: join(distDir, 'preload', 'preload.cjs'),
        dev: !app.isPackaged,
        iconPath: join(iconDir, 'app.png'),
      });
      // Closing hides to the tray; only Quit ends the app.
      created.on('close', (event) => {
        if (!quitting) {
          event.preventDefault();
          created.hide();
        }
      });
      // macOS menu-bar app: a Dock icon only while the window is visible (LSUIElement hides it at launch).
      created.on('show', () => void app.dock?.show());
      created.on('hide', () => app.dock?.hide());
      // Windows log-off / shutdown: record the running job like Quit does.
      created.on('query-session-end', () => recordAndQuit?.(() => app.quit()));
      created.on('session-end', () => recordAndQuit?.(() => app.quit()));
      return created;
    };
    showWindow = () => {
      if (!win || win.isDestroyed()) win = openWindow();
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    };
    win = openWindow();
    if (showWhenReady) showWindow();

    // Taskbar / Dock progress while photos are analysed.
    const unsubscribeProgress = core.subscribe((state: AppState) => {
      const progress = analysisProgress(state);
      if (win && !win.isDestroyed()) win.setProgressBar(progress && progress.total > 0 ? progress.done / progress.total : -1);
    });
    const unwatchSignIn = watchSignIn(core.getState, core.subscribe, () => showWindow?.());

    step = 'checking for updates';
    let updates: Updates | undefined;
    let tray: LoupeTray | undefined;
    if (app.isPackaged) {
      const { autoUpdater } = await loadUpdater();
      updates = startUpdates({ updater: autoUpdater, clock, log, onChange: () => tray?.refresh() });
    }

    step = 'creating the tray icon';
    tray = createTray({
      iconDir,
      platform,
      clock,
      getState: core.getState,
      getExtras: () => ({ updateReady: updates?.ready() ?? null }),
      subscribe: core.subscribe,
      onAction: (action, accountId) => {
        const effect = trayEffect(action, accountId);
        switch (effect?.kind) {
          case 'show-window':
            return showWindow?.();
          case 'quit':
            return app.quit();
          case 'restart-to-update':
            return updates?.restartToUpdate();
          case 'pick-and-stage':
            return void pickPaths(platform, { folders: effect.folders }).then(async (paths) => {
              if (paths.length === 0) return;
              showWindow?.();
              await dispatchOffered(core, { paths }, log);
            });
          case 'command':
            if (effect.showWindow) showWindow?.();
            return void dispatchCommand(core, effect.command, effect.input, log).then((result) => {
              if (!result.ok && effect.showWindowOnFailure) showWindow?.();
            });
        }
      },
    });

    const shutdown = createShutdown(
      async () => {
        updates?.stop();
        unwatchSignIn();
        unsubscribeProgress();
        disposeIpc();
        tray?.destroy();
        await core.dispose();
      },
      clock,
      (error) => log.error('shutting down failed', { error: String(error) }),
    );
    recordAndQuit = (quit) => void shutdown.run().finally(quit);
    // Linux and macOS shutdown: delay it until the running job is recorded.
    // (Electron's typings omit the event argument its docs describe.)
    powerMonitor.on('shutdown', (...args: unknown[]) => {
      (args[0] as Electron.Event | undefined)?.preventDefault();
      recordAndQuit?.(() => app.quit());
    });
    // Playwright's _electron suite drives the tray through this; never in a packaged build.
    if (!app.isPackaged && process.env.LOUPE_E2E === '1') Object.assign(globalThis, { loupeE2E: { tray } });
    log.info('ready');
  } catch (error) {
    failVisibly(error);
  }
}

/** electron-updater is CommonJS; its `autoUpdater` is a lazy getter that Node's named-export detection may miss. */
async function loadUpdater(): Promise<{ autoUpdater: import('./shell/updater').UpdaterLike }> {
  const mod = (await import('electron-updater')) as unknown as {
    autoUpdater?: import('./shell/updater').UpdaterLike;
    default?: { autoUpdater: import('./shell/updater').UpdaterLike };
  };
  const autoUpdater = mod.autoUpdater ?? mod.default?.autoUpdater;
  if (!autoUpdater) throw new Error('electron-updater has no autoUpdater');
  return { autoUpdater };
}
