/**
 * Crash safety: the engine runs in a child process against stand-ins in this
 * one, is killed with SIGKILL mid-job (some photos recorded, some requests in
 * flight), and is started again. The job must wait, paused, for the person
 * (the crash-loop guard), then resume, leave exactly one valid result file
 * and one CSV row per photo, and never send a photo again once its result
 * was recorded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { JobStore } from '../../../electron/core/analysis/store/job-store';
import { parseCsv } from '../../support/csv';
import {
  type SignedIn,
  imageWidth,
  makePhotos,
  readJson,
  responsesRequests,
  resultFiles,
  signedInStandIns,
  tempDir,
} from '../../support/analysis-fixture';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const child = join(repo, 'test', 'support', 'analysis-child.ts');
const PHOTOS = 12;
const BASE_WIDTH = 300;

let s: SignedIn;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  s = await signedInStandIns({ latencyMs: 300 });
});
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
  await s.close();
});

function start(configPath: string): {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  waitFor(pred: (lines: string[]) => boolean, ms?: number): Promise<void>;
} {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, configPath], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  createInterface({ input: proc.stdout }).on('line', (line) => {
    lines.push(line);
    for (const l of listeners) l();
  });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    lines,
    exited,
    waitFor: (pred, ms = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pred(lines)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`child never got there; stdout: ${lines.join(' | ')}; stderr: ${stderr.slice(0, 2000)}`));
        }, ms);
        void exited.then(() => setTimeout(check, 10));
        listeners.add(check);
        check();
      }),
  };
}

it('resumes after SIGKILL: one result per photo, nothing recorded is sent again', async () => {
  const photos = await tempDir('loupe-crash-photos-');
  const out = await tempDir('loupe-crash-out-');
  const data = await tempDir('loupe-crash-data-');
  cleanups.push(photos.remove, out.remove, data.remove);
  const paths = await makePhotos(photos.path, PHOTOS, { baseWidth: BASE_WIDTH });
  const widthOf = new Map(paths.map((p, i) => [p, BASE_WIDTH + i]));
  const token = await s.session.accessToken();

  const createConfig = join(data.path, 'child-create.json');
  await writeFile(
    createConfig,
    JSON.stringify({
      dataDir: data.path,
      apiBase: s.stack.endpoints.apiBase,
      token,
      create: { paths: [photos.path], outputDir: out.path, model: 'gpt-6.1-sol', concurrencyCap: 4 },
    }),
  );
  const first = start(createConfig);
  cleanups.push(async () => void first.proc.kill('SIGKILL'));
  // Kill once a few photos are recorded while others are still on the wire.
  await first.waitFor((lines) => lines.filter((l) => l.startsWith('done ')).length >= 3 && s.stack.api.stats().inFlight > 0);
  const inFlightAtKill = s.stack.api.stats().inFlight;
  first.proc.kill('SIGKILL');
  expect(await first.exited).toBeNull();
  const killedAt = s.stack.api.requests.length;
  expect(inFlightAtKill).toBeGreaterThan(0);
  const reportedDone = first.lines.filter((l) => l.startsWith('done ')).map((l) => l.split(' ').slice(2).join(' '));
  expect(reportedDone.length).toBeGreaterThanOrEqual(3);
  expect(reportedDone.length).toBeLessThan(PHOTOS);

  // results.csv at the moment of death is valid CSV: whole rows only, each as wide as the header.
  const atKill = parseCsv(await readFile(join(out.path, 'results.csv'), 'utf8'));
  expect(atKill.length).toBeGreaterThanOrEqual(1);
  for (const row of atKill) expect(row).toHaveLength(atKill[0]!.length);

  // What the data folder says at the moment of death (snapshot + journal): every photo reported done is in it as done.
  const store = await JobStore.open(data.path, { info() {}, warn() {}, error() {} }, Date.now);
  const [{ record, loaded }] = (await store.loadAll()).jobs as [Awaited<ReturnType<JobStore['loadAll']>>['jobs'][number]];
  expect(record.status).toBe('running');
  const items = loaded ? record.items : await store.loadItems(record);
  const recorded = items.filter((i) => i.status === 'done').map((i) => i.path);
  for (const path of reportedDone) expect(recorded).toContain(path);

  const resumeConfig = join(data.path, 'child-resume.json');
  await writeFile(resumeConfig, JSON.stringify({ dataDir: data.path, apiBase: s.stack.endpoints.apiBase, token, resume: true }));
  const second = start(resumeConfig);
  cleanups.push(async () => void second.proc.kill('SIGKILL'));
  // Not resumed by itself: it was running when Loupe died, so it waits for the person.
  await second.waitFor((lines) => lines.some((l) => l.startsWith('opened ')));
  expect(second.lines.find((l) => l.startsWith('opened '))).toBe('opened paused interrupted');
  await second.waitFor((lines) => lines.some((l) => l.startsWith('finished ')));
  expect(second.lines).toContain('finished done');
  expect(await second.exited).toBe(0);

  // Nothing recorded before the kill went out again.
  const after = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= killedAt);
  const resent = new Set(after.map(imageWidth));
  for (const path of recorded) expect(resent.has(widthOf.get(path))).toBe(false);
  // Every photo was answered at least once, and each recorded one exactly once.
  const answered = new Map<number, number>();
  for (const r of responsesRequests(s.stack)) if (r.status === 200) answered.set(imageWidth(r)!, (answered.get(imageWidth(r)!) ?? 0) + 1);
  for (const path of paths) expect(answered.get(widthOf.get(path)!)).toBeGreaterThanOrEqual(1);
  for (const path of recorded) expect(answered.get(widthOf.get(path)!)).toBe(1);

  // Exactly one valid result file per photo, and no temp files left behind.
  const files = await resultFiles(out.path);
  expect(files).toHaveLength(PHOTOS);
  const docs = await Promise.all(files.map((f) => readJson<Record<string, any>>(join(out.path, f))));
  expect(new Set(docs.map((d) => d.source.path))).toEqual(new Set(paths));
  for (const doc of docs) expect(doc.status).toBe('ok');
  expect((await readdir(out.path)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  const summary = await readJson<Record<string, any>>(join(out.path, 'summary.json'));
  expect(summary.status).toBe('done');
  expect(summary.counts.done).toBe(PHOTOS);
  // One CSV row per photo: a row appended just before the kill is not there twice.
  const rows = parseCsv(await readFile(join(out.path, 'results.csv'), 'utf8'));
  expect(
    rows
      .slice(1)
      .map((r) => r[1])
      .sort(),
  ).toEqual([...paths].sort());
}, 60_000);
