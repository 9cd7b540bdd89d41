/**
 * What every API of the Electron double shares: its configuration, the log of
 * calls, and the `ready` state with the rules that enforce each API's side of
 * it (see electron-double.ts for which API may be called when).
 */
export interface DoubleConfig {
  platform: NodeJS.Platform;
  /** Electron's appData folder; userData defaults to appData/Loupe, as Electron names it after the app. */
  appData: string;
  /** The userData folder at start: appData/Loupe, or what --user-data-dir named. */
  userData: string;
  /** Started with --user-data-dir (as Playwright's suite starts it). */
  userDataSwitch: boolean;
  documents: string;
  appPath: string;
  packaged: boolean;
  version: string;
  /**
   * false: another instance holds the lock. true: the lock is taken as Electron takes it, in the userData
   * folder at the time of the call, so two processes with one data folder cannot both hold it.
   */
  singleInstanceLock: boolean;
  /** Linux safeStorage backend to report. */
  storageBackend: string;
  /** 'silent': isAsyncEncryptionAvailable and the async calls stay pending, as while the Secret Service does not answer. */
  keychain?: 'answers' | 'silent';
  /** Linux: the os_crypt tag of the key safeStorage really uses (default: v11 for a keyring backend, v10 for basic_text). */
  keyTag?: string;
  /** 'double': electron-updater is the double in updater.ts (an update the test hands over), not the real package. */
  updater?: 'real' | 'double';
  /** An API (as named in `calls`) that throws when the app calls it, to simulate a failure there. */
  throwFrom?: string;
}

export interface Call {
  api: string;
  args: unknown[];
  afterReady: boolean;
}

export type Listener = (...args: unknown[]) => unknown;

export function createKernel(config: DoubleConfig) {
  let ready = false;
  let resolveReady: () => void = () => {};
  const readyPromise = new Promise<void>((resolve) => (resolveReady = resolve));
  const calls: Call[] = [];
  const violations: string[] = [];
  const record = (api: string, ...args: unknown[]) => {
    calls.push({ api, args, afterReady: ready });
    if (api === config.throwFrom) throw new Error(`simulated failure in ${api}`);
  };
  const requireReady = (api: string) => {
    if (!ready) {
      violations.push(`${api} called before ready`);
      throw new Error(`${api} cannot be used before the app is ready`);
    }
  };
  const requireNotReady = (api: string) => {
    if (ready) {
      violations.push(`${api} called after ready`);
      throw new Error(`${api} must be called before the app is ready`);
    }
  };
  const preventable = () => {
    const event = { defaultPrevented: false, preventDefault: () => void (event.defaultPrevented = true) };
    return event;
  };
  return {
    config,
    calls,
    violations,
    record,
    requireReady,
    requireNotReady,
    preventable,
    readyPromise,
    isReady: () => ready,
    /** Flips to ready once; false when the app was ready already. */
    markReady(): boolean {
      if (ready) return false;
      ready = true;
      return true;
    },
    /** Settles app.whenReady(). */
    resolveReady: () => resolveReady(),
  };
}

export type Kernel = ReturnType<typeof createKernel>;
