/**
 * The kernel's writeAtomic without blocking the main thread: the file is
 * written and fsync'd on libuv's pool, then renamed over the target, so a
 * reader or a crash never sees half a file.
 *
 * `contents` may come in chunks (an async iterable, json-slices.ts): a large
 * file (a 100,000-photo job's items, or its summary.json) is then serialised
 * a slice at a time between writes, never as one long task on the main
 * thread.
 */
import { open, rename, unlink } from 'node:fs/promises';

export async function writeAtomicAsync(path: string, contents: string | AsyncIterable<string>): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const handle = await open(tmp, 'w', 0o600);
  try {
    if (typeof contents === 'string') await handle.writeFile(contents);
    else for await (const chunk of contents) await handle.write(chunk);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw error;
  }
  await handle.close();
  await rename(tmp, path);
}
