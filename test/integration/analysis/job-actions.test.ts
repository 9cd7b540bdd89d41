/**
 * Issue #9's job and staging support through the core's commands: staged
 * files checked when added, person-like default names, the "Add folder…"
 * dialog, cancel with an undo window on the core's clock, "Analyse
 * remaining", rename and remove, live retry state, and the app-wide usage
 * limit. Waits are on states, never on timings.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppState, JobDetailView } from '../../../electron/contract';
import type { CoreOptions } from '../../../electron/core';
import { type StandIns, startStandIns } from '../../servers/stack';
import { makePhotos } from '../../support/analysis-fixture';
import { type CoreFixture, createCoreFixture, waitForState } from '../../support/core-fixture';
import { ManualClock } from '../../support/manual-clock';

const API_KEY = 'sk-test-job-actions-0123456789abcdef';
const MODEL = 'gpt-6.1-sol';
const fixture = (path: string) => fileURLToPath(new URL(`../../fixtures/${path}`, import.meta.url)).replace(/[\\/]$/, '');

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

interface Setup {
  fx: CoreFixture;
  picked: Array<{ folders: boolean }>;
  documentsDir: string;
}

async function setup(options: { clock?: ManualClock; core?: CoreOptions } = {}): Promise<Setup> {
  const documentsDir = await tempDir('loupe-docs-');
  const picked: Array<{ folders: boolean }> = [];
  const fx = await createCoreFixture(stack, {
    ...(options.clock ? { clock: options.clock } : {}),
    options: { analysisTuning: { backoffBaseMs: 40, backoffMaxMs: 400 }, ...options.core },
    deps: {
      documentsDir,
      pickFiles: async (want) => {
        picked.push(want);
        return want.folders ? [fixture('folder')] : [fixture('good/01-sunset.jpg')];
      },
    },
  });
  cleanups.push(() => fx.dispose());
  const added = await fx.run('accounts.addApiKey', { label: 'Key', baseUrl: stack.endpoints.apiBase, apiKey: API_KEY });
  expect(added.error).toBeUndefined();
  await waitForState(fx.core, (s) => s.models.status === 'ready' && s.models.selected !== null);
  return { fx, picked, documentsDir };
}

function ok<T>(result: { ok: boolean; value?: unknown; error?: unknown }): T {
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  return result.value as T;
}

async function job(fx: CoreFixture, jobId: string): Promise<JobDetailView> {
  return ok<JobDetailView>(await fx.run('analysis.getJob', { jobId }));
}

/**
 * Polls a command's answer. With a manual clock the run layer's timers (pacing,
 * saves) wait for it, so each poll moves it a little, as time would pass.
 */
async function until(
  fx: CoreFixture,
  jobId: string,
  predicate: (j: JobDetailView) => boolean,
  clock?: ManualClock,
  timeoutMs = 15_000,
): Promise<JobDetailView> {
  const started = Date.now();
  for (;;) {
    const current = await job(fx, jobId);
    if (predicate(current)) return current;
    if (Date.now() - started > timeoutMs) throw new Error(`job never got there (status ${current.status})`);
    // Against a server without rate headers requests are paced at a learned rate (pacing/rate-learner.ts), refilled as the clock moves.
    clock?.advance(100);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const checked = (s: AppState) => s.analysis.staged.length > 0 && s.analysis.staged.every((x) => x.photoCount !== null);

describe('staging', () => {
  it('checks each staged file and folder as it is added, and names the job after what it holds', async () => {
    const { fx, picked } = await setup();
    const paths = [
      fixture('folder'),
      fixture('good/01-sunset.jpg'),
      fixture('bad/not-an-image.txt'),
      fixture('bad/empty.jpg'),
      join(tmpdir(), 'loupe-no-such-photo.jpg'),
    ];
    ok(await fx.drop({ paths }));
    const s = await waitForState(fx.core, checked);
    const view = Object.fromEntries(s.analysis.staged.map((x) => [x.name, { kind: x.kind, photoCount: x.photoCount, problem: x.problem }]));
    expect(view).toEqual({
      folder: { kind: 'folder', photoCount: 2, problem: '1 file can’t be analysed.' },
      '01-sunset.jpg': { kind: 'file', photoCount: 1, problem: null },
      'not-an-image.txt': { kind: 'file', photoCount: 0, problem: 'Not an image Loupe can read (text file).' },
      'empty.jpg': { kind: 'file', photoCount: 0, problem: 'The file is empty.' },
      'loupe-no-such-photo.jpg': { kind: 'file', photoCount: 0, problem: 'Not found. It may have been moved or deleted.' },
    });
    expect(s.analysis.stagedPhotoCount).toBe(3);

    const { jobId } = ok<{ jobId: string }>(await fx.run('analysis.start', { preset: 'describe', model: MODEL }));
    const started = await job(fx, jobId);
    expect(started.name).toMatch(/^3 photos · \d{1,2} [A-Z][a-z]{2} \d{2}:\d{2}$/);

    // Windows and Linux: "Add folder…" asks the dialog for folders.
    ok(await fx.run('analysis.pickImages', { folders: true }));
    ok(await fx.run('analysis.pickImages', {}));
    expect(picked).toEqual([{ folders: true }, { folders: false }]);
    const again = await waitForState(fx.core, (st) => st.analysis.staged.length === 2 && checked(st));
    expect(again.analysis.staged.map((x) => x.kind)).toEqual(['folder', 'file']);
    expect(again.analysis.stagedPhotoCount).toBe(3);
    ok(await fx.run('analysis.clearStaged'));
    const { jobId: single } = await (async () => {
      ok(await fx.drop({ paths: [fixture('good')] }));
      await waitForState(fx.core, checked);
      return ok<{ jobId: string }>(await fx.run('analysis.start', { preset: 'describe', model: MODEL }));
    })();
    expect((await job(fx, single)).name).toMatch(/^good · 5 photos · /);
  });
});

describe('cancel, undo, analyse remaining, rename, remove', () => {
  it('cancel pauses at once and cancels after the undo window; undo within it carries on', async () => {
    const clock = new ManualClock();
    const { fx } = await setup({ clock });
    const photos = await tempDir('loupe-photos-');
    await makePhotos(photos, 8, { baseWidth: 610 });
    stack.api.setLatency(400);
    ok(await fx.drop({ paths: [photos] }));
    const { jobId } = ok<{ jobId: string }>(await fx.run('analysis.start', { preset: 'describe', model: MODEL, concurrency: 1 }));
    await until(fx, jobId, (j) => j.status === 'running');

    ok(await fx.run('analysis.cancel', { jobId }));
    let current = await job(fx, jobId);
    expect(current.status).toBe('paused');
    expect(current.undoCancelUntil).toBe(clock.now() + 6_000);
    expect(current.can.undoCancel.allowed).toBe(true);
    expect(current.can.resume).toEqual({ allowed: false, reason: 'This job is being cancelled.' });
    expect((await fx.run('analysis.resume', { jobId })).error).toMatchObject({ code: 'invalid_state' });
    expect((await fx.run('analysis.pause', { jobId })).error).toMatchObject({ code: 'invalid_state' });

    // Undo: the job runs on as before.
    ok(await fx.run('analysis.undoCancel', { jobId }));
    current = await job(fx, jobId);
    expect(current.undoCancelUntil).toBeNull();
    expect(['running', 'queued']).toContain(current.status);
    clock.advance(10_000);
    expect(['running', 'queued', 'done']).toContain((await job(fx, jobId)).status);
    expect((await fx.run('analysis.undoCancel', { jobId })).error).toMatchObject({ code: 'invalid_state' });

    // Cancel again and let the window pass.
    ok(await fx.run('analysis.cancel', { jobId }));
    clock.advance(5_999);
    expect((await job(fx, jobId)).status).toBe('paused');
    clock.advance(1);
    const cancelled = await until(fx, jobId, (j) => j.status === 'cancelled');
    expect(cancelled.counts.done).toBeLessThan(8);
    expect(cancelled.can.analyseRemaining.allowed).toBe(true);
    expect(cancelled.can.remove.allowed).toBe(true);
    const remaining = cancelled.counts.pending + cancelled.counts.inFlight + cancelled.counts.failed;

    // Analyse remaining: a new job of the photos not done, with the same settings.
    stack.api.setLatency(0);
    const { jobId: rest } = ok<{ jobId: string }>(await fx.run('analysis.startRemaining', { jobId }));
    // Once: the remaining photos are in that new job now.
    expect((await job(fx, jobId)).can.analyseRemaining.reason).toMatch(/already in/);
    expect((await fx.run('analysis.startRemaining', { jobId })).error).toMatchObject({ code: 'invalid_state' });
    const restJob = await until(fx, rest, (j) => j.status === 'done', clock);
    expect(restJob.counts.total).toBe(remaining);
    expect(restJob.counts.done).toBe(remaining);
    expect(restJob).toMatchObject({ model: MODEL, preset: 'describe', name: `${cancelled.name} (remaining)` });
    const analysed = new Set([
      ...(await job(fx, jobId)).items.filter((i) => i.status === 'done').map((i) => i.path),
      ...restJob.items.map((i) => i.path),
    ]);
    expect(analysed.size).toBe(8);

    // Rename and remove: the job leaves the list, its files stay.
    ok(await fx.run('analysis.rename', { jobId: rest, name: 'Kitchen, second half' }));
    expect((await job(fx, rest)).name).toBe('Kitchen, second half');
    ok(await fx.run('analysis.remove', { jobId }));
    expect((await fx.run('analysis.getJob', { jobId })).error).toMatchObject({ code: 'job_not_found' });
    clock.advance(1_000);
    expect(fx.core.getState().analysis.jobs.map((j) => j.id)).toEqual([rest]);
    expect((await stat(cancelled.outputDir)).isDirectory()).toBe(true);
  });

  it('a running job can’t be removed; a finished one can’t be cancelled', async () => {
    const { fx } = await setup({ core: { cancelGraceMs: 0 } });
    stack.api.setLatency(300);
    ok(await fx.drop({ paths: [fixture('good')] }));
    const { jobId } = ok<{ jobId: string }>(await fx.run('analysis.start', { preset: 'describe', model: MODEL, concurrency: 1 }));
    const running = await until(fx, jobId, (j) => j.status === 'running');
    expect(running.can.remove.allowed).toBe(false);
    expect((await fx.run('analysis.remove', { jobId })).error).toMatchObject({ code: 'invalid_state' });
    stack.api.setLatency(0);
    await until(fx, jobId, (j) => j.status === 'done');
    expect((await fx.run('analysis.cancel', { jobId })).error).toMatchObject({ code: 'invalid_state' });
    expect((await fx.run('analysis.startRemaining', { jobId })).error).toMatchObject({ code: 'invalid_state' });
  });
});

describe('a cancelled job, for good', () => {
  /** A job of `count` photos, one request at a time and slow, cancelled (no undo window) while most photos still wait. */
  async function cancelledEarly(count: number) {
    const s = await setup({ core: { cancelGraceMs: 0 } });
    const photos = await tempDir('loupe-photos-');
    await makePhotos(photos, count, { baseWidth: 620 });
    stack.api.setLatency(400);
    ok(await s.fx.drop({ paths: [photos] }));
    const { jobId } = ok<{ jobId: string }>(await s.fx.run('analysis.start', { preset: 'describe', model: MODEL, concurrency: 1 }));
    await waitForState(s.fx.core, (st) => st.analysis.jobs.some((j) => j.id === jobId && j.status === 'running'));
    ok(await s.fx.run('analysis.cancel', { jobId }));
    stack.api.setLatency(0);
    return { ...s, jobId, cancelled: await job(s.fx, jobId) };
  }

  it('counts and shows the photos it never ran as not analysed, not waiting; analyse remaining takes exactly them, once', async () => {
    const { fx, jobId, cancelled } = await cancelledEarly(6);
    expect(cancelled.status).toBe('cancelled');
    const { counts } = cancelled;
    expect(counts.pending + counts.inFlight).toBe(0);
    expect(counts.notRun).toBeGreaterThan(0);
    expect(counts.done + counts.failed + counts.notRun).toBe(6);
    const notRun = cancelled.items.filter((i) => i.status === 'not_run');
    expect(notRun).toHaveLength(counts.notRun);
    expect(cancelled.items.filter((i) => i.status === 'pending' || i.status === 'in_flight')).toEqual([]);
    // summary.json says so too; results.csv has no row for them.
    const summary = JSON.parse(await readFile(join(cancelled.outputDir, 'summary.json'), 'utf8')) as { items: Array<{ status: string }> };
    expect(summary.items.filter((i) => i.status === 'not_run')).toHaveLength(counts.notRun);
    expect(summary.items.some((i) => i.status === 'pending')).toBe(false);

    // Still so after a restart: it is the item's status, not a view of it.
    await fx.restart();
    const reread = await job(fx, jobId);
    expect(reread.counts).toEqual(counts);
    expect(reread.items.filter((i) => i.status === 'not_run').map((i) => i.path)).toEqual(notRun.map((i) => i.path));

    const { jobId: rest } = ok<{ jobId: string }>(await fx.run('analysis.startRemaining', { jobId }));
    const restJob = await waitForState(fx.core, (st) => st.analysis.jobs.some((j) => j.id === rest && j.status === 'done'), 20_000);
    expect(restJob.analysis.jobs.find((j) => j.id === rest)!.counts).toMatchObject({
      total: counts.notRun + counts.failed,
      done: counts.notRun + counts.failed,
    });
  });

  it('offers "Analyse remaining" once, also after a restart', async () => {
    const { fx, jobId, cancelled } = await cancelledEarly(4);
    expect(cancelled.can.analyseRemaining.allowed).toBe(true);
    const { jobId: rest } = ok<{ jobId: string }>(await fx.run('analysis.startRemaining', { jobId }));
    const restName = (await job(fx, rest)).name;

    await fx.restart();
    const reread = await job(fx, jobId);
    expect(reread.can.analyseRemaining).toEqual({ allowed: false, reason: `The remaining photos are already in “${restName}”.` });
    expect((await fx.run('analysis.startRemaining', { jobId })).error).toMatchObject({ code: 'invalid_state' });
    expect(fx.core.getState().analysis.jobs).toHaveLength(2);
  });
});

describe('live retry state and the usage limit', () => {
  it('says while requests wait to be retried, and why', async () => {
    const { fx } = await setup({ core: { cancelGraceMs: 0, analysisTuning: { backoffBaseMs: 60_000, backoffMaxMs: 60_000 } } });
    stack.api.faults.next({ type: 'server_error', status: 503 }, 1);
    ok(await fx.drop({ paths: [fixture('good/01-sunset.jpg')] }));
    const before = Date.now();
    const { jobId } = ok<{ jobId: string }>(await fx.run('analysis.start', { preset: 'describe', model: MODEL }));
    const s = await waitForState(fx.core, (st) => st.analysis.jobs.some((j) => j.id === jobId && j.retrying !== null));
    const retrying = s.analysis.jobs.find((j) => j.id === jobId)!.retrying!;
    expect(retrying.count).toBe(1);
    expect(retrying.reason).toBe('The server is having trouble');
    expect(retrying.nextAt).toBeGreaterThanOrEqual(before + 30_000);
    ok(await fx.run('analysis.cancel', { jobId }));
    const after = await job(fx, jobId);
    expect(after.status).toBe('cancelled');
    expect(after.retrying).toBeNull();
  });

  it('a job stopped on the usage limit sets the app-wide notice until the account works again', async () => {
    const { fx } = await setup({ core: { cancelGraceMs: 0 } });
    const accountId = fx.core.getState().account.id!;
    stack.api.faults.next({ type: 'failed_mid_stream', code: 'subscription_sharing_usage_limit_exceeded', afterDeltas: 1 });
    ok(await fx.drop({ paths: [fixture('good')] }));
    const { jobId } = ok<{ jobId: string }>(await fx.run('analysis.start', { preset: 'describe', model: MODEL, concurrency: 1 }));
    const stopped = await waitForState(fx.core, (s) => s.usageLimit !== null);
    expect(stopped.usageLimit).toMatchObject({ accountId, link: { label: 'Manage usage', url: 'https://chatgpt.com/settings/usage' } });
    expect(stopped.analysis.jobs.find((j) => j.id === jobId)?.status).toBe('stopped');
    ok(await fx.run('analysis.resume', { jobId }));
    const works = await waitForState(fx.core, (s) => s.usageLimit === null);
    expect(works.analysis.jobs.find((j) => j.id === jobId)!.counts.done).toBeGreaterThan(0);
  });
});
