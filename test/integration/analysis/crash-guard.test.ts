/**
 * The crash-loop guard: a job that was running when Loupe ended abnormally
 * waits, paused, with a notice, instead of starting by itself (if it is what
 * crashed Loupe, it would crash it at every start). A clean end (dispose)
 * still resumes by itself. The abnormal end is made here by leaving the
 * "Loupe is open" mark a crash would leave; crash.test.ts does it for real
 * with SIGKILL.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type SignedIn, makePhotos, openEngine, responsesRequests, signedInStandIns, tempDir, waitForJob } from '../../support/analysis-fixture';

const MODEL = 'gpt-6.1-sol';
let s: SignedIn;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  s = await signedInStandIns({ latencyMs: 200 });
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(async () => {
  await s.close();
});

async function runningJobLeftBehind(): Promise<{ data: string; id: string }> {
  const photos = await tempDir('loupe-guard-photos-');
  const out = await tempDir('loupe-guard-out-');
  const data = await tempDir('loupe-guard-data-');
  cleanups.push(photos.remove, out.remove, data.remove);
  await makePhotos(photos.path, 6);
  const h = await openEngine(s, data.path);
  const id = await h.engine.createJob({
    paths: [photos.path],
    preset: 'describe',
    model: MODEL,
    detail: 'low',
    outputDir: out.path,
    concurrencyCap: 1,
  });
  await waitForJob(h.engine, id, (j) => j.counts.done >= 1);
  await h.engine.dispose();
  return { data: data.path, id };
}

it('after a clean quit, a running job resumes by itself', async () => {
  const { data, id } = await runningJobLeftBehind();
  const h = await openEngine(s, data);
  cleanups.push(() => h.engine.dispose());
  expect(h.engine.notices).toEqual([]);
  expect(h.engine.jobs().find((j) => j.id === id)!.status).toBe('running');
  expect((await waitForJob(h.engine, id, (j) => j.status === 'done')).counts.done).toBe(6);
});

it('after an abnormal end, the job waits paused with a notice and sends nothing until resumed', async () => {
  const { data, id } = await runningJobLeftBehind();
  await writeFile(join(data, 'jobs', 'open.marker'), '12345');
  const before = s.stack.api.requests.length;
  const h = await openEngine(s, data);
  cleanups.push(() => h.engine.dispose());
  const job = h.engine.jobs().find((j) => j.id === id)!;
  expect(job.status).toBe('paused');
  expect(job.stopReason).toEqual({ code: 'interrupted', message: 'Loupe stopped unexpectedly while analysing. Resume?' });
  expect(h.engine.notices.map((n) => n.message)).toEqual(['Loupe stopped unexpectedly while analysing. Resume?']);

  // Paused is remembered: a clean restart before the person decides keeps it paused, without a new notice.
  // Disposing waits for any run to end, so after it nothing more can go out: nothing did.
  await h.engine.dispose();
  expect(responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before)).toHaveLength(0);
  const again = await openEngine(s, data);
  cleanups.push(() => again.engine.dispose());
  expect(again.engine.jobs().find((j) => j.id === id)!.status).toBe('paused');
  expect(again.engine.notices).toEqual([]);

  await again.engine.resume(id);
  expect((await waitForJob(again.engine, id, (j) => j.status === 'done')).counts.done).toBe(6);
});
