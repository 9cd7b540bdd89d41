/** The contract's names for the IPC channels and the app's own origin (see electron/contract.ts). */

/** IPC channel names. No other file spells a channel string. */
export const CHANNELS = {
  invoke: 'loupe:invoke',
  state: 'loupe:state',
  /**
   * The preload's own channel for a drop: it carries the paths of real dropped
   * files (electron/preload.ts), never a command, and the page cannot use it.
   */
  dropped: 'loupe:dropped',
} as const;

/** The app's own origin; the renderer is served from it in Electron. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'loupe';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
