/**
 * Analysis through the core's commands, the way the renderer drives it: a real
 * createCore() on Node adapters (core-fixture.ts) against the stand-in
 * servers, commands dispatched with their schemas, and the results read back
 * from AppState snapshots, the output folders and the stand-ins' request logs.
 * Timings are never asserted; waits are on states.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTree, signInThroughBrowser, waitForState } from '../../../support/core-fixture';
import { useAnalysisStandIns, API_KEY, MODEL, good, setup, ok, addKey, waitForJob, stage, start } from './support';

useAnalysisStandIns();

describe('secrets', () => {
  it('no API key or token reaches the data folder, the output folders, AppState or the log', async () => {
    const h = await setup();
    const { fx } = h;
    await signInThroughBrowser(fx);
    const chatgptId = fx.core.getState().account.id!;
    await addKey(fx);
    await stage(fx, [good('01-sunset.jpg'), good('02-meadow.webp')]);
    const keyJob = await start(fx, { preset: 'describe', model: MODEL });
    await stage(fx, [good('04-shapes.png')]);
    const customJob = await start(fx, {
      preset: 'custom',
      model: MODEL,
      customPrompt: 'Name the colours.',
      customSchema: '{"type":"object","properties":{"colours":{"type":"array","items":{"type":"string"}}}}',
    });
    await waitForJob(fx, keyJob, (j) => j.status === 'done');
    await waitForJob(fx, customJob, (j) => j.status === 'done');
    ok(await fx.run('accounts.switch', { accountId: chatgptId }));
    await stage(fx, [good('03-portrait.jpg')]);
    const planJob = await start(fx, { preset: 'describe', model: MODEL });
    await waitForJob(fx, planJob, (j) => j.status === 'done');
    h.savePath = join(h.documentsDir, 'export.csv');
    ok(await fx.run('analysis.export', { jobId: keyJob }));
    // A final snapshot after everything above.
    await waitForState(fx.core, (s) => s.analysis.jobs.length === 3 && s.analysis.jobs.every((j) => j.status === 'done'));

    const secrets = [API_KEY, ...fx.secrets];
    expect(fx.secrets.size).toBeGreaterThan(0);
    const files = [...(await readTree(fx.dataDir)), ...(await readTree(h.documentsDir))];
    // The scan sees the job records and every output.
    expect(files.some((f) => f.path.startsWith(fx.dataDir) && f.content.includes(keyJob))).toBe(true);
    expect(files.filter((f) => f.path.endsWith('results.csv'))).toHaveLength(3);
    const snapshots = fx.states.map((s) => JSON.stringify(s)).join('\n');
    const logs = fx.logs.join('\n');
    expect(fx.states.length).toBeGreaterThan(3);
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      for (const f of files) expect(f.content.includes(secret), `${f.path} holds a secret`).toBe(false);
      expect(snapshots.includes(secret), 'an AppState snapshot holds a secret').toBe(false);
      expect(logs.includes(secret), 'the log holds a secret').toBe(false);
    }
  });
});
