/**
 * The main window's options. Pure (type-only Electron import) so the
 * renderer's lock-down is unit-tested in plain Node.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

export function mainWindowOptions(options: { preloadPath: string; dev: boolean; iconPath?: string }): BrowserWindowConstructorOptions {
  return {
    width: 980,
    height: 720,
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: 'Loupe',
    backgroundColor: '#101114',
    ...(options.iconPath ? { icon: options.iconPath } : {}),
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: options.dev,
      safeDialogs: true,
    },
  };
}
