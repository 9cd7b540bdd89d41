/**
 * A large job costs a line when it is not running: after a restart a job at
 * rest is listed from its header (its counts saved with it), and its items
 * are read only when a page of it is asked for, giving the same page as
 * before the restart. Timings are never asserted.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobItemView } from '../../../../electron/contract';
import { type SignedIn, isSettled, makePhotos, responsesRequests, resultFiles, waitForJob } from '../../../support/analysis-fixture';
import { useEngineCleanups, MODEL, cleanups, dirs, engineFor, useSignedInStandIns } from './support';

useEngineCleanups();

/** A page as the window shows it, less the thumbnails (made again in the background after a restart). */
const withoutThumbnails = (items: JobItemView[]) => items.map(({ thumbnail: _thumbnail, ...rest }) => rest);

describe('a job at rest after a restart', () => {
  let s: SignedIn;
  useSignedInStandIns({ latencyMs: 0 }, (signedIn) => (s = signedIn), { resetFaults: true });

  it('gives the same items page as before the restart, read only when asked for', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 5);
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const finished = await waitForJob(h.engine, id, isSettled);
    expect(finished.counts).toMatchObject({ total: 5, done: 5 });
    const before = (await h.engine.items(id, 1, 3))!;
    await h.engine.dispose();

    const again = await engineFor(s, d.data);
    cleanups.push(() => again.engine.dispose());
    const listed = again.engine.jobs().find((j) => j.id === id)!;
    expect(listed.counts).toEqual(finished.counts);
    expect(listed.status).toBe('done');
    const after = (await again.engine.items(id, 1, 3))!;
    expect(after.total).toBe(before.total);
    expect(withoutThumbnails(after.items)).toEqual(withoutThumbnails(before.items));
    expect(after.items.every((item) => item.result !== undefined)).toBe(true);
  });

  it('is listed from its header alone: opening reads no items file', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 3);
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const finished = await waitForJob(h.engine, id, isSettled);
    await h.engine.dispose();
    // Without its items file the job can still be listed only if opening never reads it.
    const jobsDir = join(d.data, 'jobs');
    for (const name of (await readdir(jobsDir)).filter((n) => n.includes('.items.'))) await rm(join(jobsDir, name));

    const again = await engineFor(s, d.data);
    cleanups.push(() => again.engine.dispose());
    expect(again.engine.jobs().find((j) => j.id === id)?.counts).toEqual(finished.counts);
    await expect(again.engine.items(id, 0, 10)).rejects.toThrow();
  });

  it('resumes a paused job whose items were not in memory: the rest is analysed, nothing twice', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 4);
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    await h.engine.pause(id);
    await waitForJob(h.engine, id, (j) => j.status === 'paused' && j.counts.inFlight === 0);
    await h.engine.dispose();

    const again = await engineFor(s, d.data);
    cleanups.push(() => again.engine.dispose());
    await again.engine.resume(id);
    const job = await waitForJob(again.engine, id, isSettled);
    expect(job.counts).toMatchObject({ total: 4, done: 4, failed: 0 });
    const page = (await again.engine.items(id, 0, 10))!;
    expect(new Set(page.items.map((i) => i.outputFile)).size).toBe(4);
    expect(await resultFiles(d.out)).toHaveLength(4);
    const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    expect(sent).toHaveLength(4);
  });

  /** Rewrites a job's saved files (header and items file) as `change` says: the shape an older Loupe wrote. */
  async function rewriteSaved(dataDir: string, id: string, change: (header: Record<string, any>, items: Array<Record<string, any>>) => void) {
    const jobsDir = join(dataDir, 'jobs');
    const header = JSON.parse(await readFile(join(jobsDir, `${id}.json`), 'utf8')) as Record<string, any>;
    const itemsPath = join(jobsDir, header.itemsFile as string);
    const items = JSON.parse(await readFile(itemsPath, 'utf8')) as Array<Record<string, any>>;
    change(header, items);
    await writeFile(join(jobsDir, `${id}.json`), JSON.stringify(header));
    await writeFile(itemsPath, JSON.stringify(items));
  }

  it('an unreadable answer saved as "done" with its parse error (before "unparsed" was a status) reads as unparsed, and is asked again on request', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 2);
    s.stack.api.faults.next({ type: 'schema_mismatch_answer' });
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'damage', model: MODEL, detail: 'low', outputDir: d.out });
    expect((await waitForJob(h.engine, id, isSettled)).counts).toMatchObject({ done: 1, unparsed: 1 });
    await h.engine.dispose();
    await rewriteSaved(d.data, id, (header, items) => {
      for (const item of items) if (item.status === 'unparsed') item.status = 'done';
      delete header.counts.notRun;
    });

    const before = s.stack.api.requests.length;
    const again = await engineFor(s, d.data);
    expect(again.engine.jobs().find((j) => j.id === id)!.counts).toMatchObject({ done: 1, unparsed: 1, notRun: 0 });
    const page = (await again.engine.items(id, 0, 10))!;
    expect(page.items.map((i) => i.status).sort()).toEqual(['done', 'unparsed']);
    expect(page.items.find((i) => i.status === 'unparsed')!.rawText).toBeTruthy();
    await again.engine.retryUnparsed(id);
    const job = await waitForJob(again.engine, id, (j) => j.status === 'done' && isSettled(j) && j.counts.unparsed === 0);
    expect(job.counts).toMatchObject({ done: 2, unparsed: 0 });
    expect(responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before)).toHaveLength(1);
  });

  it('a cancelled job saved with its never-run photos waiting reads them as not analysed', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 3);
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    await h.engine.pause(id);
    await waitForJob(h.engine, id, (j) => j.status === 'paused' && j.counts.inFlight === 0);
    await h.engine.dispose();
    let waiting = 0;
    await rewriteSaved(d.data, id, (header, items) => {
      header.status = 'cancelled';
      waiting = items.filter((i) => i.status === 'pending').length;
      header.counts = { ...header.counts, pending: waiting, inFlight: 0 };
      delete header.counts.notRun;
    });
    expect(waiting).toBeGreaterThan(0);

    const again = await engineFor(s, d.data);
    // Listed from its header alone, then read whole: the same answer both times.
    expect(again.engine.jobs().find((j) => j.id === id)!.counts).toMatchObject({ pending: 0, inFlight: 0, notRun: waiting });
    const page = (await again.engine.items(id, 0, 10))!;
    expect(page.items.filter((i) => i.status === 'not_run')).toHaveLength(waiting);
    expect(again.engine.jobs().find((j) => j.id === id)!.counts).toMatchObject({ pending: 0, notRun: waiting });
    expect(await again.engine.remainingPaths(id)).toHaveLength(waiting);
  });
});
