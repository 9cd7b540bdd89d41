/**
 * A paid answer is never lost: the output folder vanishes mid-job (tests run
 * as root, where chmod stops nothing, so the folder is moved away and a plain
 * file put in its place: every write into it then fails with ENOTDIR). The
 * job must stop at once (no request goes out after the first refused write),
 * keep the answers it had, and on resume — folder back — write them out
 * without asking for any of them again: one valid file and one CSV row per
 * photo, every photo answered exactly once.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  type SignedIn,
  imageWidth,
  isSettled,
  makePhotos,
  openEngine,
  readJson,
  responsesRequests,
  resultFiles,
  signedInStandIns,
  tempDir,
  waitForJob,
} from '../../support/analysis-fixture';
import { parseCsv } from '../../support/csv';

const MODEL = 'gpt-6.1-sol';
const PHOTOS = 10;

let s: SignedIn;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  s = await signedInStandIns({ latencyMs: 150 });
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(async () => {
  await s.close();
});

it('an output folder that refuses writes stops the job at once; resume writes the kept answers without asking again', async () => {
  const photos = await tempDir('loupe-fault-photos-');
  const parent = await tempDir('loupe-fault-out-');
  const data = await tempDir('loupe-fault-data-');
  cleanups.push(photos.remove, parent.remove, data.remove);
  const out = join(parent.path, 'results');
  const paths = await makePhotos(photos.path, PHOTOS);

  // Client-side count of analysis requests, exact to the call: a request "goes out" when fetch is called.
  let sent = 0;
  let sentAtFailure: number | undefined;
  let broken = false;
  const countingFetch: typeof fetch = (input, init) => {
    if (String(input instanceof Request ? input.url : input).endsWith('/responses')) sent++;
    return globalThis.fetch(input, init);
  };
  const h = await openEngine(s, data.path, {
    fetch: countingFetch,
    log: {
      info() {},
      warn() {},
      error: (message) => {
        if (message === 'could not write to the output folder') sentAtFailure ??= sent;
      },
    },
    tuning: { backoffBaseMs: 40, backoffMaxMs: 400, initialConcurrency: 2 },
  });
  cleanups.push(() => h.engine.dispose());
  const before = s.stack.api.requests.length;
  const id = await h.engine.createJob({ paths: [photos.path], preset: 'describe', model: MODEL, detail: 'low', outputDir: out, concurrencyCap: 2 });

  await waitForJob(h.engine, id, (j) => j.counts.done >= 2);
  // The folder goes away and a file takes its name.
  await rename(out, `${out}.away`);
  await writeFile(out, 'not a folder');
  broken = true;

  const stopped = await waitForJob(h.engine, id, isSettled);
  expect(broken).toBe(true);
  expect(stopped.status).toBe('stopped');
  expect(stopped.stopReason?.code).toBe('output_unwritable');
  expect(sentAtFailure).toBeDefined();
  // Nothing went out after the first refused write (checked again below, once the resume that follows has stopped too).
  expect(sent).toBe(sentAtFailure);
  // The answers that could not be written are still counted as answered (they are in the journal).
  const answeredBeforeResume = stopped.counts.done;
  expect(answeredBeforeResume).toBeGreaterThan(2);
  expect(answeredBeforeResume).toBeLessThan(PHOTOS);

  // Resuming while the folder still refuses sends nothing either; nor did anything go out between the stop and here.
  await h.engine.resume(id);
  const again = await waitForJob(h.engine, id, (j) => j.status === 'stopped' && isSettled(j));
  expect(again.stopReason?.code).toBe('output_unwritable');
  expect(sent).toBe(sentAtFailure);

  // The folder comes back; resume writes the kept answers and finishes the rest.
  await rm(out);
  await rename(`${out}.away`, out);
  await h.engine.resume(id);
  const job = await waitForJob(h.engine, id, (j) => j.status === 'done' && isSettled(j));
  expect(job.counts).toMatchObject({ done: PHOTOS, failed: 0, unparsed: 0 });

  // Every photo answered exactly once: zero answers requested twice.
  const answered = new Map<number, number>();
  for (const r of responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before)) {
    if (r.status === 200) answered.set(imageWidth(r)!, (answered.get(imageWidth(r)!) ?? 0) + 1);
  }
  expect([...answered.values()]).toEqual(Array(PHOTOS).fill(1));
  expect(sent).toBe(PHOTOS);

  // One valid result file and one CSV row per photo.
  const files = await resultFiles(out);
  expect(files).toHaveLength(PHOTOS);
  const docs = await Promise.all(files.map((f) => readJson<Record<string, any>>(join(out, f))));
  expect(new Set(docs.map((d) => d.source.path))).toEqual(new Set(paths));
  for (const doc of docs) expect(doc.status).toBe('ok');
  const rows = parseCsv(await readFile(join(out, 'results.csv'), 'utf8'));
  expect(
    rows
      .slice(1)
      .map((r) => r[1])
      .sort(),
  ).toEqual([...paths].sort());
  expect((await readJson<Record<string, any>>(join(out, 'summary.json'))).counts.done).toBe(PHOTOS);
}, 60_000);

it('answers kept after a refused write survive a restart and are written out, not requested again', async () => {
  const photos = await tempDir('loupe-fault-photos-');
  const parent = await tempDir('loupe-fault-out-');
  const data = await tempDir('loupe-fault-data-');
  cleanups.push(photos.remove, parent.remove, data.remove);
  const out = join(parent.path, 'results');
  await makePhotos(photos.path, 6, { baseWidth: 500 });
  const before = s.stack.api.requests.length;

  const first = await openEngine(s, data.path, { tuning: { backoffBaseMs: 40, backoffMaxMs: 400, initialConcurrency: 2 } });
  const id = await first.engine.createJob({
    paths: [photos.path],
    preset: 'describe',
    model: MODEL,
    detail: 'low',
    outputDir: out,
    concurrencyCap: 2,
  });
  await waitForJob(first.engine, id, (j) => j.counts.done >= 1);
  await rename(out, `${out}.away`);
  await writeFile(out, 'not a folder');
  const stopped = await waitForJob(first.engine, id, isSettled);
  expect(stopped.status).toBe('stopped');
  await first.engine.dispose();

  await rm(out);
  await rename(`${out}.away`, out);
  const written = (await resultFiles(out)).length;
  expect(written).toBeLessThan(stopped.counts.done);

  const second = await openEngine(s, data.path);
  cleanups.push(() => second.engine.dispose());
  await second.engine.resume(id);
  const job = await waitForJob(second.engine, id, (j) => j.status === 'done' && isSettled(j));
  expect(job.counts.done).toBe(6);
  const answered = new Map<number, number>();
  for (const r of responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before)) {
    if (r.status === 200) answered.set(imageWidth(r)!, (answered.get(imageWidth(r)!) ?? 0) + 1);
  }
  expect([...answered.values()]).toEqual(Array(6).fill(1));
  expect(await resultFiles(out)).toHaveLength(6);
  expect(parseCsv(await readFile(join(out, 'results.csv'), 'utf8'))).toHaveLength(7);
}, 60_000);
