/**
 * The adapters `createCore` receives. In the app they are Electron-backed
 * (electron/shell); in tests and the browser harness they are plain Node
 * (electron/core/adapters). Nothing here may import `electron`.
 */

/** Symmetric encryption bound to the OS user (Electron safeStorage in the app). */
export interface Cipher {
  /** Whether encryption can be used at all. */
  isAvailable(): Promise<boolean>;
  /** Linux backend name (`basic_text`, `gnome_libsecret`, `kwallet*`), or the platform's keychain name. */
  backend(): string;
  encrypt(plainText: string): Promise<Buffer>;
  decrypt(cipherText: Buffer): Promise<string>;
}

/** A small persistent key-value store (electron-store with mode 0600 in the app). */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  /** The file behind the store, for messages. */
  readonly path: string;
  /** Renames the file aside (never deletes it), empties the store, and returns where the old file went. */
  setAside(): string;
}

export interface OpenedStore {
  store: KeyValueStore;
  /** Set when the file was unreadable and was renamed aside before a fresh store was opened. */
  recoveredFrom?: { movedTo: string };
}

export type StoreName = 'settings' | 'vault' | 'models';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface CoreDeps {
  cipher: Cipher;
  openStore(name: StoreName): OpenedStore;
  openExternal(url: string): Promise<void>;
  copyText(text: string): void;
  /** Shows a folder (a job's output) in the file manager. */
  openPath(path: string): Promise<void>;
  /** System "open files" dialog for images and folders; resolves [] when cancelled. */
  pickFiles(): Promise<string[]>;
  /** System "save as" dialog; null when cancelled. */
  pickSavePath(defaultName: string): Promise<string | null>;
  /** System "choose folder" dialog (a job's output folder); null when cancelled. Optional until the shell provides it. */
  pickFolder?(): Promise<string | null>;
  /** The person's Documents folder; job outputs default to `<documents>/Loupe/<job name>`. */
  documentsDir: string;
  /** Electron's net.fetch in the app, so system proxies apply. */
  fetch: typeof globalThis.fetch;
  notify(title: string, body: string): void;
  clock: Clock;
  /** Per-user data directory (Electron's userData in the app). */
  dataDir: string;
  logger?: Logger;
  app: { name: string; version: string; platform: string; dev: boolean };
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return { cancel: () => clearTimeout(handle) };
  },
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
