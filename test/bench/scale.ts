/**
 * `npm run bench -- --scale`: a large job costs what it produces. 10,000
 * small generated photos (cached in .cache/scale-images/; LOUPE_SCALE_N
 * changes the count) against the stand-in API at full speed (no latency, no
 * rate limit), with a simulated open results panel. Loupe runs in a child
 * process (scale-child.ts). Never part of `npm test`; speed is judged here,
 * never in tests.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { jsonArrayChunks } from '../../electron/core/analysis/files/json-slices';
import { startStandIns } from '../servers/stack';
import { signInPlanSession } from '../support/plan-session';
import { parseCsv } from '../support/csv';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const N = Number(process.env.LOUPE_SCALE_N ?? 10_000);
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const check = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');

/** N distinct 64×48 noise JPEGs (distinct content, so none is a duplicate of another). */
async function ensurePhotos(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const have = (await readdir(dir)).filter((n) => n.endsWith('.jpg')).length;
  if (have === N) return;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  log(`generating ${N} photos in ${dir} …`);
  for (let start = 0; start < N; start += 64) {
    await Promise.all(
      Array.from({ length: Math.min(64, N - start) }, (_, k) =>
        sharp(randomBytes(64 * 48 * 3), { raw: { width: 64, height: 48, channels: 3 } })
          .jpeg({ quality: 80 })
          .toFile(join(dir, `photo-${String(start + k + 1).padStart(6, '0')}.jpg`)),
      ),
    );
  }
}

export async function runScale(): Promise<void> {
  const photosDir = join(repo, '.cache', 'scale-images', String(N));
  await ensurePhotos(photosDir);
  const stack = await startStandIns({ api: { latencyMs: 0 } });
  const work = await mkdtemp(join(tmpdir(), 'loupe-scale-'));
  try {
    const token = await (await signInPlanSession(stack)).accessToken();
    const config = join(work, 'config.json');
    await mkdir(join(work, 'data'), { recursive: true });
    await writeFile(
      config,
      JSON.stringify({
        dataDir: join(work, 'data'),
        apiBase: stack.endpoints.apiBase,
        token,
        photosDir,
        outputDir: join(work, 'out'),
        model: 'gpt-6.1-sol',
      }),
    );
    log(`Loupe, ${N} photos at full speed, results panel open …`);
    const job = JSON.parse(await child(config, 'job')) as {
      jobId: string;
      photos: number;
      wallMs: number;
      status: string;
      counts: Record<string, number>;
      writtenBytes: number;
      writtenByKind: Record<string, number>;
      decileRates: number[];
      loopP99Ms: number;
      loopMaxMs: number;
      peakRssBytes: number;
      memoryAtEnd: Record<string, number>;
      memoryPeaks: Record<string, number>;
    };
    // The guarantees at scale: one result file and one CSV row per photo.
    const outputDir = join(work, 'out');
    const names = await readdir(outputDir);
    const resultFileCount = names.filter((n) => n.endsWith('.json') && n !== 'summary.json' && !n.startsWith('.')).length;
    const csvRows = parseCsv(await readFile(join(outputDir, 'results.csv'), 'utf8')).length - 1;
    let outputBytes = 0;
    for (const name of names) outputBytes += (await stat(join(outputDir, name))).size;

    // Loupe started again (a fresh process, as after a quit) with several large jobs on disk: this one, two copies and a paused one.
    const pausedId = await copyJobs(join(work, 'data', 'jobs'), job.jobId);
    log('Loupe started again with 4 large jobs on disk …');
    const restart = JSON.parse(await child(join(work, 'config-restart.json'), 'restart', { pausedId })) as {
      openedMs: number;
      resumedMs: number;
      firstPageMs: number;
      loopMaxMs: number;
      pageItems: number;
      jobsOnDisk: number;
      peakRssBytes: number;
    };
    const r = {
      ...job,
      resultFileCount,
      csvRows,
      outputBytes,
      restart,
      peakRssJobBytes: job.peakRssBytes,
      peakRssBytes: Math.max(job.peakRssBytes, restart.peakRssBytes),
    };

    /** Runs scale-child.ts in `mode` and returns its last line (its measurements). */
    async function child(path: string, mode: 'job' | 'restart', extra: Record<string, unknown> = {}): Promise<string> {
      if (mode === 'restart') await writeFile(path, JSON.stringify({ ...JSON.parse(await readFile(config, 'utf8')), ...extra }));
      // LOUPE_SCALE_PROF=<dir>: a CPU profile of each phase (node --cpu-prof).
      const prof = process.env.LOUPE_SCALE_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.LOUPE_SCALE_PROF] : [];
      const proc = spawn(process.execPath, [...prof, '--import', 'tsx', join(repo, 'test', 'bench', 'scale-child.ts'), path, mode], {
        cwd: repo,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
      if (code !== 0) throw new Error(`scale child (${mode}) exited with ${code}: ${out}`);
      return out.trim().split('\n').at(-1)!;
    }
    const ratio = r.writtenBytes / r.outputBytes;
    const second = r.decileRates[1] ?? 0;
    const last = r.decileRates[9] ?? 0;
    const peak = r.peakRssBytes / 1024 / 1024;
    log('');
    log('Results (the machine may be shared: times are indicative)');
    log(
      `  job                      ${r.status}: ${r.counts.done} done, ${r.counts.failed} failed, ${r.counts.unparsed} unparsed in ${(r.wallMs / 1000).toFixed(1)} s`,
    );
    log(
      `  files / CSV rows         ${r.resultFileCount} / ${r.csvRows} for ${r.photos} photos    goal = photos     ${check(r.resultFileCount === r.photos && r.csvRows === r.photos)}`,
    );
    log(`  bytes written / output   ${mb(r.writtenBytes)} / ${mb(r.outputBytes)} = ${ratio.toFixed(2)}    goal ≤ 3          ${check(ratio <= 3)}`);
    log(
      `    (written: ${Object.entries(r.writtenByKind)
        .map(([k, v]) => `${k} ${mb(v)}`)
        .join(', ')})`,
    );
    log(`  throughput by decile     ${r.decileRates.map((x) => x.toFixed(0)).join(' ')} photos/s`);
    log(`  last ÷ second tenth      ${(last / second).toFixed(2)}                 goal ≥ 0.9        ${check(last >= 0.9 * second)}`);
    log(
      `  event-loop delay         p99 ${r.loopP99Ms.toFixed(0)} ms, max ${r.loopMaxMs.toFixed(0)} ms   goal p99 ≤ 50, max ≤ 200 ms  ${check(r.loopP99Ms <= 50 && r.loopMaxMs <= 200)}`,
    );
    log(
      `  peak RSS (VmHWM)         ${peak.toFixed(0)} MB (job ${mb(r.peakRssJobBytes)}, restart ${mb(r.restart.peakRssBytes)})   goal < 400 MB     ${check(peak < 400)}`,
    );
    log(
      `    (at the end of the job, MB: ${Object.entries(r.memoryAtEnd)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    );
    log(
      `    (largest seen during the job, MB: ${Object.entries(r.memoryPeaks)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    );
    log(
      `  restart (${r.restart.jobsOnDisk} jobs on disk)  open ${r.restart.openedMs.toFixed(0)} ms, resume ${r.restart.resumedMs.toFixed(0)} ms, first page (${r.restart.pageItems} items) ${r.restart.firstPageMs.toFixed(0)} ms   goal ≪ 1 s (< 500 ms)  ${check(r.restart.firstPageMs < 500)}`,
    );
    log(`    (the main thread was held for at most ${r.restart.loopMaxMs.toFixed(0)} ms meanwhile)`);
  } finally {
    await stack.close();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Three more large jobs beside `jobId` in the data folder: two copies of it
 * and a paused one with its last tenth still to do. A job on disk is a header
 * and its items file (electron/core/analysis/store/job-files.ts). Returns the
 * paused job's id.
 */

/** The text of a chunked writer, whole. */
async function text(chunks: AsyncIterable<string>): Promise<string> {
  let all = '';
  for await (const chunk of chunks) all += chunk;
  return all;
}

async function copyJobs(jobsDir: string, jobId: string): Promise<string> {
  type Header = { id: string; status: string; itemsFile: string; seq: number; finishedAt?: number; counts: Record<string, number> };
  const header = JSON.parse(await readFile(join(jobsDir, `${jobId}.json`), 'utf8')) as Header;
  const itemsText = await readFile(join(jobsDir, header.itemsFile), 'utf8');
  const copyJob = async (id: string, change: (h: Header) => void, items: string) => {
    const copy: Header = { ...header, id, itemsFile: `${id}.items.${header.seq}.json` };
    change(copy);
    await writeFile(join(jobsDir, copy.itemsFile), items);
    await writeFile(join(jobsDir, `${id}.json`), JSON.stringify(copy));
  };
  for (const n of [1, 2]) await copyJob(`${jobId}-copy${n}`, () => {}, itemsText);
  const items = JSON.parse(itemsText) as Array<{ status: string }>;
  const reopened = Math.floor(items.length * 0.1);
  const pausedId = `${jobId}-paused`;
  await copyJob(
    pausedId,
    (h) => {
      h.status = 'paused';
      delete h.finishedAt;
      h.counts = { ...h.counts, done: h.counts.done! - reopened, pending: h.counts.pending! + reopened };
    },
    // Written as Loupe writes an items file (a slice per line), so the restart reads it as it would its own.
    await text(jsonArrayChunks(items.map((item, i) => (i >= items.length - reopened ? { ...item, status: 'pending' } : item)))),
  );
  return pausedId;
}
