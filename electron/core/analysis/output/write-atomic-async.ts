/**
 * The kernel's writeAtomic without blocking the main thread: the file is
 * written and fsync'd on libuv's pool, then renamed over the target, so a
 * reader or a crash never sees half a file.
 *
 * `contents` may come in chunks (an async iterable): a large file (a
 * 100,000-photo job's items, or its summary.json) is then serialised a slice
 * at a time between writes, never as one long task on the main thread.
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

/** Items per slice when a large list is serialised in chunks: a few milliseconds of work each. */
export const SLICE = 2000;

/** Lets other work run between slices of a long serialisation. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * `JSON.stringify(list)` a slice at a time. The list is read as the slices
 * are made, so an element changed meanwhile is written as it is then.
 */
export async function* jsonArrayChunks<T>(list: readonly T[]): AsyncGenerator<string> {
  yield '[';
  for (let start = 0; start < list.length; start += SLICE) {
    if (start > 0) await nextTurn();
    const slice = JSON.stringify(list.slice(start, start + SLICE));
    yield `${start > 0 ? ',' : ''}${slice.slice(1, -1)}`;
  }
  yield ']';
}
