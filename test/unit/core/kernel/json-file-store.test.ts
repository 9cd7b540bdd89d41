import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJsonFileStore } from '../../../../electron/core/kernel/json-file-store';
import { createNodeDeps } from '../../../support/node-deps';
import { createCore } from '../../../../electron/core/index';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openJsonFileStore', () => {
  it('persists values in an owner-only file and leaves no temp files', async () => {
    const path = join(dir, 'settings.json');
    const { store } = await openJsonFileStore(path, () => 1_767_225_600_000);
    await store.set('a', { b: 1 });
    await store.set('c', 'd');
    await store.delete('c');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ a: { b: 1 } });
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['settings.json']);
    expect((await openJsonFileStore(path, () => 1_767_225_600_000)).store.get('a')).toEqual({ b: 1 });
  });

  it('lands writes in the order they were made, and sets the file aside only after them', async () => {
    const path = join(dir, 'models.json');
    const { store } = await openJsonFileStore(path, () => 1_767_225_600_000);
    const writes = [store.set('n', 1), store.set('n', 2), store.set('m', 'x'), store.delete('m'), store.set('n', 3)];
    expect(store.get('n')).toBe(3);
    await Promise.all(writes);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ n: 3 });
    void store.set('n', 4);
    const movedTo = await store.setAside();
    expect(JSON.parse(await readFile(movedTo, 'utf8'))).toEqual({ n: 4 });
    expect(store.get('n')).toBeUndefined();
    expect(await readdir(dir)).toEqual([movedTo.slice(dir.length + 1)]);
  });

  it.each([['{"truncated": '], ['[1,2,3]'], ['\u0000\u0001binary']])('sets a corrupt file aside instead of deleting it: %j', async (contents) => {
    const path = join(dir, 'settings.json');
    await writeFile(path, contents);
    const opened = await openJsonFileStore(path, () => 1_767_225_600_000);
    expect(opened.recoveredFrom?.movedTo).toMatch(/settings\.json\.corrupt-/);
    expect(await readFile(opened.recoveredFrom!.movedTo, 'utf8')).toBe(contents);
    expect(opened.store.get('anything')).toBeUndefined();
  });

  it('tells the person when settings were recovered, and starts with defaults', async () => {
    await writeFile(join(dir, 'settings.json'), '{not json');
    const core = await createCore(createNodeDeps(dir));
    const notice = core.getState().notices.find((n) => n.id === 'settings-recovered');
    expect(notice?.message).toContain('settings.json.corrupt-');
    expect(core.getState().settings.expiryWarningMinutes).toBe(10);
    await core.dispose();
  });

  it('falls back per field when a stored setting is out of range', async () => {
    await writeFile(join(dir, 'settings.json'), JSON.stringify({ settings: { theme: 'dark', expiryWarningMinutes: -4 } }));
    const core = await createCore(createNodeDeps(dir));
    expect(core.getState().settings.theme).toBe('dark');
    expect(core.getState().settings.expiryWarningMinutes).toBe(10);
    await core.dispose();
  });
});
