import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KeyValueStore, OpenedStore } from './deps';

/**
 * A JSON-file key-value store for plain Node (tests, harness). Same contract as
 * the electron-store adapter: owner-only file, atomic replace, and a file that
 * does not parse is renamed aside, never deleted.
 */
export function openJsonFileStore(path: string, clock: () => number): OpenedStore {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let data: Record<string, unknown> = {};
  let recoveredFrom: OpenedStore['recoveredFrom'];
  let raw: string | undefined;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (raw !== undefined) {
    const parsed = parseObject(raw);
    if (parsed) data = parsed;
    else {
      const movedTo = setAside(path, clock());
      recoveredFrom = { movedTo };
    }
  }

  const store: KeyValueStore = {
    path,
    get: (key) => data[key],
    set(key, value) {
      data = { ...data, [key]: value };
      writeAtomic(path, JSON.stringify(data, null, 2));
    },
    delete(key) {
      if (!(key in data)) return;
      const { [key]: _removed, ...rest } = data;
      data = rest;
      writeAtomic(path, JSON.stringify(data, null, 2));
    },
    setAside() {
      const movedTo = setAside(path, clock());
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

/** Where an unreadable file is set aside: `<name>.corrupt-<time>`. */
export function asideName(path: string, now: number): string {
  return `${path}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
}

/** Renames an unreadable file to `<name>.corrupt-<time>` and returns the new path. */
export function setAside(path: string, now: number): string {
  const movedTo = asideName(path, now);
  renameSync(path, movedTo);
  return movedTo;
}

/** Write to a temp file in the same folder, fsync, then rename over the target. */
export function writeAtomic(path: string, contents: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, typeof contents === 'string' ? Buffer.from(contents) : contents);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
