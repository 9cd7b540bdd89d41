/**
 * A large job costs a line when it is not running: after a restart a job at
 * rest is listed from its header (its counts saved with it), and its items
 * are read only when a page of it is asked for, giving the same page as
 * before the restart. Timings are never asserted.
 */
import { readdir, rm } from 'node:fs/promises';
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
});
