/**
 * App lifecycle: single instance, the order things must happen in around
 * `ready`, start-up that fails visibly, and quitting that lets running jobs
 * record their work. Behaviour lives in electron/core; Electron adapters live
 * in electron/shell.
 *
 * Order matters in four places:
 * - the data folder is chosen before anything reads it, before `ready` and
 *   before the single-instance lock (Electron keeps the lock in it);
 * - the image backend hook is installed before anything loads sharp, which is
 *   why the core is imported dynamically below and never statically;
 * - the app:// scheme and the Windows AppUserModelID are set before `ready`;
 * - IPC handlers are registered before the window exists, and a second launch
 *   during start-up waits for both.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, app, autoUpdater, dialog, powerMonitor, protocol, safeStorage, session } from 'electron';
import type { AppState } from './contract';
import { dispatchCommand, dispatchOffered } from './core/kernel/dispatch';
import { systemClock } from './core/kernel/deps';
import { trayEffect } from './core/tray/tray-actions';
import { analysisProgress } from './core/tray/tray-model';
import { describeError, logCrashes } from './shell/crash-log';
import { dataFolders } from './shell/data-folders';
import { electronDeps, pickPaths } from './shell/electron-deps';
import { chooseImageBackend, installImageBackend } from './shell/image-backend';
import { registerIpc } from './shell/ipc';
import { openLogFile } from './shell/log-file';
import { createMainWindow, lockDownSession } from './shell/main-window';
import { KEYCHAIN_ANSWER_MS, createSafeStorageCipher } from './shell/safe-storage-cipher';
import { registerAppScheme, serveRenderer } from './shell/serve-renderer';
import { createShutdown } from './shell/shutdown';
import { watchSignIn } from './shell/sign-in-focus';
import { runSmoke, smokeRequest } from './shell/smoke';
import { startupFailureMessage } from './shell/startup-failure';
import { type LoupeTray, createTray } from './shell/tray';
import { type Updates, startUpdates } from './shell/updater';

/** Same as `appId` in build/electron-builder.json: Windows groups notifications and taskbar entries by it. */
export const APP_ID = 'app.loupe.desktop';

const clock = systemClock;
const platform = process.platform;
const distDir = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const imageBackend = chooseImageBackend(platform, true);
/** The packaged smoke test's mode (shell/smoke.ts); null on every normal start. */
const smoke = smokeRequest(process.env);

// Development and installed copies never share data or the single-instance lock (shell/data-folders.ts).
const folders = dataFolders({
  packaged: app.isPackaged,
  appData: app.getPath('appData'),
  userDataSwitch: app.commandLine.hasSwitch('user-data-dir'),
  smokeDir: smoke?.dataDir,
});
if (folders) app.setPath('userData', folders.userData);
app.setAppLogsPath(folders?.logs);
const log = openLogFile(app.getPath('logs'), clock);
/** What start-up is doing, for the failure dialog. */
let step = 'choosing how photos are decoded';
let failed = false;
logCrashes(app, process, log, (error) => failVisibly(error, 'running'));

try {
  installImageBackend(imageBackend);
  step = 'registering with Windows';
  if (platform === 'win32') app.setAppUserModelId(APP_ID);
  step = 'checking for another running Loupe';
  if (!smoke && !app.requestSingleInstanceLock()) {
    app.quit();
  } else {
    step = 'registering the app:// scheme';
    registerAppScheme(protocol);
    void run();
  }
} catch (error) {
  failVisibly(error);
}

/**
 * A throw anywhere in start-up (or an uncaught one later): say what failed and
 * where the log is, then exit 1. dialog.showErrorBox works before `ready`
 * except on Linux, where it only writes to stderr (Electron's dialog docs), so
 * there it is shown again once `ready` comes.
 */
function failVisibly(error: unknown, during = step): void {
  if (failed) return;
  failed = true;
  log.error('start-up failed', { step: during, error: describeError(error) });
  const message = startupFailureMessage(during, error, log.path);
  const tell = () => dialog.showErrorBox(message.title, message.content);
  tell();
  if (platform !== 'linux' || app.isReady()) return app.exit(1);
  // Linux before `ready`: that box went to stderr only; show it again once there is a screen to show it on.
  void app.whenReady().then(() => {
    tell();
    app.exit(1);
  });
  // If Electron never gets to `ready`, stderr is all there is: do not hang.
  clock.setTimeout(() => app.exit(1), 30_000);
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
  // "Restart to update": Electron's autoUpdater (Squirrel.Mac) closes every window first and emits
  // `before-quit` only after (autoUpdater docs, 'before-quit-for-update'); electron-updater emits this
  // event before it quits on Windows and Linux too. Without it the close handler would hide the window
  // and the update would never install.
  autoUpdater.on('before-quit-for-update', () => {
    quitting = true;
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
    // Tests of a keychain that never answers shorten the wait; a packaged build always waits the full time.
    const keychainWait = (!app.isPackaged && Number(process.env.LOUPE_KEYCHAIN_WAIT_MS)) || KEYCHAIN_ANSWER_MS;
    const cipher = createSafeStorageCipher(safeStorage, platform, clock, keychainWait);
    const core = await createCore(electronDeps({ clock, logger: log, platform, cipher }), {
      // Stand-in servers for development; a packaged build always talks to OpenAI.
      endpoints: app.isPackaged ? {} : { issuer: process.env.LOUPE_CHATGPT_ISSUER, apiBase: process.env.LOUPE_OPENAI_API_BASE },
    });

    if (smoke) {
      step = 'running the smoke test';
      const report = await runSmoke({
        request: smoke,
        core,
        cipher,
        imageBackend,
        iconDir,
        executable: process.execPath,
        app: { version: app.getVersion(), platform, arch: process.arch, packaged: app.isPackaged, electron: process.versions.electron ?? null },
        log,
        setTimeout: clock.setTimeout,
      });
      await core.dispose();
      return app.exit(report.ok ? 0 : 1);
    }

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
          case 'restart-to-update': {
            // Record the running job first (as Quit does), then hand over to the updater with quitting set.
            if (!updates?.ready()) return;
            quitting = true;
            const install = () => updates?.restartToUpdate();
            const finish = recordAndQuit;
            recordAndQuit = undefined;
            return finish ? finish(install) : install();
          }
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
