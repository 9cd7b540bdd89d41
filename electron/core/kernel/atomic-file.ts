/**
 * Files replaced whole, never half-written, and never deleted for being
 * unreadable. A new version is written and fsync'd beside the target, then
 * renamed over it, so a reader or a crash sees the old file or the new one; a
 * file that does not parse is renamed aside for the person to find. All of it
 * asynchronous, on libuv's pool: the main thread never waits on the disk.
 */
import { open, rename, unlink } from 'node:fs/promises';

/** Beside the target, so the rename stays on one file system: `<name>.<pid>.<random>.tmp` (a crash's leftovers are found by this shape). */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
}

/** `<name>.corrupt-<ISO time>`: where an unreadable file goes. */
export function setAsidePathFor(path: string, now: number): string {
  return `${path}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
}

/** Writes `contents` (owner-only, 0600) to a temp file, fsyncs it, then renames it over `path`. */
export async function writeFileAtomic(path: string, contents: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(path);
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(contents);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
}

/** Renames an unreadable file to `<name>.corrupt-<time>` and returns the new path. */
export async function setAsideFile(path: string, now: number): Promise<string> {
  const movedTo = setAsidePathFor(path, now);
  await rename(path, movedTo);
  return movedTo;
}
