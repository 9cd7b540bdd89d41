/**
 * Loupe's side of the scale benchmark (scale.ts), in a process of its own so
 * its memory, event loop and writes are its own:
 *
 *   node --import tsx test/bench/scale-child.ts <config.json>
 *
 * Runs one job over the generated photos with an "open results panel" (the
 * job list and the newest page of items pulled on every change, as the
 * window does), then restarts the engine with several large jobs on disk and
 * resumes one. Prints one JSON line of measurements.
 *
 * Bytes written are counted at the file-system calls (FileHandle writes and
 * the sync writes), so uploads to the API are not among them.
 */
import { systemClock } from '../../electron/core/kernel/deps';
import fs, { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

interface Config {
  dataDir: string;
  apiBase: string;
  token: string;
  photosDir: string;
  outputDir: string;
  model: string;
}
const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Config;

// ---- count every byte written to files ------------------------------------
let written = 0;
/** Bytes written by kind of file, to see where they go. */
const byKind: Record<string, number> = {};
const kindOf = (path: string): string =>
  /journal/.test(path)
    ? 'journal'
    : /summary\.json/.test(path)
      ? 'summary'
      : /results\.csv/.test(path)
        ? 'csv'
        : /[\\/]jobs[\\/]/.test(path)
          ? 'snapshot'
          : 'result files';
const pathOf = new WeakMap<object, string>();
const note = (handle: object, n: number) => {
  const kind = kindOf(pathOf.get(handle) ?? '?');
  byKind[kind] = (byKind[kind] ?? 0) + n;
};
const size = (data: unknown): number => (typeof data === 'string' ? Buffer.byteLength(data) : ArrayBuffer.isView(data) ? data.byteLength : 0);
{
  const probe = await open(join(config.dataDir, '.probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { write: (...a: unknown[]) => Promise<unknown>; writeFile: (...a: unknown[]) => Promise<unknown> };
  await probe.close();
  fs.rmSync(join(config.dataDir, '.probe'));
  const write = proto.write;
  proto.write = function (this: object, data: unknown, ...rest: unknown[]) {
    written += size(data);
    note(this, size(data));
    return write.call(this, data, ...rest);
  };
  const writeFile = proto.writeFile;
  proto.writeFile = function (this: object, data: unknown, ...rest: unknown[]) {
    written += size(data);
    note(this, size(data));
    return writeFile.call(this, data, ...rest);
  };
  const writeSync = fs.writeSync;
  (fs as { writeSync: unknown }).writeSync = (fd: number, data: unknown, ...rest: unknown[]) => {
    written += size(data);
    return (writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
  };
  const writeFileSyncOrig = fs.writeFileSync;
  (fs as { writeFileSync: unknown }).writeFileSync = (path: unknown, data: unknown, ...rest: unknown[]) => {
    written += size(data);
    return (writeFileSyncOrig as (...a: unknown[]) => void)(path, data, ...rest);
  };
  const openOrig = fs.promises.open;
  (fs.promises as { open: unknown }).open = async (path: unknown, ...rest: unknown[]) => {
    const handle = await (openOrig as (...a: unknown[]) => Promise<object>)(path, ...rest);
    pathOf.set(handle, String(path));
    return handle;
  };
  syncBuiltinESMExports();
}

const { AnalysisEngine } = await import('../../electron/core/analysis/run/engine');
const { LoupeError } = await import('../../electron/core/kernel/errors');

function vmHwmBytes(): number | null {
  try {
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
let sampledPeak = process.memoryUsage().rss;
const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss)), 100);

const deps = (onChange: () => void) => ({
  dataDir: config.dataDir,
  fetch: globalThis.fetch,
  account: () => ({
    apiBase: new URL(config.apiBase),
    kind: 'chatgpt' as const,
    session: {
      accessToken: async () => config.token,
      afterUnauthorized: async (): Promise<string> => {
        throw new LoupeError('unauthorized', 'The benchmark token was refused.');
      },
    },
  }),
  clock: systemClock,
  log: {
    info() {},
    warn: (m: string, f?: unknown) => void process.stderr.write(`warn ${m} ${JSON.stringify(f)}\n`),
    error: (m: string, f?: unknown) => void process.stderr.write(`error ${m} ${JSON.stringify(f)}\n`),
  },
  notify() {},
  onChange,
});

// ---- the job, with an open results panel ------------------------------------
let jobId: string | undefined;
let panelTimer: ReturnType<typeof setTimeout> | undefined;
let resolveDone!: () => void;
const done = new Promise<void>((r) => (resolveDone = r));
const deciles: number[] = [];
let total = 0;
const engine = await AnalysisEngine.open(
  deps(() => {
    // The core publishes at most every 200 ms; the window then pulls the job list and its visible page.
    panelTimer ??= setTimeout(() => {
      panelTimer = undefined;
      const job = jobId ? engine.jobs().find((j) => j.id === jobId) : undefined;
      if (!job) return;
      const finished = job.counts.done + job.counts.failed + job.counts.unparsed;
      void engine.items(job.id, Math.max(0, finished - 100), 100);
      while (deciles.length < 10 && finished >= Math.ceil(((deciles.length + 1) * total) / 10)) deciles.push(performance.now());
      if (['done', 'failed', 'stopped', 'cancelled'].includes(job.status) && job.counts.inFlight === 0) resolveDone();
    }, 200);
  }),
);

const loop = monitorEventLoopDelay({ resolution: 10 });
const started = performance.now();
jobId = await engine.createJob({
  paths: [config.photosDir],
  preset: 'describe',
  model: config.model,
  detail: 'low',
  outputDir: config.outputDir,
  concurrencyCap: 32,
});
total = engine.jobs().find((j) => j.id === jobId)!.counts.total;
loop.enable();
await done;
loop.disable();
const wallMs = performance.now() - started;
const job = engine.jobs().find((j) => j.id === jobId)!;
// LOUPE_SCALE_HEAP=<file>: a heap snapshot at the end of the job, to see what the job still holds.
if (process.env.LOUPE_SCALE_HEAP) (await import('node:v8')).writeHeapSnapshot(process.env.LOUPE_SCALE_HEAP);
await engine.dispose();
const writtenDuringJob = written;
const writtenByKindDuringJob = { ...byKind };
const peakRssJobBytes = vmHwmBytes() ?? sampledPeak;
// Where the memory is at the end of the job: the JS heap (retained objects) or outside it (sharp/libvips, allocator).
const memoryAtEnd = Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1048576)]));

// The guarantees at scale: one result file and one CSV row per photo.
const { parseCsv } = await import('../support/csv');
const resultFileCount = readdirSync(config.outputDir).filter((n) => n.endsWith('.json') && n !== 'summary.json' && !n.startsWith('.')).length;
const csvRows = parseCsv(readFileSync(join(config.outputDir, 'results.csv'), 'utf8')).length - 1;
let outputBytes = 0;
for (const name of readdirSync(config.outputDir)) outputBytes += statSync(join(config.outputDir, name)).size;

// ---- restart with several large jobs on disk, resume one --------------------
const jobsDir = join(config.dataDir, 'jobs');
// A job on disk is a header and its items file beside it (electron/core/analysis/run/job-files.ts).
type Header = { id: string; status: string; itemsFile: string; seq: number; finishedAt?: number; counts: Record<string, number> };
const header = JSON.parse(readFileSync(join(jobsDir, `${jobId}.json`), 'utf8')) as Header;
const itemsText = readFileSync(join(jobsDir, header.itemsFile), 'utf8');
const copyJob = (id: string, change: (h: Header) => void, items = itemsText) => {
  const copy: Header = { ...header, id, itemsFile: `${id}.items.${header.seq}.json` };
  change(copy);
  writeFileSync(join(jobsDir, copy.itemsFile), items);
  writeFileSync(join(jobsDir, `${id}.json`), JSON.stringify(copy));
};
for (const n of [1, 2]) copyJob(`${jobId}-copy${n}`, () => {});
// A paused one with its last tenth still to do.
const pausedId = `${jobId}-paused`;
const allItems = JSON.parse(itemsText) as Array<{ status: string }>;
const reopened = Math.floor(allItems.length * 0.1);
copyJob(
  pausedId,
  (h) => {
    h.status = 'paused';
    delete h.finishedAt;
    h.counts = { ...h.counts, done: h.counts.done! - reopened, pending: h.counts.pending! + reopened };
  },
  JSON.stringify(allItems.map((item, i) => (i >= allItems.length - reopened ? { ...item, status: 'pending' } : item))),
);
const paused = { id: pausedId };

const t0 = performance.now();
const again = await AnalysisEngine.open(deps(() => {}));
const openedMs = performance.now() - t0;
await again.resume(paused.id);
const resumedMs = performance.now() - t0;
const page = await again.items(paused.id, 0, 100);
const firstPageMs = performance.now() - t0;
await again.dispose();
clearInterval(sampler);

const rate = (from: number, to: number) => total / 10 / ((to - from) / 1000);
const decileRates = deciles.map((t, i) => rate(i === 0 ? started : deciles[i - 1]!, t));
process.stdout.write(
  `${JSON.stringify({
    photos: total,
    wallMs,
    status: job.status,
    counts: job.counts,
    resultFileCount,
    csvRows,
    writtenBytes: writtenDuringJob,
    writtenByKind: writtenByKindDuringJob,
    outputBytes,
    decileRates,
    loopP99Ms: loop.percentile(99) / 1e6,
    loopMaxMs: loop.max / 1e6,
    peakRssBytes: vmHwmBytes() ?? sampledPeak,
    peakRssJobBytes,
    memoryAtEnd,
    restart: { openedMs, resumedMs, firstPageMs, pageItems: page?.items.length ?? 0, jobsOnDisk: again.jobs().length },
  })}\n`,
);
process.exit(0);
