import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setAsideFile, writeFileAtomic } from './atomic-file';
import type { KeyValueStore, OpenedStore } from './deps';

/** The store below: every change resolves once it is on disk. */
export interface JsonFileStore extends KeyValueStore {
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  setAside(): Promise<string>;
}

/**
 * A JSON-file key-value store for plain Node (tests, harness). Same contract as
 * the electron-store adapter: owner-only file, atomic replace, and a file that
 * does not parse is renamed aside, never deleted. Each change resolves once it
 * is on disk; writes land in the order they were made.
 */
export async function openJsonFileStore(path: string, clock: () => number): Promise<Omit<OpenedStore, 'store'> & { store: JsonFileStore }> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let data: Record<string, unknown> = {};
  let recoveredFrom: OpenedStore['recoveredFrom'];
  let raw: string | undefined;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (raw !== undefined) {
    const parsed = parseObject(raw);
    if (parsed) data = parsed;
    else recoveredFrom = { movedTo: await setAsideFile(path, clock()) };
  }

  let writes: Promise<void> = Promise.resolve();
  /** Queues a write of the data as it is now; a failed write does not stop later ones. */
  const persist = (): Promise<void> => {
    const text = JSON.stringify(data, null, 2);
    const write = writes.then(() => writeFileAtomic(path, text));
    writes = write.catch(() => {});
    return write;
  };

  const store: JsonFileStore = {
    path,
    get: (key) => data[key],
    async set(key, value) {
      data = { ...data, [key]: value };
      await persist();
    },
    async delete(key) {
      if (!(key in data)) return;
      const { [key]: _removed, ...rest } = data;
      data = rest;
      await persist();
    },
    async setAside() {
      await writes;
      const movedTo = await setAsideFile(path, clock());
      data = {};
      return movedTo;
    },
  };
  return recoveredFrom ? { store, recoveredFrom } : { store };
}

function parseObject(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
