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
 *
 * One file per Electron API (app, windows, tray, ipc, net, dialog, system,
 * safe-storage) over kernel.ts (the call log and the ready rules); this file
 * puts them together into the module the app imports and the test's controls.
 */
import { createApp } from './app';
import { createDialog } from './dialog';
import { createIpcMain } from './ipc';
import { type DoubleConfig, createKernel } from './kernel';
import { createNet } from './net';
import { createSafeStorage } from './safe-storage';
import { createSystemServices } from './system';
import { createTray } from './tray';
import { createUpdater } from './updater';
import { createWindows } from './windows';

export type { Call, DoubleConfig } from './kernel';

export function createElectronDouble(config: DoubleConfig) {
  const kernel = createKernel(config);
  const { calls, violations, preventable } = kernel;
  const app = createApp(kernel);
  const { BrowserWindow, windows } = createWindows(kernel, app);
  const { Menu, Tray, trays, nativeImage } = createTray(kernel);
  const { ipcMain, handlers, handleCalls } = createIpcMain();
  const { protocol, privilegedSchemes, protocolHandlers, session, sessions, net, fetches, bodies } = createNet(kernel);
  const { dialog, errorBoxes, openDialogAnswers, messageBoxAnswers, messageBoxes } = createDialog(kernel);
  const { shell, opened, clipboard, Notification, powerMonitor, powerMonitorEmitter, screen, autoUpdater } = createSystemServices(kernel, app);
  const updater = createUpdater(kernel, { app, autoUpdater });
  const safeStorage = createSafeStorage(kernel);

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
    bodies,
    opened,
    errorBoxes,
    openDialogAnswers,
    messageBoxAnswers,
    messageBoxes,
    powerMonitor: powerMonitorEmitter,
    ipcMain,
    safeStorage,
    get ready() {
      return kernel.isReady();
    },
    fireReady() {
      if (!kernel.markReady()) return;
      app.emit('will-finish-launching');
      app.emit('ready', preventable(), {});
      kernel.resolveReady();
    },
    preventable,
  };
  return { module, control, updater };
}

export type ElectronDouble = ReturnType<typeof createElectronDouble>;
