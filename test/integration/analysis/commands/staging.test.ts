/**
 * Analysis through the core's commands, the way the renderer drives it: a real
 * createCore() on Node adapters (core-fixture.ts) against the stand-in
 * servers, commands dispatched with their schemas, and the results read back
 * from AppState snapshots, the output folders and the stand-ins' request logs.
 * Timings are never asserted; waits are on states.
 */
import { copyFile, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { commands } from '../../../../electron/contract';
import type { StagedInput, StagedThumbnail } from '../../../../electron/contract';
import { StagedThumbnails } from '../../../../electron/core/analysis/staging/staged-thumbnails';
import { waitForState } from '../../../support/core-fixture';
import { useAnalysisStandIns, GOOD, GOOD_FILES, good, setup, ok, stage, addKey, inferenceRequests, tempDir, stack } from './support';

useAnalysisStandIns();

describe('staging through commands', () => {
  it('stage (folders and files, duplicates ignored), unstage, clearStaged and pickImages', async () => {
    const harness = await setup();
    const { fx } = harness;
    expect(fx.core.getState().analysis.staged).toEqual([]);

    ok(await fx.drop({ paths: [GOOD, good('01-sunset.jpg'), good('02-meadow.webp'), good('01-sunset.jpg'), GOOD] }));
    let s = await waitForState(fx.core, (st) => st.analysis.staged.length > 0);
    expect(s.analysis.staged.map(({ path, name }) => ({ path, name }))).toEqual([
      { path: GOOD, name: 'good' },
      { path: good('01-sunset.jpg'), name: '01-sunset.jpg' },
      { path: good('02-meadow.webp'), name: '02-meadow.webp' },
    ]);

    // Staging again adds only what is new, at the end, in order.
    ok(await fx.drop({ paths: [good('02-meadow.webp'), good('03-portrait.jpg'), GOOD] }));
    s = await waitForState(fx.core, (st) => st.analysis.staged.length !== 3);
    expect(s.analysis.staged.map((x) => x.name)).toEqual(['good', '01-sunset.jpg', '02-meadow.webp', '03-portrait.jpg']);

    ok(await fx.run('analysis.unstage', { path: good('01-sunset.jpg') }));
    ok(await fx.run('analysis.unstage', { path: good('05-harbour.webp') })); // not staged: nothing to do
    s = await waitForState(fx.core, (st) => st.analysis.staged.length === 3);
    expect(s.analysis.staged.map((x) => x.path)).toEqual([GOOD, good('02-meadow.webp'), good('03-portrait.jpg')]);

    ok(await fx.run('analysis.clearStaged'));
    s = await waitForState(fx.core, (st) => st.analysis.staged.length === 0);
    expect(s.analysis.staged).toEqual([]);

    // The system dialog is the pickFiles adapter; a cancelled dialog stages nothing.
    harness.picks = [];
    ok(await fx.run('analysis.pickImages'));
    expect(harness.pickCalls).toBe(1);
    harness.picks = [good('04-shapes.png'), good('05-harbour.webp'), good('04-shapes.png')];
    ok(await fx.run('analysis.pickImages'));
    expect(harness.pickCalls).toBe(2);
    s = await waitForState(fx.core, (st) => st.analysis.staged.length > 0);
    expect(s.analysis.staged.map(({ path, name }) => ({ path, name }))).toEqual([
      { path: good('04-shapes.png'), name: '04-shapes.png' },
      { path: good('05-harbour.webp'), name: '05-harbour.webp' },
    ]);
    expect(s.analysis.outputRoot).toBe(join(harness.documentsDir, 'Loupe'));
  });
});

// Issue #10, item 8: staged paths are accepted only from the file dialog or a drop.
describe('only a drop or a file dialog stages a path', () => {
  it('the window cannot name a path: no command stages one, and a path sent anyway is refused and never read', async () => {
    const { fx } = await setup();
    await addKey(fx);
    const secret = join(await tempDir('loupe-secret-'), 'id_rsa.jpg');
    await writeFile(secret, 'SECRET-KEY-MATERIAL');
    const before = stack.api.requests.length;

    // What a compromised renderer would try, with its own invoke().
    const takesPaths = Object.entries(commands).filter(([, c]) => 'paths' in ((c.input as unknown as { shape?: object }).shape ?? {}));
    // Only the thumbnail reader takes paths, and it reads nothing that is not already staged: asked for this one, it refuses.
    expect(takesPaths.map(([name]) => name)).toEqual(['analysis.getStagedThumbnails']);
    expect((await fx.runRaw('analysis.getStagedThumbnails', { paths: [secret] })).error?.code).toBe('invalid_input');
    const named = await fx.runRaw('analysis.stage', { paths: [secret] });
    expect(named).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    // …or smuggled into the commands that do exist.
    expect((await fx.runRaw('analysis.pickImages', { paths: [secret] })).error?.code).toBe('invalid_input');
    expect((await fx.runRaw('analysis.start', { preset: 'describe', paths: [secret] })).error?.code).toBe('invalid_input');
    expect((await fx.runRaw('analysis.unstage', { path: secret })).ok).toBe(true); // removes nothing, adds nothing

    expect(fx.core.getState().analysis.staged).toEqual([]);
    expect((await fx.run('analysis.start', { preset: 'describe' })).error?.code).toBe('nothing_staged');
    // Nothing was read or sent: no request at all reached the API, and the file's bytes are nowhere in what did.
    expect(inferenceRequests(before)).toEqual([]);
    expect(JSON.stringify(stack.api.requests.slice(before))).not.toContain('SECRET-KEY-MATERIAL');
  });

  it('dropped paths are staged; a drop with nothing from this computer, or not full paths, is refused', async () => {
    const { fx } = await setup();
    await stage(fx, [good('01-sunset.jpg'), GOOD]);
    const s = await waitForState(fx.core, (st) => st.analysis.staged.every((x) => x.photoCount !== null));
    expect(s.analysis.staged.map(({ path, kind }) => ({ path, kind }))).toEqual([
      { path: good('01-sunset.jpg'), kind: 'file' },
      { path: GOOD, kind: 'folder' },
    ]);

    // Files with no path on disk (a page's own File, a link dragged from a browser): the preload leaves them out.
    expect((await fx.drop({ paths: [] })).error).toMatchObject({ code: 'not_allowed', message: expect.stringMatching(/from this computer/) });
    expect((await fx.drop({ paths: ['photo.jpg'] })).error).toMatchObject({ code: 'invalid_input', field: 'paths.0' });
    expect((await fx.drop({ paths: [join(GOOD, 'a\0b.jpg')] })).error).toMatchObject({ code: 'invalid_input', field: 'paths.0' });
    expect((await fx.drop('photo.jpg' as never)).error).toMatchObject({ code: 'invalid_input' });
    expect((await fx.drop({ paths: 'photo.jpg' } as never)).error).toMatchObject({ code: 'invalid_input', field: 'paths' });
    expect((await fx.drop({ paths: [GOOD], command: 'x' } as never)).error).toMatchObject({ code: 'invalid_input' });
    expect((await fx.drop({ paths: Array.from({ length: 10_001 }, (_, i) => `/p/${i}.jpg`) })).error).toMatchObject({
      code: 'invalid_input',
      field: 'paths',
    });
    expect(fx.core.getState().analysis.staged.map((x) => x.path)).toEqual([good('01-sunset.jpg'), GOOD]);
  });
});

describe('analysis.getStagedThumbnails', () => {
  const EDGE = join(GOOD, '..', 'edge');
  const BAD = join(GOOD, '..', 'bad');
  const decode = (src: string | null) => Buffer.from(src!.replace(/^data:image\/jpeg;base64,/, ''), 'base64');

  it('previews staged photos, folders and photos inside a staged folder with real sharp; refuses anything else', async () => {
    const { fx } = await setup();
    const rotated = join(EDGE, 'exif-rotated.jpg');
    const gps = join(EDGE, 'with-gps.jpg');
    const notPhoto = join(BAD, 'not-an-image.txt');
    ok(await fx.drop({ paths: [GOOD, rotated, gps, notPhoto] }));
    await waitForState(fx.core, (st) => st.analysis.stagedPhotoCount !== null);

    const { thumbnails } = ok<{ thumbnails: StagedThumbnail[] }>(
      await fx.run('analysis.getStagedThumbnails', { paths: [rotated, gps, good('03-portrait.jpg'), GOOD, notPhoto] }),
    );
    expect(thumbnails.map((t) => t.path)).toEqual([rotated, gps, good('03-portrait.jpg'), GOOD, notPhoto]);

    // EXIF-rotated (300×200 stored, orientation 6 → shown 200×300), at most 112 px, no metadata left.
    const r = await sharp(decode(thumbnails[0]!.src)).metadata();
    expect(r).toMatchObject({ format: 'jpeg', width: 75, height: 112 });
    expect(r.orientation ?? 1).toBe(1);
    const g = await sharp(decode(thumbnails[1]!.src)).metadata();
    expect(Math.max(g.width, g.height)).toBe(112);
    expect(g.exif).toBeUndefined();
    expect(g.icc).toBeUndefined();
    // A photo inside the staged folder.
    expect(thumbnails[2]!.src).toMatch(/^data:image\/jpeg;base64,/);
    // The folder: its first few photos.
    expect(thumbnails[3]).toMatchObject({ src: null, problem: null });
    expect(thumbnails[3]!.previews).toHaveLength(3);
    // A staged file that is not a photo: no preview, and why.
    expect(thumbnails[4]).toMatchObject({ src: null });
    expect(thumbnails[4]!.problem).toEqual(expect.any(String));

    // Not staged (nor inside a staged folder), a way out of a staged folder, a relative path: refused, nothing read.
    for (const path of [
      join(EDGE, 'alpha.png'),
      join(GOOD, '..', 'edge', 'alpha.png').replace('/edge/', '/good/../edge/'),
      `${GOOD}/../edge/alpha.png`,
      'good/01-sunset.jpg',
    ]) {
      const refused = await fx.run('analysis.getStagedThumbnails', { paths: [good('01-sunset.jpg'), path] });
      expect(refused.ok, path).toBe(false);
      expect(refused.error?.code).toBe('invalid_input');
    }
    // Bounded: at most 48 paths per call.
    const tooMany = await fx.run('analysis.getStagedThumbnails', { paths: Array.from({ length: 49 }, () => rotated) });
    expect(tooMany.ok).toBe(false);

    // Unstaged: refused from then on.
    ok(await fx.run('analysis.unstage', { path: rotated }));
    expect((await fx.run('analysis.getStagedThumbnails', { paths: [rotated] })).ok).toBe(false);
  });

  it('keeps previews in memory by path and mtime, oldest out past its cap', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loupe-thumbs-'));
    try {
      for (const name of GOOD_FILES) await copyFile(good(name), join(dir, name));
      const staged: StagedInput[] = [{ path: dir, name: 'dir', kind: 'folder', photoCount: 5, problem: null }];
      const cache = new StagedThumbnails({ maxEntries: 3 });
      const paths = GOOD_FILES.map((n) => join(dir, n));
      const first = await cache.get(paths, staged);
      expect(first.every((t) => t.src?.startsWith('data:image/jpeg'))).toBe(true);
      expect(cache.stats.entries).toBe(3);

      // A hit is the same preview; a changed file (new mtime) is made again.
      const again = await cache.get([paths[4]!], staged);
      expect(again[0]!.src).toBe(first[4]!.src);
      await copyFile(join(EDGE, 'with-gps.jpg'), paths[4]!);
      await utimes(paths[4]!, new Date(), new Date(Date.now() + 5000));
      const changed = await cache.get([paths[4]!], staged);
      expect(changed[0]!.src).not.toBe(first[4]!.src);
      expect(cache.stats.entries).toBe(3);

      // Bounded by size too.
      const small = new StagedThumbnails({ maxChars: first[0]!.src!.length + 10 });
      await small.get(paths, staged);
      expect(small.stats.entries).toBe(1);
      expect(small.stats.chars).toBeLessThanOrEqual(first[0]!.src!.length + 10 + 20_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
