/**
 * Output folders are never clobbered, through the core's commands: the
 * window can only start a job into a folder the main-process dialog picked
 * (or a fresh one), a second job into a folder holding the first job's
 * results gets a sub-folder of its own, a Loupe output folder inside a
 * dropped folder is not analysed, hidden files are listed as skipped, and
 * `analysis.getItems` pages a job without building all of it.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { AppState, JobItemsPage, JobSummaryView } from '../../../electron/contract';
import { type StandIns, startStandIns } from '../../servers/stack';
import { readJson, resultFiles } from '../../support/analysis-fixture';
import { type CoreFixture, createCoreFixture, nextState, waitForState } from '../../support/core-fixture';

const API_KEY = 'sk-test-analysis-folders-0123456789abcdef';
const GOOD = fileURLToPath(new URL('../../fixtures/good/', import.meta.url)).replace(/[\\/]$/, '');

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
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function setup(): Promise<{ fx: CoreFixture; picked: { next: string | null } }> {
  const documentsDir = await tempDir('loupe-docs-');
  const picked = { next: null as string | null };
  const fx = await createCoreFixture(stack, {
    options: { analysisTuning: { backoffBaseMs: 40, backoffMaxMs: 400 } },
    deps: { documentsDir, pickFolder: async () => picked.next },
  });
  cleanups.push(() => fx.dispose());
  const added = await fx.run('accounts.addApiKey', { label: 'Key', baseUrl: stack.endpoints.apiBase, apiKey: API_KEY });
  expect(added.ok).toBe(true);
  await waitForState(fx.core, (s) => s.models.status === 'ready' && s.models.selected !== null);
  return { fx, picked };
}

const jobIn = (s: AppState, id: string) => s.analysis.jobs.find((j) => j.id === id);
async function finished(fx: CoreFixture, id: string): Promise<JobSummaryView> {
  return jobIn(await waitForState(fx.core, (s) => jobIn(s, id)?.status === 'done', 20_000), id)!;
}
async function startWith(fx: CoreFixture, paths: string[]): Promise<string> {
  expect((await fx.drop({ paths })).ok).toBe(true);
  const started = await fx.run('analysis.start', { preset: 'describe' });
  expect(started.error, JSON.stringify(started.error)).toBeUndefined();
  return (started.value as { jobId: string }).jobId;
}

it('the window cannot name an output folder; the dialog picks it, and a second job into it does not overwrite the first', async () => {
  const { fx, picked } = await setup();
  const chosen = await tempDir('loupe-chosen-');

  // A path the dialog never returned is refused, and nothing is written there.
  expect((await fx.drop({ paths: [join(GOOD, '01-sunset.jpg')] })).ok).toBe(true);
  // (analysis.start takes no folder at all: the contract refuses the field.)
  const refused = await fx.runRaw('analysis.start', { preset: 'describe', outputDir: join(chosen, 'elsewhere') });
  expect(refused.ok).toBe(false);
  expect(refused.error?.code).toBe('invalid_input');
  expect(await readdir(chosen)).toEqual([]);
  expect((await fx.run('analysis.clearStaged')).ok).toBe(true);

  // A cancelled dialog changes nothing; a pick is remembered for the next start.
  picked.next = null;
  expect((await fx.run('analysis.pickOutputDir')).value).toEqual({ path: null });
  picked.next = chosen;
  expect((await fx.run('analysis.pickOutputDir')).value).toEqual({ path: chosen });
  await waitForState(fx.core, (s) => s.analysis.pickedOutputDir === chosen);

  const first = await finished(fx, await startWith(fx, [join(GOOD, '01-sunset.jpg'), join(GOOD, '02-meadow.webp')]));
  expect(first.outputDir).toBe(chosen);
  const firstFiles = await resultFiles(chosen);
  expect(firstFiles).toHaveLength(2);
  const before = await Promise.all(['results.csv', 'summary.json', ...firstFiles].map((f) => readFile(join(chosen, f), 'utf8')));

  // The same folder again (still the pick): a sub-folder for the second job.
  const second = await finished(fx, await startWith(fx, [join(GOOD, '01-sunset.jpg'), join(GOOD, '03-portrait.jpg')]));
  expect(second.outputDir).not.toBe(chosen);
  expect(second.outputDir.startsWith(join(chosen, ''))).toBe(true);
  expect(await resultFiles(second.outputDir)).toHaveLength(2);
  // Not a byte of the first job's output changed.
  const after = await Promise.all(['results.csv', 'summary.json', ...firstFiles].map((f) => readFile(join(chosen, f), 'utf8')));
  expect(after).toEqual(before);
  expect(await resultFiles(chosen)).toEqual(firstFiles);
  expect((await readJson<Record<string, any>>(join(chosen, 'summary.json'))).loupe.job_id).toBe(first.id);
  expect((await readJson<Record<string, any>>(join(second.outputDir, 'summary.json'))).loupe.job_id).toBe(second.id);
}, 60_000);

it('a dropped folder: a Loupe output folder inside is not analysed nor listed; hidden files are listed as skipped', async () => {
  const { fx, picked } = await setup();
  const drop = await tempDir('loupe-drop-');
  await copyFile(join(GOOD, '01-sunset.jpg'), join(drop, 'a.jpg'));
  await copyFile(join(GOOD, '04-shapes.png'), join(drop, '.secret.png'));
  await writeFile(join(drop, '.DS_Store'), Buffer.alloc(8));
  // The first job writes its output inside the folder that is dropped next.
  const out = join(drop, 'analysis');
  await mkdir(out);
  picked.next = out;
  expect((await fx.run('analysis.pickOutputDir')).ok).toBe(true);
  const first = await finished(fx, await startWith(fx, [join(drop, 'a.jpg')]));
  expect(first.outputDir).toBe(out);

  // Fresh folder for the next job, then drop the parent.
  const detail = await fx.run('analysis.getJob', { jobId: await startWith(fx, [drop]) });
  expect(detail.ok).toBe(true);
  const job = detail.value as { id: string; items: Array<{ path: string; status: string; error?: { message: string } }>; outputDir: string };
  expect(job.outputDir).not.toBe(out);
  const byPath = new Map(job.items.map((i) => [i.path, i]));
  expect(job.items.every((i) => !i.path.startsWith(join(out, '')))).toBe(true);
  expect(byPath.get(join(drop, 'a.jpg'))?.status).not.toBe('skipped');
  for (const hidden of ['.secret.png', '.DS_Store']) {
    expect(byPath.get(join(drop, hidden))?.status).toBe('skipped');
    expect(byPath.get(join(drop, hidden))?.error?.message).toMatch(/^Hidden/);
  }
  expect(job.items).toHaveLength(3);
  await finished(fx, job.id);
}, 60_000);

it('analysis.getItems pages a job in order, with results for the page only', async () => {
  const { fx } = await setup();
  const id = await startWith(fx, [GOOD]);
  await finished(fx, id);
  const all = await fx.run('analysis.getJob', { jobId: id });
  const items = (all.value as { items: Array<{ id: string; result?: unknown }> }).items;
  expect(items.length).toBe(5);
  const pages: JobItemsPage[] = [];
  for (let offset = 0; offset < 7; offset += 2)
    pages.push((await fx.run('analysis.getItems', { jobId: id, offset, limit: 2 })).value as JobItemsPage);
  expect(pages.map((p) => p.total)).toEqual([5, 5, 5, 5]);
  expect(pages.map((p) => p.offset)).toEqual([0, 2, 4, 6]);
  expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1, 0]);
  expect(pages.flatMap((p) => p.items.map((i) => i.id))).toEqual(items.map((i) => i.id));
  for (const item of pages.flatMap((p) => p.items)) expect(item.result).toBeDefined();

  // After a restart nothing is in memory: a page brings its own results and thumbnails, and only its own.
  await fx.restart();
  const getPage = async () => (await fx.run('analysis.getItems', { jobId: id, offset: 1, limit: 2 })).value as JobItemsPage;
  let page = await getPage();
  expect(page.items.map((i) => i.id)).toEqual(items.slice(1, 3).map((i) => i.id));
  for (const item of page.items) expect(item.result).toBeDefined();
  // Thumbnails are made in the background for the page asked for; the window asks again on the next change.
  while (page.items.some((i) => !i.thumbnail)) {
    const changed = nextState(fx.core);
    page = await getPage();
    if (page.items.some((i) => !i.thumbnail)) await changed;
    else changed.catch(() => {});
  }
  for (const item of page.items) expect(item.thumbnail).toMatch(/^data:image\/jpeg;base64,/);
  const job = (await fx.run('analysis.getJob', { jobId: id })).value as { items: Array<{ thumbnail?: string }> };
  expect(job.items.filter((i) => i.thumbnail).length).toBe(2);
  const missing = await fx.run('analysis.getItems', { jobId: 'job-nope', offset: 0, limit: 1 });
  expect(missing.error?.code).toBe('job_not_found');
}, 60_000);
