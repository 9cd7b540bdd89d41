/**
 * Analysis through the core's commands, the way the renderer drives it: a real
 * createCore() on Node adapters (core-fixture.ts) against the stand-in
 * servers, commands dispatched with their schemas, and the results read back
 * from AppState snapshots, the output folders and the stand-ins' request logs.
 * Timings are never asserted; waits are on states.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitForState } from '../../../support/core-fixture';
import { useAnalysisStandIns, GOOD, good, setup, ok, stage } from './support';

useAnalysisStandIns();

describe('staging through commands', () => {
  it('stage (folders and files, duplicates ignored), unstage, clearStaged and pickImages', async () => {
    const harness = await setup();
    const { fx } = harness;
    expect(fx.core.getState().analysis.staged).toEqual([]);

    ok(await fx.run('analysis.stage', { paths: [GOOD, good('01-sunset.jpg'), good('02-meadow.webp'), good('01-sunset.jpg'), GOOD] }));
    let s = await waitForState(fx.core, (st) => st.analysis.staged.length > 0);
    expect(s.analysis.staged.map(({ path, name }) => ({ path, name }))).toEqual([
      { path: GOOD, name: 'good' },
      { path: good('01-sunset.jpg'), name: '01-sunset.jpg' },
      { path: good('02-meadow.webp'), name: '02-meadow.webp' },
    ]);

    // Staging again adds only what is new, at the end, in order.
    ok(await fx.run('analysis.stage', { paths: [good('02-meadow.webp'), good('03-portrait.jpg'), GOOD] }));
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
