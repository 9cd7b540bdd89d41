/**
 * A photo read once: its bytes and their SHA-256 together, so hashing,
 * duplicate detection, preparation and the thumbnail all use one read of the
 * file instead of three. Files too large to prepare are only hashed
 * (streamed), never held in memory; preparation then refuses them by size.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { hashFile } from './hash';

/**
 * Read and hashed a mebibyte at a time: SHA-256 runs on the main thread, and a
 * 50 MB photo hashed in one call would hold it for tens of milliseconds.
 */
const CHUNK_BYTES = 1024 * 1024;

export interface PhotoBytes {
  sha256: string;
  /** The file's contents; absent when it is larger than `maxBytes`. */
  data?: Buffer;
}

export async function readPhoto(path: string, options: { maxBytes: number; signal?: AbortSignal }): Promise<PhotoBytes> {
  // One open, one stat, one pass over the file, hashed as it arrives.
  const handle = await open(path, 'r');
  const hash = createHash('sha256');
  let data: Buffer;
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > options.maxBytes) {
      await handle.close();
      return { sha256: await hashFile(path, options.signal ? { signal: options.signal } : {}) };
    }
    data = Buffer.allocUnsafe(info.size);
    let filled = 0;
    while (filled < data.length) {
      options.signal?.throwIfAborted();
      const { bytesRead } = await handle.read(data, filled, Math.min(CHUNK_BYTES, data.length - filled), filled);
      if (bytesRead === 0) break;
      hash.update(data.subarray(filled, filled + bytesRead));
      filled += bytesRead;
    }
    if (filled < data.length) data = data.subarray(0, filled);
  } finally {
    await handle.close().catch(() => {});
  }
  return { sha256: hash.digest('hex'), data };
}
