/**
 * Analysis through the core's commands, the way the renderer drives it: a real
 * createCore() on Node adapters (core-fixture.ts) against the stand-in
 * servers, commands dispatched with their schemas, and the results read back
 * from AppState snapshots, the output folders and the stand-ins' request logs.
 * Timings are never asserted; waits are on states.
 */
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AppState, JobItemsPage } from '../../../../electron/contract';
import { safeFolderName } from '../../../../electron/core/analysis/output/output-folder';
import { readJson, resultFiles } from '../../../support/analysis-fixture';
import { parseCsv } from '../../../support/csv';
import { signInThroughBrowser, waitForState } from '../../../support/core-fixture';
import {
  useAnalysisStandIns,
  MODEL,
  GOOD,
  GOOD_FILES,
  good,
  stack,
  setup,
  ok,
  addKey,
  jobIn,
  waitForJob,
  stage,
  start,
  inferenceRequests,
  responsesSince,
} from './support';

useAnalysisStandIns();

describe('analysis.start', () => {
  it('with defaults: runs to done, writes one JSON per photo + summary.json + results.csv in <Documents>/Loupe/<name>, notifies', async () => {
    const h = await setup();
    const { fx } = h;
    await addKey(fx);
    const settings = fx.core.getState().settings;
    expect(fx.core.getState().models.selected).toBe(MODEL);

    await stage(fx, [GOOD]);
    const before = stack.api.requests.length;
    const jobId = await start(fx, { preset: 'describe' });
    const queued = await waitForState(fx.core, (s) => jobIn(s, jobId) !== undefined && s.analysis.staged.length === 0);
    expect(queued.analysis.staged).toEqual([]);
    expect(jobIn(queued, jobId)).toMatchObject({ preset: 'describe', model: MODEL, detail: settings.analysisDetail });
    expect(jobIn(queued, jobId)!.counts.total).toBe(5);

    const job = await waitForJob(fx, jobId, (j) => j.status === 'done');
    expect(job.counts).toEqual({ total: 5, done: 5, failed: 0, skipped: 0, pending: 0, inFlight: 0, unparsed: 0, notRun: 0 });
    expect(job.finishedAt).not.toBeNull();
    expect(job.name).toMatch(/^good · 5 photos · \d{1,2} [A-Z][a-z]{2} \d{2}:\d{2}$/);
    expect(job.outputDir).toBe(join(h.documentsDir, 'Loupe', safeFolderName(job.name)));

    // Every photo went out once, with the API key, the chosen model and the default detail.
    const sent = responsesSince(before);
    expect(sent).toHaveLength(5);
    for (const r of sent) {
      expect(r.status).toBe(200);
      expect(r.auth).toBe('apiKey');
      const body = r.body as { model: string; input: Array<{ content: Array<{ type: string; detail?: string }> }> };
      expect(body.model).toBe(MODEL);
      expect(body.input[0]!.content.find((c) => c.type === 'input_image')?.detail).toBe(settings.analysisDetail);
    }

    const names = (await readdir(job.outputDir)).sort();
    const results = await resultFiles(job.outputDir);
    expect(results).toHaveLength(5);
    expect(names).toEqual([...results, '.loupe-job.json', 'results.csv', 'summary.json'].sort());
    const sources = new Set<string>();
    for (const file of results) {
      const doc = await readJson<Record<string, any>>(join(job.outputDir, file));
      expect(doc.status).toBe('ok');
      expect(doc.model).toBe(MODEL);
      expect(doc.result).toMatchObject({ description: expect.any(String), tags: expect.any(Array) });
      sources.add(doc.source.path);
    }
    expect([...sources].sort()).toEqual(GOOD_FILES.map(good));
    const summary = await readJson<Record<string, any>>(join(job.outputDir, 'summary.json'));
    expect(summary.status).toBe('done');
    expect(summary.counts).toMatchObject({ done: 5, failed: 0 });
    const rows = parseCsv(await readFile(join(job.outputDir, 'results.csv'), 'utf8'));
    expect(rows).toHaveLength(6);
    const col = (name: string) => rows[0]!.indexOf(name);
    expect(rows.slice(1).map((r) => r[col('status')])).toEqual(Array(5).fill('done'));
    expect(
      rows
        .slice(1)
        .map((r) => r[col('output_file')])
        .sort(),
    ).toEqual(results);

    // The results page: a result for each photo, and a thumbnail made on demand for the page asked for.
    const getPage = async () => ok<JobItemsPage>(await fx.run('analysis.getItems', { jobId, offset: 0, limit: 20 }));
    let page = await getPage();
    for (let tries = 0; page.items.some((i) => !i.thumbnail) && tries < 500; tries++) {
      await new Promise((r) => setTimeout(r, 20));
      page = await getPage();
    }
    expect(page.items).toHaveLength(5);
    for (const item of page.items) {
      expect(item.status).toBe('done');
      expect(item.thumbnail).toMatch(/^data:image\/(jpeg|png|webp);base64,/);
      expect(item.result).toMatchObject({ description: expect.any(String) });
      expect(results).toContain(item.outputFile);
    }

    expect(h.notifications).toHaveLength(1);
    expect(h.notifications[0]!.title).toBe('Analysis finished');
    expect(h.notifications[0]!.body).toContain(job.name);
    expect(h.notifications[0]!.body).toContain('5 analysed.');
  });

  it('two jobs with the same name get separate folders', async () => {
    const h = await setup();
    const { fx } = h;
    await addKey(fx);
    const name = 'Kitchen: before/after';
    await stage(fx, [good('01-sunset.jpg')]);
    const first = await start(fx, { preset: 'describe', name });
    await stage(fx, [good('02-meadow.webp')]);
    const second = await start(fx, { preset: 'describe', name });
    const a = await waitForJob(fx, first, (j) => j.status === 'done');
    const b = await waitForJob(fx, second, (j) => j.status === 'done');
    const root = join(h.documentsDir, 'Loupe');
    expect(a.name).toBe(name);
    expect(a.outputDir).toBe(join(root, 'Kitchen- before-after'));
    expect(b.outputDir).toBe(join(root, 'Kitchen- before-after 2'));
    expect((await readdir(root)).sort()).toEqual(['Kitchen- before-after', 'Kitchen- before-after 2']);
    const docA = await readJson<Record<string, any>>(join(a.outputDir, (await resultFiles(a.outputDir))[0]!));
    const docB = await readJson<Record<string, any>>(join(b.outputDir, (await resultFiles(b.outputDir))[0]!));
    expect(await resultFiles(a.outputDir)).toHaveLength(1);
    expect(await resultFiles(b.outputDir)).toHaveLength(1);
    expect(docA.source.path).toBe(good('01-sunset.jpg'));
    expect(docB.source.path).toBe(good('02-meadow.webp'));
  });

  it('refuses to start: nothing staged, signed out, ChatGPT without plan usage', async () => {
    const h = await setup();
    const { fx } = h;
    const before = stack.api.requests.length;
    expect((await fx.run('analysis.start', { preset: 'describe' })).error?.code).toBe('nothing_staged');

    await stage(fx, [good('01-sunset.jpg')]);
    const signedOut = await fx.run('analysis.start', { preset: 'describe', model: MODEL });
    expect(signedOut.ok).toBe(false);
    expect(signedOut.error?.code).toBe('signed_out');

    const { state } = await signInThroughBrowser(fx, { grantPlanUsage: false });
    expect(state.account).toMatchObject({ kind: 'chatgpt', status: 'signed_in', planUsage: false });
    const noPlan = await fx.run('analysis.start', { preset: 'describe', model: MODEL });
    expect(noPlan.error?.code).toBe('plan_usage_disabled');

    // Nothing went out and nothing was created; the staged photo waits for a usable account.
    expect(responsesSince(before)).toEqual([]);
    expect(inferenceRequests(before)).toEqual([]);
    const now = await fx.run('app.getState');
    expect((now.value as AppState).analysis.jobs).toEqual([]);
    expect((now.value as AppState).analysis.staged.map((s) => s.path)).toEqual([good('01-sunset.jpg')]);
    expect(existsSync(join(h.documentsDir, 'Loupe'))).toBe(false);
  });

  it('refuses bad custom schemas, malformed payloads and unreadable inputs without leaving anything behind', async () => {
    const h = await setup();
    const { fx } = h;
    await addKey(fx);
    await stage(fx, [good('01-sunset.jpg')]);
    const before = stack.api.requests.length;

    const notJson = await fx.run('analysis.start', {
      preset: 'custom',
      customPrompt: 'Count the shapes.',
      customSchema: '{"type": "object", "properties": ',
    });
    expect(notJson.error).toMatchObject({ code: 'invalid_schema', field: 'customSchema' });
    const unsupported = await fx.run('analysis.start', {
      preset: 'custom',
      customPrompt: 'Count the shapes.',
      customSchema: JSON.stringify({ type: 'object', properties: { n: { allOf: [{ type: 'integer' }] } } }),
    });
    expect(unsupported.error).toMatchObject({ code: 'invalid_schema', field: 'customSchema' });
    expect(unsupported.error?.message).toMatch(/allOf/);
    const noPrompt = await fx.run('analysis.start', { preset: 'custom', customSchema: '{"type":"object","properties":{}}' });
    expect(noPrompt.error).toMatchObject({ code: 'invalid_input', field: 'customPrompt' });

    const malformed: Array<[string, Record<string, unknown>, string | undefined]> = [
      ['analysis.start', { preset: 'describe', detail: 'ultra' }, 'detail'],
      ['analysis.start', { preset: 'describe', concurrency: 0 }, 'concurrency'],
      ['analysis.start', { preset: 'describe', concurrency: 2.5 }, 'concurrency'],
      ['analysis.start', { preset: 'describe', concurrency: 65 }, 'concurrency'],
      ['analysis.start', { preset: 'poem' }, 'preset'],
      ['analysis.start', {}, 'preset'],
      ['analysis.start', { preset: 'describe', name: '' }, 'name'],
      ['analysis.start', { preset: 'describe', model: 42 }, 'model'],
      ['analysis.start', { preset: 'describe', accountId: 'someone-else' }, undefined],
      ['analysis.unstage', { path: '' }, 'path'],
      ['analysis.pickImages', { paths: [GOOD] }, undefined],
      ['analysis.pause', { jobId: '' }, 'jobId'],
      ['analysis.getJob', {}, 'jobId'],
      ['analysis.export', { jobId: 7 }, 'jobId'],
    ];
    for (const [command, input, field] of malformed) {
      const result = await fx.runRaw(command, input);
      expect(result.ok, `${command} ${JSON.stringify(input)}`).toBe(false);
      expect(result.error?.code, `${command} ${JSON.stringify(input)}`).toBe('invalid_input');
      if (field) expect((result.error as { field?: string }).field, `${command} ${JSON.stringify(input)}`).toBe(field);
    }

    expect(inferenceRequests(before)).toEqual([]);
    const state = (await fx.run('app.getState')).value as AppState;
    expect(state.analysis.jobs).toEqual([]);
    expect(state.analysis.staged.map((s) => s.path)).toEqual([good('01-sunset.jpg')]);
    expect(existsSync(join(h.documentsDir, 'Loupe'))).toBe(false);
    expect((await fx.run('analysis.getJob', { jobId: 'job-none' })).error?.code).toBe('job_not_found');

    // Nothing Loupe can read: refused, and no empty job folder is left to push the next job of that name to "<name> 2".
    ok(await fx.run('analysis.clearStaged'));
    const text = fileURLToPath(new URL('../../fixtures/bad/not-an-image.txt', import.meta.url));
    await stage(fx, [text]);
    const noImages = await fx.run('analysis.start', { preset: 'describe', model: MODEL, name: 'Notes' });
    expect(noImages.error).toMatchObject({ code: 'no_images', field: 'paths' });
    expect(noImages.error?.message).toMatch(/not-an-image\.txt/);
    expect(existsSync(join(h.documentsDir, 'Loupe', 'Notes'))).toBe(false);
    await stage(fx, [good('01-sunset.jpg')]);
    const jobId = await start(fx, { preset: 'describe', model: MODEL, name: 'Notes' });
    expect((await waitForJob(fx, jobId, (j) => j.status === 'done')).outputDir).toBe(join(h.documentsDir, 'Loupe', 'Notes'));
  });

  it('concurrency: Automatic by default gives the job no ceiling; a number in Settings or the form is its ceiling', async () => {
    const h = await setup();
    const { fx } = h;
    await addKey(fx);
    expect(fx.core.getState().settings.analysisConcurrency).toBe('auto');
    const spec = async (jobId: string) => (await readJson<{ spec: { concurrencyCap?: number } }>(join(fx.dataDir, 'jobs', `${jobId}.json`))).spec;

    await stage(fx, [good('01-sunset.jpg')]);
    const auto = await start(fx, { preset: 'describe' });
    expect(await spec(auto)).not.toHaveProperty('concurrencyCap');
    await waitForJob(fx, auto, (j) => j.status === 'done');

    ok(await fx.run('settings.update', { analysisConcurrency: 3 }));
    await stage(fx, [good('02-meadow.webp')]);
    const capped = await start(fx, { preset: 'describe' });
    expect((await spec(capped)).concurrencyCap).toBe(3);
    await waitForJob(fx, capped, (j) => j.status === 'done');

    // The form's choice wins over the setting, either way.
    await stage(fx, [good('03-portrait.jpg')]);
    const formAuto = await start(fx, { preset: 'describe', concurrency: 'auto' });
    expect(await spec(formAuto)).not.toHaveProperty('concurrencyCap');
    await waitForJob(fx, formAuto, (j) => j.status === 'done');
  });

  it('Batch mode is offered to API-key accounts in state, and a live job says it is live', async () => {
    const h = await setup();
    const { fx } = h;
    await addKey(fx);
    expect(fx.core.getState().account.can.batch).toEqual({ allowed: true, reason: null });
    await stage(fx, [good('01-sunset.jpg')]);
    const jobId = await start(fx, { preset: 'describe' });
    const job = await waitForJob(fx, jobId, (j) => j.status === 'done');
    expect(job).toMatchObject({ mode: 'live', batch: null });
  });
});
