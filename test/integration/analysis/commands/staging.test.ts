/**
 * Analysis through the core's commands, the way the renderer drives it: a real
 * createCore() on Node adapters (core-fixture.ts) against the stand-in
 * servers, commands dispatched with their schemas, and the results read back
 * from AppState snapshots, the output folders and the stand-ins' request logs.
 * Timings are never asserted; waits are on states.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../../../../electron/contract';
import { waitForState } from '../../../support/core-fixture';
import { useAnalysisStandIns, GOOD, good, setup, ok, stage, addKey, inferenceRequests, tempDir, stack } from './support';

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
    expect(takesPaths.map(([name]) => name)).toEqual([]);
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
