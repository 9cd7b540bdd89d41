/**
 * Analysis through the core's commands, the way the renderer drives it: a real
 * createCore() on Node adapters (core-fixture.ts) against the stand-in
 * servers, commands dispatched with their schemas, and the results read back
 * from AppState snapshots, the output folders and the stand-ins' request logs.
 * Timings are never asserted; waits are on states.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppState, CommandInput, JobDetailView, JobSummaryView } from '../../../electron/contract';
import { safeFolderName } from '../../../electron/core/analysis/service';
import type { RequestRecord } from '../../servers/openai/openai-api';
import { type StandIns, startStandIns } from '../../servers/stack';
import { imageWidth, makePhotos, readJson, resultFiles } from '../../support/analysis-fixture';
import { parseCsv } from '../../support/csv';
import { type CoreFixture, createCoreFixture, readTree, signInThroughBrowser, waitForState } from '../../support/core-fixture';

const API_KEY = 'sk-test-analysis-commands-0123456789abcdef';
const MODEL = 'gpt-6.1-sol';
const GOOD = fileURLToPath(new URL('../../fixtures/good/', import.meta.url)).replace(/[\\/]$/, '');
const GOOD_FILES = ['01-sunset.jpg', '02-meadow.webp', '03-portrait.jpg', '04-shapes.png', '05-harbour.webp'];
const good = (name: string) => join(GOOD, name);

let stack: StandIns;
beforeAll(async () => {
  stack = await startStandIns({ api: { apiKeys: [API_KEY] } });
});
afterAll(async () => {
  await stack.close();
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  stack.api.faults.reset();
  stack.api.setLatency(0);
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Harness {
  fx: CoreFixture;
  documentsDir: string;
  notifications: Array<{ title: string; body: string }>;
  /** What the next "open files" dialog returns. */
  picks: string[];
  pickCalls: number;
  /** What the next "save as" dialog returns (null = cancelled). */
  savePath: string | null;
  saveDefaults: string[];
  openedPaths: string[];
}

async function setup(): Promise<Harness> {
  const documentsDir = await tempDir('loupe-docs-');
  const h = { documentsDir, notifications: [], picks: [], pickCalls: 0, savePath: null, saveDefaults: [], openedPaths: [] } as unknown as Harness;
  h.fx = await createCoreFixture(stack, {
    options: { analysisTuning: { backoffBaseMs: 40, backoffMaxMs: 400 } },
    deps: {
      documentsDir,
      notify: (title, body) => void h.notifications.push({ title, body }),
      pickFiles: async () => {
        h.pickCalls++;
        return h.picks;
      },
      pickSavePath: async (defaultName) => {
        h.saveDefaults.push(defaultName);
        return h.savePath;
      },
      openPath: async (path) => void h.openedPaths.push(path),
    },
  });
  cleanups.push(() => h.fx.dispose());
  return h;
}

type RunResult = Awaited<ReturnType<CoreFixture['run']>>;

function ok<T = unknown>(result: RunResult): T {
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  expect(result.ok).toBe(true);
  return result.value as T;
}

async function addKey(fx: CoreFixture, extra: { useChatCompletions?: boolean; label?: string } = {}): Promise<string> {
  const { accountId } = ok<{ accountId: string }>(await fx.run('accounts.addApiKey', { label: 'Key', baseUrl: stack.endpoints.apiBase, apiKey: API_KEY, ...extra }));
  await waitForState(fx.core, (s) => s.account.id === accountId && s.models.status === 'ready' && s.models.selected !== null);
  return accountId;
}

const jobIn = (s: AppState, id: string) => s.analysis.jobs.find((j) => j.id === id);

async function waitForJob(fx: CoreFixture, id: string, predicate: (job: JobSummaryView) => boolean, timeoutMs = 20_000): Promise<JobSummaryView> {
  const state = await waitForState(
    fx.core,
    (s) => {
      const job = jobIn(s, id);
      return job !== undefined && predicate(job);
    },
    timeoutMs,
  );
  return jobIn(state, id)!;
}

async function stage(fx: CoreFixture, paths: string[]): Promise<void> {
  ok(await fx.run('analysis.stage', { paths }));
  await waitForState(fx.core, (s) => paths.every((p) => s.analysis.staged.some((x) => x.path === p)));
}

async function start(fx: CoreFixture, input: CommandInput<'analysis.start'>): Promise<string> {
  return ok<{ jobId: string }>(await fx.run('analysis.start', input)).jobId;
}

async function getJob(fx: CoreFixture, jobId: string): Promise<JobDetailView> {
  return ok<JobDetailView>(await fx.run('analysis.getJob', { jobId }));
}

const inferenceRequests = (since = 0): RequestRecord[] =>
  stack.api.requests.slice(since).filter((r) => r.method === 'POST' && (r.path.endsWith('/responses') || r.path.endsWith('/chat/completions')));
const responsesSince = (since: number) => inferenceRequests(since).filter((r) => r.path.endsWith('/responses'));

/** Resolves once the stand-in has received a request satisfying `predicate`. */
async function waitForRequest(predicate: (r: RequestRecord) => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!stack.api.requests.some(predicate)) {
    if (Date.now() - started > timeoutMs) throw new Error('the expected request never arrived');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const widthIn = (from: number, count: number) => (r: RequestRecord) => {
  const w = imageWidth(r);
  return w !== undefined && w >= from && w < from + count;
};

describe('staging through commands', () => {
  it('stage (folders and files, duplicates ignored), unstage, clearStaged and pickImages', async () => {
    const harness = await setup();
    const { fx } = harness;
    expect(fx.core.getState().analysis.staged).toEqual([]);

    ok(await fx.run('analysis.stage', { paths: [GOOD, good('01-sunset.jpg'), good('02-meadow.webp'), good('01-sunset.jpg'), GOOD] }));
    let s = await waitForState(fx.core, (st) => st.analysis.staged.length > 0);
    expect(s.analysis.staged).toEqual([
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
    expect(s.analysis.staged).toEqual([
      { path: good('04-shapes.png'), name: '04-shapes.png' },
      { path: good('05-harbour.webp'), name: '05-harbour.webp' },
    ]);
    expect(s.analysis.outputRoot).toBe(join(harness.documentsDir, 'Loupe'));
  });
});

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
    expect(job.counts).toEqual({ total: 5, done: 5, failed: 0, skipped: 0, pending: 0, inFlight: 0, unparsed: 0 });
    expect(job.finishedAt).not.toBeNull();
    expect(job.name).toMatch(/^good \d{4}-\d{2}-\d{2} \d{2}\.\d{2}$/);
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
    expect(rows.slice(1).map((r) => r[col('output_file')]).sort()).toEqual(results);

    // The detail view: a result and a thumbnail for each photo.
    const detail = await getJob(fx, jobId);
    expect(detail.items).toHaveLength(5);
    for (const item of detail.items) {
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

    const notJson = await fx.run('analysis.start', { preset: 'custom', customPrompt: 'Count the shapes.', customSchema: '{"type": "object", "properties": ' });
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
      ['analysis.stage', { paths: [] }, 'paths'],
      ['analysis.stage', { paths: [''] }, 'paths.0'],
      ['analysis.stage', { paths: 'photo.jpg' }, 'paths'],
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
});

describe('cost, export and the output folder', () => {
  it('costUsd is tokens × price / 1e6 for a priced model, null otherwise', async () => {
    const h = await setup();
    const { fx } = h;
    await addKey(fx);
    ok(await fx.run('settings.update', { prices: [{ model: MODEL, inputPerMillion: 2, outputPerMillion: 8 }, { model: 'gpt-6.1', inputPerMillion: 1, outputPerMillion: 1 }] }));
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

describe('accounts and jobs', () => {
  it('a running job keeps its API-key account after a switch to ChatGPT; the next job uses ChatGPT', async () => {
    const h = await setup();
    const { fx } = h;
    const photos = await tempDir('loupe-photos-');
    await makePhotos(photos, 8, { baseWidth: 300 });
    const later = await tempDir('loupe-photos-');
    await makePhotos(later, 2, { baseWidth: 400 });

    const { state: signedIn } = await signInThroughBrowser(fx);
    expect(signedIn.account).toMatchObject({ kind: 'chatgpt', planUsage: true });
    const chatgptId = signedIn.account.id!;
    const keyId = await addKey(fx);
    expect(fx.core.getState().account.id).toBe(keyId);

    stack.api.setLatency(300);
    await stage(fx, [photos]);
    const jobId = await start(fx, { preset: 'describe', model: MODEL, concurrency: 2 });
    await waitForRequest(widthIn(300, 8));

    ok(await fx.run('accounts.switch', { accountId: chatgptId }));
    const switchedAt = Date.now();
    expect(fx.core.getState().account).toMatchObject({ id: chatgptId, kind: 'chatgpt' });
    const atSwitch = await getJob(fx, jobId);
    expect(atSwitch.status).toBe('running');
    expect(atSwitch.counts.done).toBeLessThan(8);

    const job = await waitForJob(fx, jobId, (j) => j.status === 'done');
    expect(job.counts).toMatchObject({ done: 8, failed: 0 });
    const ofJob = inferenceRequests().filter(widthIn(300, 8));
    expect(ofJob).toHaveLength(8);
    expect(ofJob.every((r) => r.path.endsWith('/responses') && r.status === 200)).toBe(true);
    expect(ofJob.map((r) => r.auth)).toEqual(Array(8).fill('apiKey'));
    // Photos sent after the switch still went out on the job's own account.
    expect(ofJob.filter((r) => r.at >= switchedAt).length).toBeGreaterThan(0);

    stack.api.setLatency(0);
    await stage(fx, [later]);
    const nextId = await start(fx, { preset: 'describe', model: MODEL });
    expect((await waitForJob(fx, nextId, (j) => j.status === 'done')).counts.done).toBe(2);
    const ofNext = inferenceRequests().filter(widthIn(400, 2));
    expect(ofNext).toHaveLength(2);
    expect(ofNext.map((r) => r.auth)).toEqual(['oauth', 'oauth']);
    // ChatGPT-plan rules on the plan account's requests.
    for (const r of ofNext) expect(r.body).toMatchObject({ store: false, stream: true });
  });

  it('a Chat Completions account sends analyses to /chat/completions and writes results', async () => {
    const h = await setup();
    const { fx } = h;
    await addKey(fx, { useChatCompletions: true, label: 'Local server' });
    await stage(fx, [good('01-sunset.jpg'), good('02-meadow.webp')]);
    const before = stack.api.requests.length;
    const jobId = await start(fx, { preset: 'describe', model: MODEL });
    const job = await waitForJob(fx, jobId, (j) => j.status === 'done');
    expect(job.counts).toMatchObject({ done: 2, failed: 0 });

    const sent = inferenceRequests(before);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.every((r) => r.path.endsWith('/chat/completions'))).toBe(true);
    expect(responsesSince(before)).toEqual([]);
    expect(sent.filter((r) => r.status === 200)).toHaveLength(2);
    expect(sent.every((r) => r.auth === 'apiKey')).toBe(true);

    const files = await resultFiles(job.outputDir);
    expect(files).toHaveLength(2);
    for (const file of files) {
      const doc = await readJson<Record<string, any>>(join(job.outputDir, file));
      expect(doc.status).toBe('ok');
      expect(doc.result).toMatchObject({ description: expect.any(String) });
    }
    expect(parseCsv(await readFile(join(job.outputDir, 'results.csv'), 'utf8'))).toHaveLength(3);
  });
});

describe('job controls through commands', () => {
  it('pause lets requests in flight finish and sends nothing more; resume finishes the job', async () => {
    const h = await setup();
    const { fx } = h;
    await addKey(fx);
    const photos = await tempDir('loupe-photos-');
    await makePhotos(photos, 8, { baseWidth: 500 });
    stack.api.setLatency(300);
    await stage(fx, [photos]);
    const jobId = await start(fx, { preset: 'describe', model: MODEL, concurrency: 2 });
    await waitForRequest(widthIn(500, 8));

    ok(await fx.run('analysis.pause', { jobId }));
    const paused = await waitForJob(fx, jobId, (j) => j.status === 'paused' && j.counts.inFlight === 0);
    expect(paused.counts.pending).toBeGreaterThan(0);
    expect(paused.counts.done + paused.counts.pending).toBe(8);
    const sentWhilePaused = inferenceRequests().filter(widthIn(500, 8)).length;
    expect(sentWhilePaused).toBe(paused.counts.done);
    ok(await fx.run('analysis.pause', { jobId })); // already paused: nothing to do
    await new Promise((r) => setTimeout(r, 400));
    expect(inferenceRequests().filter(widthIn(500, 8))).toHaveLength(sentWhilePaused);
    expect((await getJob(fx, jobId)).status).toBe('paused');

    ok(await fx.run('analysis.resume', { jobId }));
    await waitForJob(fx, jobId, (j) => j.status === 'running' || j.status === 'done');
    const done = await waitForJob(fx, jobId, (j) => j.status === 'done');
    expect(done.counts).toMatchObject({ done: 8, failed: 0, pending: 0 });
    expect(inferenceRequests().filter(widthIn(500, 8))).toHaveLength(8);

    // A finished job can't be paused, resumed or cancelled.
    for (const command of ['analysis.pause', 'analysis.resume', 'analysis.cancel'] as const) {
      expect((await fx.run(command, { jobId })).error?.code, command).toBe('invalid_state');
    }
    expect((await fx.run('analysis.pause', { jobId: 'job-none' })).ok).toBe(false);
  });

  it('cancel aborts the running job and keeps what is done; a cancelled job can’t resume or retry', async () => {
    const h = await setup();
    const { fx } = h;
    await addKey(fx);
    const photos = await tempDir('loupe-photos-');
    await makePhotos(photos, 8, { baseWidth: 600 });
    stack.api.setLatency(300);
    await stage(fx, [photos]);
    const jobId = await start(fx, { preset: 'describe', model: MODEL, concurrency: 2 });
    await waitForRequest(widthIn(600, 8));

    ok(await fx.run('analysis.cancel', { jobId }));
    const detail = await getJob(fx, jobId);
    expect(detail.status).toBe('cancelled');
    expect(detail.finishedAt).not.toBeNull();
    expect(detail.counts.done).toBeLessThan(8);
    expect(detail.counts.inFlight).toBe(0);
    const job = await waitForJob(fx, jobId, (j) => j.status === 'cancelled');
    expect(await resultFiles(job.outputDir)).toHaveLength(job.counts.done);
    expect((await readJson<Record<string, any>>(join(job.outputDir, 'summary.json'))).status).toBe('cancelled');

    expect((await fx.run('analysis.resume', { jobId })).error?.code).toBe('invalid_state');
    expect((await fx.run('analysis.retryFailed', { jobId })).error?.code).toBe('invalid_state');
    ok(await fx.run('analysis.cancel', { jobId })); // already cancelled: nothing to do
    expect((await getJob(fx, jobId)).status).toBe('cancelled');
  });

  it('retryFailed sends the failed photos again and the job ends with all of them done', async () => {
    const h = await setup();
    const { fx } = h;
    await addKey(fx);
    const photos = await tempDir('loupe-photos-');
    await makePhotos(photos, 4, { baseWidth: 700 });
    stack.api.faults.next({ type: 'status', status: 400, body: { error: { message: 'Invalid image.', type: 'invalid_request_error', param: null, code: 'invalid_image' } } });
    await stage(fx, [photos]);
    const jobId = await start(fx, { preset: 'describe', model: MODEL });
    const first = await waitForJob(fx, jobId, (j) => j.status === 'done' || j.status === 'failed');
    expect(first.status).toBe('done');
    expect(first.counts).toMatchObject({ done: 3, failed: 1 });
    const failed = (await getJob(fx, jobId)).items.find((i) => i.status === 'failed')!;
    expect(failed.error?.code).toBe('invalid_request');
    expect(h.notifications.at(-1)?.body).toContain('1 failed');

    ok(await fx.run('analysis.retryFailed', { jobId }));
    const retried = await waitForJob(fx, jobId, (j) => j.status === 'done' && j.counts.failed === 0 && j.counts.done === 4);
    expect(retried.counts).toMatchObject({ done: 4, failed: 0, pending: 0 });
    const item = (await getJob(fx, jobId)).items.find((i) => i.id === failed.id)!;
    expect(item.status).toBe('done');
    expect((await readJson<Record<string, any>>(join(retried.outputDir, item.outputFile!))).status).toBe('ok');
    expect(inferenceRequests().filter(widthIn(700, 4))).toHaveLength(5);
    ok(await fx.run('analysis.retryFailed', { jobId })); // nothing failed: nothing to do
  });
});

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
    const customJob = await start(fx, { preset: 'custom', model: MODEL, customPrompt: 'Name the colours.', customSchema: '{"type":"object","properties":{"colours":{"type":"array","items":{"type":"string"}}}}' });
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
