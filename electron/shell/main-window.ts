/**
 * The one app window, locked down: new windows are never created, navigation
 * away from app://loupe is blocked, every permission is denied.
 */
import { BrowserWindow, type Session, shell } from 'electron';
import { APP_ORIGIN } from '../contract';
import { allowedExternalUrl } from '../core/kernel/external-links';
import { isAppUrl } from './sender-check';
import { mainWindowOptions } from './window-options';

/** Deny every permission and every webview for the app's session. */
export function lockDownSession(session: Session): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

export function createMainWindow(options: { preloadPath: string; dev: boolean; iconPath?: string }): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(options));
  const contents = win.webContents;

  // Known help pages open in the system browser; nothing opens inside Loupe. The browser gets the
  // normalised URL the allowlist judged, never the raw string the page asked for.
  contents.setWindowOpenHandler(({ url }) => {
    const href = allowedExternalUrl(url);
    if (href) void shell.openExternal(href);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());

  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}
