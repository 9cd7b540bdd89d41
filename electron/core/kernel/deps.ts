/**
 * The adapters `createCore` receives. In the app they are Electron-backed
 * (electron/shell); in tests and the browser harness they are plain Node
 * (test/support/node-deps.ts). Nothing here may import `electron`.
 */

/** Symmetric encryption bound to the OS user (Electron safeStorage in the app). */
export interface Cipher {
  /** Whether encryption can be used at all. Rejects when the key provider did not answer in time (the vault then offers Retry). */
  isAvailable(): Promise<boolean>;
  /** Linux backend name (`basic_text`, `gnome_libsecret`, `kwallet*`), or the platform's keychain name. */
  backend(): string;
  encrypt(plainText: string): Promise<Buffer>;
  /**
   * Throws when the keychain is unavailable or refuses access. May return
   * Electron's `decryptStringAsync` answer as is: `shouldReEncrypt` asks for
   * the data to be encrypted again (the OS key was rotated), which the vault
   * does through the repository. A plain string means "no hint".
   */
  decrypt(cipherText: Buffer): Promise<string | DecryptResult>;
}

/** Electron's `safeStorage.decryptStringAsync` result. */
export interface DecryptResult {
  result: string;
  shouldReEncrypt: boolean;
}

/** A value, or a promise of it: what an adapter that may or may not wait on the disk returns. The core awaits either. */
export type Awaitable<T> = T | Promise<T>;

/**
 * A small persistent key-value store (electron-store with mode 0600 in the app,
 * which writes before it returns; kernel/json-file-store.ts in plain Node,
 * which resolves once the change is on disk).
 */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): Awaitable<void>;
  delete(key: string): Awaitable<void>;
  /** The file behind the store, for messages. */
  readonly path: string;
  /** Renames the file aside (never deletes it), empties the store, and resolves with where the old file went. */
  setAside(): Awaitable<string>;
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

/**
 * A yes/no question asked in a main-process dialog (Electron's
 * dialog.showMessageBox in the app), which a renderer cannot draw, answer or
 * dismiss on the person's behalf. Used before secrets may leave for a server
 * the person named, and before weak storage or a vault reset.
 */
export interface ConfirmOptions {
  title: string;
  /** One sentence: what will happen. */
  message: string;
  /** Why to be careful. */
  detail: string;
  /** The affirmative button; the other one is "Cancel" and is the default. */
  confirmLabel: string;
  /** Origins the secrets will be sent to, also named in `message`. */
  origins?: string[];
}

/**
 * Process-wide memory switches, which belong to the process that hosts the
 * core (electron/shell/process-memory.ts in the app, the harness, the bench
 * and the tests alike): the core only says what it is about to do and what it
 * holds.
 */
export interface ProcessMemory {
  /** Photos are about to be decoded, each once: a cache of decoded images would only hold memory. */
  decodingPhotos(): void | Promise<void>;
  /** How many item records the analysis engine holds in memory now. */
  itemRecordsInMemory(count: number): void;
}

export interface CoreDeps {
  cipher: Cipher;
  /**
   * Resolves true only when the person chose `confirmLabel`; false for Cancel or a closed dialog.
   * A main-process dialog: the renderer can ask for it but never answer it.
   */
  confirm(options: ConfirmOptions): Promise<boolean>;
  openStore(name: StoreName): Awaitable<OpenedStore>;
  openExternal(url: string): Promise<void>;
  copyText(text: string): void;
  /** Shows a folder (a job's output) in the file manager. */
  openPath(path: string): Promise<void>;
  /**
   * System "open" dialog; resolves [] when cancelled. macOS picks photos and folders in one dialog;
   * on Windows and Linux `folders` says which of the two the person asked for.
   */
  pickFiles(options: { folders: boolean }): Promise<string[]>;
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
  /** Absent: the process keeps its own memory settings. */
  processMemory?: ProcessMemory;
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

/** Waits on the given clock (tests move a manual one instead of sleeping). */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => void clock.setTimeout(resolve, ms));
}

/** An AbortSignal that fires after `ms` on the given clock, like AbortSignal.timeout but testable. */
export function timeoutSignal(clock: Clock, ms: number): AbortSignal {
  const controller = new AbortController();
  clock.setTimeout(() => controller.abort(new DOMException('The operation timed out.', 'TimeoutError')), ms);
  return controller.signal;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
