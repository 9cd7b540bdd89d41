/** electron/core/analysis/input/hash.ts and read-once.ts: SHA-256 of a file's contents, streamed or read once. */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashFile } from '../../../../electron/core/analysis/input/hash';
import { readPhoto } from '../../../../electron/core/analysis/input/read-once';
import { fx, useTempDir } from './support';

let dir: string;
useTempDir((path) => (dir = path));

describe('hashFile', () => {
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

  it('matches a one-shot SHA-256 of the contents', async () => {
    for (const rel of ['good/01-sunset.jpg', 'bad/empty.jpg', 'edge/alpha.png']) {
      expect(await hashFile(fx(rel))).toBe(sha256(await readFile(fx(rel))));
    }
    expect(await hashFile(fx('bad/empty.jpg'))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('streams files larger than one read chunk, and gives identical content the same hash under any name', async () => {
    const data = Buffer.alloc(5 * 1024 * 1024 + 123);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 10)) & 0xff;
    await writeFile(join(dir, 'one.bin'), data);
    await writeFile(join(dir, 'two.jpg'), data);
    expect(await hashFile(join(dir, 'one.bin'))).toBe(sha256(data));
    expect(await hashFile(join(dir, 'two.jpg'))).toBe(await hashFile(join(dir, 'one.bin')));
  });

  it('rejects for a missing file', async () => {
    await expect(hashFile(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

/** electron/core/analysis/input/read-once.ts: the bytes and their SHA-256 from one pass over the file. */
describe('readPhoto', () => {
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

  it('gives the whole file and its SHA-256, read and hashed a chunk at a time', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 4567);
    for (let i = 0; i < data.length; i++) data[i] = (i * 17 + (i >> 12)) & 0xff;
    await writeFile(join(dir, 'big.jpg'), data);
    const read = await readPhoto(join(dir, 'big.jpg'), { maxBytes: 50 * 1024 * 1024 });
    expect(read.data?.equals(data)).toBe(true);
    expect(read.sha256).toBe(sha256(data));
    for (const rel of ['good/01-sunset.jpg', 'bad/empty.jpg'])
      expect((await readPhoto(fx(rel), { maxBytes: 1e9 })).sha256).toBe(sha256(await readFile(fx(rel))));
  });

  it('only hashes a file above the size it would prepare, without holding it', async () => {
    const data = Buffer.alloc(2 * 1024 * 1024, 7);
    await writeFile(join(dir, 'huge.tif'), data);
    const read = await readPhoto(join(dir, 'huge.tif'), { maxBytes: 1024 * 1024 });
    expect(read.data).toBeUndefined();
    expect(read.sha256).toBe(sha256(data));
  });
});
