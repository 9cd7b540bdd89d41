import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setAsideFile, setAsidePathFor, tempPathFor, writeFileAtomic } from '../../../../electron/core/kernel/atomic-file';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces the whole file, owner-only, and leaves no temp file', async () => {
    const path = join(dir, 'a.json');
    await writeFile(path, 'old and longer than the new contents');
    await writeFileAtomic(path, '{"new":true}');
    expect(await readFile(path, 'utf8')).toBe('{"new":true}');
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['a.json']);
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
  });

  it('a write that cannot land throws and leaves no temp file behind', async () => {
    // The target is a folder that is not empty: the rename over it fails after the temp file was written.
    const path = join(dir, 'a.json');
    await mkdir(join(path, 'inside'), { recursive: true });
    await expect(writeFileAtomic(path, 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['a.json']);
  });

  it('names its temp file beside the target in the shape a crash leaves behind', () => {
    expect(tempPathFor('/data/job/summary.json')).toMatch(new RegExp(`^/data/job/summary\\.json\\.${process.pid}\\.[a-z0-9]+\\.tmp$`));
  });
});

describe('setAsideFile', () => {
  it('renames an unreadable file aside with the time in its name, never deleting it', async () => {
    const path = join(dir, 'vault.json');
    await writeFile(path, '{{{ not json');
    const at = Date.parse('2026-01-01T12:34:56.789Z');
    const movedTo = await setAsideFile(path, at);
    expect(movedTo).toBe(setAsidePathFor(path, at));
    expect(movedTo).toBe(`${path}.corrupt-2026-01-01T12-34-56-789Z`);
    expect(await readFile(movedTo, 'utf8')).toBe('{{{ not json');
    expect(await readdir(dir)).toEqual(['vault.json.corrupt-2026-01-01T12-34-56-789Z']);
  });
});
