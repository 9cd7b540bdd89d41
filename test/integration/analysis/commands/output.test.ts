/**
 * Analysis through the core's commands, the way the renderer drives it: a real
 * createCore() on Node adapters (core-fixture.ts) against the stand-in
 * servers, commands dispatched with their schemas, and the results read back
 * from AppState snapshots, the output folders and the stand-ins' request logs.
 * Timings are never asserted; waits are on states.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, resultFiles } from '../../../support/analysis-fixture';
import { parseCsv } from '../../../support/csv';
import { useAnalysisStandIns, MODEL, good, tempDir, setup, ok, addKey, waitForJob, stage, start, getJob } from './support';

useAnalysisStandIns();

describe('cost, export and the output folder', () => {
  it('costUsd is tokens × price / 1e6 for a priced model, null otherwise', async () => {
    const h = await setup();
    const { fx } = h;
    await addKey(fx);
    ok(
      await fx.run('settings.update', {
        prices: [
          { model: MODEL, inputPerMillion: 2, outputPerMillion: 8 },
          { model: 'gpt-6.1', inputPerMillion: 1, outputPerMillion: 1 },
        ],
      }),
    );
    await stage(fx, [good('01-sunset.jpg'), good('04-shapes.png')]);
    const jobId = await start(fx, { preset: 'describe', model: MODEL });
    const job = await waitForJob(fx, jobId, (j) => j.status === 'done');

    // The job's tokens are the sum of what the API reported for each photo.
    const docs = await Promise.all((await resultFiles(job.outputDir)).map((f) => readJson<Record<string, any>>(join(job.outputDir, f))));
    expect(job.tokens.input).toBe(docs.reduce((n, d) => n + d.usage.input_tokens, 0));
    expect(job.tokens.output).toBe(docs.reduce((n, d) => n + d.usage.output_tokens, 0));
    expect(job.tokens.input).toBeGreaterThan(0);
    expect(job.tokens.output).toBeGreaterThan(0);

    // The exact row wins over a shorter prefix.
    const expected = (job.tokens.input * 2 + job.tokens.output * 8) / 1e6;
    expect(job.costUsd).toBe(expected);
    expect((await getJob(fx, jobId)).costUsd).toBe(expected);

    // A prefix row applies when there is no exact one.
    ok(await fx.run('settings.update', { prices: [{ model: 'gpt-6.1', inputPerMillion: 3, outputPerMillion: 5 }] }));
    const prefixed = (job.tokens.input * 3 + job.tokens.output * 5) / 1e6;
    expect((await waitForJob(fx, jobId, (j) => j.costUsd === prefixed)).costUsd).toBe(prefixed);

    // No row for the model: tokens only.
    ok(await fx.run('settings.update', { prices: [{ model: 'some-other-model', inputPerMillion: 2, outputPerMillion: 8 }] }));
    const unpriced = await waitForJob(fx, jobId, (j) => j.costUsd === null);
    expect(unpriced.costUsd).toBeNull();
    expect(unpriced.tokens).toEqual(job.tokens);
    expect((await getJob(fx, jobId)).costUsd).toBeNull();
  });

  it('export copies results.csv where the person chooses; a cancelled dialog copies nothing; openOutput shows the folder', async () => {
    const h = await setup();
    const { fx } = h;
    await addKey(fx);
    await stage(fx, [good('03-portrait.jpg'), good('05-harbour.webp')]);
    const jobId = await start(fx, { preset: 'damage', name: 'Bathroom survey', model: MODEL });
    const job = await waitForJob(fx, jobId, (j) => j.status === 'done');

    const exportDir = await tempDir('loupe-export-');
    h.savePath = join(exportDir, 'my results.csv');
    const exported = ok<{ path: string | null }>(await fx.run('analysis.export', { jobId }));
    expect(exported).toEqual({ path: h.savePath });
    expect(h.saveDefaults).toEqual(['Bathroom survey.csv']);
    const original = await readFile(join(job.outputDir, 'results.csv'));
    expect((await readFile(h.savePath)).equals(original)).toBe(true);
    expect(parseCsv(original.toString('utf8'))).toHaveLength(3);

    h.savePath = null;
    expect(ok(await fx.run('analysis.export', { jobId }))).toEqual({ path: null });
    expect(h.saveDefaults).toHaveLength(2);
    expect(await readdir(exportDir)).toEqual(['my results.csv']);

    ok(await fx.run('analysis.openOutput', { jobId }));
    expect(h.openedPaths).toEqual([job.outputDir]);

    expect((await fx.run('analysis.export', { jobId: 'job-none' })).error?.code).toBe('job_not_found');
    expect((await fx.run('analysis.openOutput', { jobId: 'job-none' })).error?.code).toBe('job_not_found');
    expect(h.openedPaths).toHaveLength(1);
  });
});
