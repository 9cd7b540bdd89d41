/**
 * The analysis engine end to end: a real core signed in against the stand-in
 * authorization server supplies bearer tokens, the engine sends real photos
 * (made with sharp) to the stand-in Responses API, and the tests read what
 * landed on disk. Timings are never asserted; waits poll for states.
 */
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../../electron/core/analysis/records/job-record';
import {
  type SignedIn,
  isSettled,
  makePhotos,
  readJson,
  responsesRequests,
  resultFiles,
  tempDir,
  waitForJob,
} from '../../../support/analysis-fixture';
import { useEngineCleanups, MODEL, cleanups, dirs, engineFor, successesByWidth, useSignedInStandIns } from './support';

useEngineCleanups();

describe('analysis engine — structured outputs available', () => {
  let s: SignedIn;
  useSignedInStandIns({ latencyMs: 60 }, (signedIn) => (s = signedIn), { resetFaults: true });

  it('identical photos are analysed once; copies reference the first result', async () => {
    const d = await dirs();
    const [first, second] = await makePhotos(d.photos, 2);
    await mkdir(join(d.photos, 'sub'));
    await copyFile(first!, join(d.photos, 'copy-of-first.jpg'));
    await copyFile(first!, join(d.photos, 'sub', 'photo-001.jpg'));
    await copyFile(second!, join(d.photos, 'sub', 'again.jpg'));
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const job = await waitForJob(h.engine, id, isSettled);
    expect(job.counts).toMatchObject({ total: 5, done: 5, failed: 0 });
    const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    expect(sent).toHaveLength(2);

    const files = await resultFiles(d.out);
    expect(files).toHaveLength(5);
    const docs = await Promise.all(files.map((f) => readJson<Record<string, any>>(join(d.out, f))));
    const originals = docs.filter((doc) => doc.status === 'ok');
    const copies = docs.filter((doc) => doc.status === 'duplicate');
    expect(originals).toHaveLength(2);
    expect(copies).toHaveLength(3);
    for (const copy of copies) {
      const original = originals.find((o) => o.source.sha256 === copy.source.sha256)!;
      expect(copy.duplicate_of.path).toBe(original.source.path);
      expect(copy.result).toEqual(original.result);
      expect(copy.usage).toBeNull();
    }
    const items = (await h.engine.items(id, 0, 10_000))!.items;
    expect(items.filter((i) => i.duplicateOf)).toHaveLength(3);
    expect(new Set(items.map((i) => i.outputFile)).size).toBe(5);
  });

  it('jobs queue: one runs at a time, the next starts when it ends', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 3);
    const out2 = await tempDir('loupe-out-');
    cleanups.push(out2.remove);
    const h = await engineFor(s, d.data);
    const first = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const second = await h.engine.createJob({ paths: [d.photos], preset: 'damage', model: MODEL, detail: 'low', outputDir: out2.path });
    expect(h.engine.jobs().map((j) => [j.id, j.status])).toEqual([
      [second, 'queued'],
      [first, 'running'],
    ]);
    await waitForJob(h.engine, second, (j) => j.status === 'done');
    const firstJob = h.engine.jobs().find((j) => j.id === first)!;
    expect(firstJob.status).toBe('done');
    expect(firstJob.finishedAt!).toBeLessThanOrEqual(h.engine.jobs().find((j) => j.id === second)!.startedAt!);
  });

  it('a job without a ceiling (Automatic) leaves the governor none; a job with one sets it', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 3);
    const h = await engineFor(s, d.data);
    const auto = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    await waitForJob(h.engine, auto, (j) => j.status === 'running');
    expect(h.engine.recordOf(auto)!.spec).not.toHaveProperty('concurrencyCap');
    expect(h.engine.concurrencyCeiling).toBeUndefined();
    await waitForJob(h.engine, auto, (j) => j.status === 'done');
    const capped = await h.engine.createJob({
      paths: [d.photos],
      preset: 'describe',
      model: MODEL,
      detail: 'low',
      outputDir: `${d.out}-2`,
      concurrencyCap: 2,
    });
    await waitForJob(h.engine, capped, (j) => j.status === 'running');
    expect(h.engine.concurrencyCeiling).toBe(2);
    await waitForJob(h.engine, capped, (j) => j.status === 'done');
  });

  it('cancel aborts requests in flight and keeps finished results', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 10);
    s.stack.api.setLatency(400);
    cleanups.push(async () => s.stack.api.setLatency(60));
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out, concurrencyCap: 2 });
    await waitForJob(h.engine, id, (j) => j.counts.done >= 2 && j.counts.inFlight > 0);
    await h.engine.cancel(id);
    const job = h.engine.jobs().find((j) => j.id === id)!;
    expect(job.status).toBe('cancelled');
    expect(job.counts.inFlight).toBe(0);
    expect(job.counts.done).toBeGreaterThanOrEqual(2);
    expect(job.counts.done).toBeLessThan(10);
    const sentAtCancel = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before).length;
    expect(await resultFiles(d.out)).toHaveLength(job.counts.done);
    expect((await readJson<Record<string, any>>(join(d.out, 'summary.json'))).status).toBe('cancelled');
    await expect(h.engine.resume(id)).rejects.toMatchObject({ code: 'invalid_state' });
    // Disposing waits for everything the engine still had going; after it nothing can go out, and nothing did since the cancel.
    await h.engine.dispose();
    expect(responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before).length).toBe(sentAtCancel);
  });

  it('pause lets requests in flight finish and sends nothing more until resume', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 8);
    s.stack.api.setLatency(300);
    cleanups.push(async () => s.stack.api.setLatency(60));
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out, concurrencyCap: 2 });
    await waitForJob(h.engine, id, (j) => j.counts.done >= 1 && j.counts.inFlight > 0);
    await h.engine.pause(id);
    const paused = await waitForJob(h.engine, id, (j) => j.status === 'paused' && j.counts.inFlight === 0);
    expect(paused.counts.done).toBeLessThan(8);
    const sentWhilePaused = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before).length;
    // In-flight answers finished during the pause were recorded.
    expect(await resultFiles(d.out)).toHaveLength(paused.counts.done);

    const resumedAt = s.stack.api.requests.length;
    await h.engine.resume(id);
    const job = await waitForJob(h.engine, id, (j) => j.status === 'done');
    // Nothing went out from the pause until the resume, however long it lasted.
    expect(
      responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before && s.stack.api.requests.indexOf(r) < resumedAt),
    ).toHaveLength(sentWhilePaused);
    expect(job.counts.done).toBe(8);
    const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    expect([...successesByWidth(sent).values()]).toEqual(Array(8).fill(1));
  });

  it('after a crash between writing a result and saving the job file, the result is adopted, not paid for again', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 4);
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const finished = await waitForJob(h.engine, id, isSettled);
    await h.engine.dispose();

    // Rewind the job file to what a crash could leave: two photos still "in flight", one of
    // whose result file was already written (its tokens not yet counted), the other's not.
    const jobPath = join(d.data, 'jobs', `${id}.json`);
    const record = await readJson<JobRecord>(jobPath);
    // The items are beside the job file (store/job-files.ts).
    const itemsPath = join(d.data, 'jobs', record.itemsFile!);
    const items = await readJson<JobRecord['items']>(itemsPath);
    const [written, lost] = items;
    record.status = 'running';
    delete record.finishedAt;
    for (const item of [written!, lost!]) item.status = 'in_flight';
    record.tokens.input -= written!.usage!.input_tokens + lost!.usage!.input_tokens;
    record.tokens.output -= written!.usage!.output_tokens + lost!.usage!.output_tokens;
    await writeFile(itemsPath, JSON.stringify(items));
    await writeFile(jobPath, JSON.stringify(record));
    await rm(join(d.out, lost!.outputFile!));
    // Left by the process that died (another pid); one named with this process's pid is a write in progress and stays.
    await writeFile(join(d.out, `summary.json.${process.pid + 1}.abc123.tmp`), '{"half":');
    await writeFile(join(d.out, `results.csv.${process.pid}.inprogress1.tmp`), 'file,');

    const before = s.stack.api.requests.length;
    const again = await engineFor(s, d.data);
    const job = await waitForJob(again.engine, id, (j) => j.status === 'done');
    const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    expect(sent).toHaveLength(1);
    expect(job.counts).toMatchObject({ done: 4, failed: 0 });
    expect(job.tokens).toEqual(finished.tokens);
    expect(await resultFiles(d.out)).toHaveLength(4);
    expect((await readdir(d.out)).filter((n) => n.endsWith('.tmp'))).toEqual([`results.csv.${process.pid}.inprogress1.tmp`]);
  });
});
