import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ipcMain } from 'electron';
import Store from 'electron-store';
import { setAsidePathFor } from '../core/kernel/atomic-file';
import type { Clock, OpenedStore, StoreName } from '../core/kernel/deps';

/**
 * The IPC listener electron-store's constructor registers by itself, for its
 * renderer-side API: it answers any page's sendSync with the data folder's path
 * and the app version. Loupe's window never uses electron-store (the preload
 * exposes no raw IPC, and stores live in the main process only), so the
 * listener is taken out again right away; electron-store registers it once per
 * process, so it does not come back.
 */
export const ELECTRON_STORE_CHANNEL = 'electron-store-get-data';

/**
 * electron-store behind the core's KeyValueStore: owner-only file (0600), and
 * a file that fails to parse is renamed aside instead of cleared, so a person
 * never silently loses data.
 */
/** electron-store opens synchronously, so its unreadable file is set aside synchronously too (the core's own stores use `setAsideFile`). */
function setAside(path: string, now: number): string {
  const movedTo = setAsidePathFor(path, now);
  renameSync(path, movedTo);
  return movedTo;
}

export function openElectronStore(dir: string, name: StoreName, clock: Pick<Clock, 'now'>): OpenedStore {
  const open = () => {
    const opened = new Store<Record<string, unknown>>({ name, cwd: dir, configFileMode: 0o600, clearInvalidConfig: false });
    ipcMain.removeAllListeners(ELECTRON_STORE_CHANNEL);
    return opened;
  };
  let recoveredFrom: OpenedStore['recoveredFrom'];
  let store: Store<Record<string, unknown>>;
  try {
    store = open();
  } catch {
    const file = join(dir, `${name}.json`);
    if (!existsSync(file)) throw new Error(`Could not open the ${name} store.`);
    recoveredFrom = { movedTo: setAside(file, clock.now()) };
    store = open();
  }
  const adapter = {
    path: store.path,
    get: (key: string) => store.get(key),
    set: (key: string, value: unknown) => store.set(key, value),
    delete: (key: string) => store.delete(key),
    setAside: () => {
      const movedTo = setAside(store.path, clock.now());
      store.clear();
      return movedTo;
    },
  };
  return recoveredFrom ? { store: adapter, recoveredFrom } : { store: adapter };
}
