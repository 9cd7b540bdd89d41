/**
 * Who may talk to the main process: only the app window's main frame on the
 * app's own origin. Pure, so it is unit-tested in plain Node.
 */
import { APP_HOST, APP_SCHEME } from '../contract';

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
