/**
 * Pure security decisions for the Electron shell, kept free of runtime
 * Electron imports so they are unit-tested in plain Node.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { APP_HOST, APP_SCHEME } from '../contract';

/** No remote code, no network from the renderer: everything goes through IPC. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

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

/** True when `url` is a page of the app itself (app://loupe/...). */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    // Non-special schemes have an opaque origin in WHATWG URL, so compare parts.
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** The slice of an IPC event the sender check needs. */
export interface SenderInfo {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/**
 * Accept only the main frame of the app window on the app's own origin.
 * A destroyed or navigated-away frame shows up as null: fail closed.
 */
export function isTrustedSender(event: SenderInfo, appWebContentsId: number | undefined): boolean {
  const frame = event.senderFrame;
  if (!frame || appWebContentsId === undefined) return false;
  if (event.sender.id !== appWebContentsId) return false;
  if (frame.parent !== null) return false;
  return isAppUrl(frame.url);
}
