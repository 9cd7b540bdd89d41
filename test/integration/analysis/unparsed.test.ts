/**
 * Unparsed is not done: an answer that does not match the schema is counted
 * as unparsed in the job's counts, the CSV status column, summary.json and
 * the end notification, its raw text stays, and only "Retry unparsed" asks
 * again — for those photos alone.
 */
import { readFile } from 'node:fs/promises';
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
let s: SignedIn;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  s = await signedInStandIns({ latencyMs: 20 });
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  s.stack.api.faults.reset();
});
afterAll(async () => {
  await s.close();
});

it('an answer off the schema counts as unparsed everywhere; retry unparsed asks again for it alone', async () => {
  const photos = await tempDir('loupe-unparsed-photos-');
  const out = await tempDir('loupe-unparsed-out-');
  const data = await tempDir('loupe-unparsed-data-');
  cleanups.push(photos.remove, out.remove, data.remove);
  await makePhotos(photos.path, 4);
  s.stack.api.faults.next({ type: 'schema_mismatch_answer' });
  const h = await openEngine(s, data.path, { tuning: { backoffBaseMs: 40, backoffMaxMs: 400, initialConcurrency: 1 } });
  cleanups.push(() => h.engine.dispose());
  const before = s.stack.api.requests.length;
  const id = await h.engine.createJob({
    paths: [photos.path],
    preset: 'damage',
    model: MODEL,
    detail: 'low',
    outputDir: out.path,
    concurrencyCap: 1,
  });
  const job = await waitForJob(h.engine, id, (j) => j.status === 'done' && isSettled(j));

  expect(job.counts).toMatchObject({ total: 4, done: 3, unparsed: 1, failed: 0 });
  expect(h.notifications.at(-1)!.body).toMatch(/: 3 analysed, 1 unreadable answer\.$/);
  const item = (await h.engine.items(id, 0, 10_000))!.items.find((i) => i.parseError)!;
  expect(item.rawText).toBeTruthy();
  const rows = parseCsv(await readFile(join(out.path, 'results.csv'), 'utf8'));
  const status = rows[0]!.indexOf('status');
  expect(
    rows
      .slice(1)
      .map((r) => r[status])
      .sort(),
  ).toEqual(['done', 'done', 'done', 'unparsed']);
  const summary = await readJson<Record<string, any>>(join(out.path, 'summary.json'));
  expect(summary.counts).toMatchObject({ done: 3, unparsed: 1 });
  expect(summary.items.filter((i: { status: string }) => i.status === 'unparsed')).toHaveLength(1);
  expect((await readJson<Record<string, any>>(join(out.path, item.outputFile!))).raw_text).toBe(item.rawText);
  const unparsedWidth = imageWidth(
    responsesRequests(s.stack)
      .filter((r) => s.stack.api.requests.indexOf(r) >= before)
      .find((r) => r.fault === 'schema_mismatch_answer')!,
  );

  // Nothing is asked again by itself: four requests now, and (below) exactly one more once the retry has finished.
  const sinceStart = () => responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
  expect(sinceStart()).toHaveLength(4);

  const mark = s.stack.api.requests.length;
  await h.engine.retryUnparsed(id);
  const again = await waitForJob(h.engine, id, (j) => j.status === 'done' && isSettled(j) && j.counts.unparsed === 0);
  expect(again.counts).toMatchObject({ done: 4, unparsed: 0 });
  const retried = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= mark);
  expect(retried.map(imageWidth)).toEqual([unparsedWidth]);
  expect(sinceStart()).toHaveLength(5);
  // Both answers were paid for: the tokens keep the first one too.
  expect(again.tokens.input).toBeGreaterThan(job.tokens.input);
  // Still one file and one row per photo, the retried one now "done".
  expect(await resultFiles(out.path)).toHaveLength(4);
  const after = parseCsv(await readFile(join(out.path, 'results.csv'), 'utf8'));
  expect(after.slice(1).map((r) => r[status])).toEqual(['done', 'done', 'done', 'done']);
  expect((await readJson<Record<string, any>>(join(out.path, item.outputFile!))).status).toBe('ok');
});
