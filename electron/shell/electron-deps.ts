/**
 * The core's adapters, backed by Electron. Call after `ready`: safeStorage,
 * dialogs, sessions and `net` are not usable before it.
 */
import { join } from 'node:path';
import { BrowserWindow, Notification, app, clipboard, dialog, net, session, shell } from 'electron';
import type { Cipher, Clock, CoreDeps, Logger } from '../core/kernel/deps';
import { createConfirm } from './confirm-dialog';
import { openElectronStore } from './electron-store';
import { nodeProcessMemory } from './process-memory';
import { createCoreFetch } from './streaming-fetch';

/**
 * A session of its own for the core's requests, in memory only (no `persist:`
 * prefix): nothing Loupe fetches can leave cookies or cache on disk, and the
 * renderer's session never sees them. Requests still use Chromium's network
 * stack, so system proxies and certificates apply.
 */
export const NETWORK_PARTITION = 'loupe-net';

const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'avif', 'tif', 'tiff', 'heic', 'heif'];

/**
 * The system "open" dialog. macOS can pick files and folders in one dialog;
 * on Windows and Linux asking for both shows a folder picker only, so there
 * the caller chooses photos or a folder.
 */
export function openDialogOptions(platform: NodeJS.Platform, want: { folders: boolean }): Electron.OpenDialogOptions {
  const both = platform === 'darwin';
  const properties: Electron.OpenDialogOptions['properties'] = both
    ? ['openFile', 'openDirectory', 'multiSelections']
    : want.folders
      ? ['openDirectory', 'multiSelections']
      : ['openFile', 'multiSelections'];
  return {
    title: both ? 'Add photos or folders' : want.folders ? 'Add folder' : 'Add photos',
    properties,
    ...(properties.includes('openFile') ? { filters: [{ name: 'Images', extensions: IMAGE_EXTENSIONS }] } : {}),
  };
}

export async function pickPaths(platform: NodeJS.Platform, want: { folders: boolean }): Promise<string[]> {
  const result = await dialog.showOpenDialog(openDialogOptions(platform, want));
  return result.canceled ? [] : result.filePaths;
}

/** `cipher`: safeStorage behind a bounded wait (safe-storage-cipher.ts); main.ts keeps it for the smoke report. */
export function electronDeps(options: { clock: Clock; logger: Logger; platform: NodeJS.Platform; cipher: Cipher }): CoreDeps {
  const network = session.fromPartition(NETWORK_PARTITION);
  return {
    cipher: options.cipher,
    confirm: createConfirm(dialog, () => BrowserWindow.getFocusedWindow()),
    openStore: (name) => openElectronStore(app.getPath('userData'), name, options.clock),
    openExternal: (url) => shell.openExternal(url),
    // Electron 45 types writeText as a promise; the sign-in link copy needs no answer.
    copyText: (text) => void clipboard.writeText(text),
    openPath: async (path) => {
      const failure = await shell.openPath(path);
      if (failure) throw new Error(failure);
    },
    // The window's "Add photos…" / "Add folder…" (one "Add photos or folders…" on macOS).
    pickFiles: (want) => pickPaths(options.platform, want),
    // Where a job's results go: picked here, in the main process, so the window never names a path itself.
    pickFolder: async () => {
      const result = await dialog.showOpenDialog({ title: 'Choose where to save the results', properties: ['openDirectory', 'createDirectory'] });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    pickSavePath: async (defaultName) => {
      const result = await dialog.showSaveDialog({ defaultPath: join(app.getPath('documents'), defaultName) });
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    documentsDir: app.getPath('documents'),
    // Stream bodies (batch uploads) go out chunked through net.request instead of buffered: streaming-fetch.ts.
    fetch: createCoreFetch(network, (options) => net.request(options)),
    notify: (title, body) => {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    },
    clock: options.clock,
    dataDir: app.getPath('userData'),
    logger: options.logger,
    processMemory: nodeProcessMemory(),
    app: { name: app.getName(), version: app.getVersion(), platform: options.platform, dev: !app.isPackaged },
  };
}
