import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Store from 'electron-store';
import { setAside } from '../core/kernel/json-file-store';
import type { Clock, OpenedStore, StoreName } from '../core/kernel/deps';

/**
 * electron-store behind the core's KeyValueStore: owner-only file (0600), and
 * a file that fails to parse is renamed aside instead of cleared, so a person
 * never silently loses data.
 */
export function openElectronStore(dir: string, name: StoreName, clock: Pick<Clock, 'now'>): OpenedStore {
  const open = () => new Store<Record<string, unknown>>({ name, cwd: dir, configFileMode: 0o600, clearInvalidConfig: false });
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
