/**
 * The kernel's writeAtomic without blocking the main thread: the file is
 * written and fsync'd on libuv's pool, then renamed over the target, so a
 * reader or a crash never sees half a file.
 */
import { open, rename, unlink } from 'node:fs/promises';

export async function writeAtomicAsync(path: string, contents: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
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
  await rename(tmp, path);
}
