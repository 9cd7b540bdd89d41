/**
 * Loupe's side of the scale benchmark (scale.ts), in a process of its own so
 * its memory, event loop and writes are its own:
 *
 *   node --import tsx test/bench/scale-child.ts <config.json>
 *
 *   node --import tsx test/bench/scale-child.ts <config.json> restart
 *
 * The first runs one job over the generated photos with an "open results
 * panel" (the job list and the newest page of items pulled on every change,
 * as the window does). The second is Loupe started again, in a fresh process
 * as after a quit, with several large jobs on disk (copies the parent made):
 * it opens, resumes the paused one and reads its first page. Each prints one
 * JSON line of measurements, its own peak memory among them.
 *
 * Bytes written are counted at the file-system calls (FileHandle writes and
 * the sync writes), so uploads to the API are not among them.
 */
import { systemClock } from '../../electron/core/kernel/deps';
import fs, { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import { nodeProcessMemory } from '../../electron/shell/process-memory';

interface Config {
  dataDir: string;
  apiBase: string;
  token: string;
  photosDir: string;
  outputDir: string;
  model: string;
  /** Restart mode: the paused job to resume. */
  pausedId?: string;
}
const restartMode = process.argv[3] === 'restart';
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

const { AnalysisEngine } = await import('../../electron/core/analysis/runs/engine');
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
const traceFile = process.env.LOUPE_SCALE_TRACE;
let ticks = 0;
let traceDone = (): number => 0;
/** The largest of each memoryUsage() field seen: whether a peak is JS heap (V8) or outside it (sharp/libvips, allocator). */
const peaks: Record<string, number> = {};
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  sampledPeak = Math.max(sampledPeak, usage.rss);
  for (const [k, v] of Object.entries(usage)) peaks[k] = Math.max(peaks[k] ?? 0, v);
  // LOUPE_SCALE_TRACE=<file>: one line per second of memory, to see when a peak happens.
  if (traceFile && ++ticks % 10 === 0)
    fs.appendFileSync(
      traceFile,
      `${Math.round(performance.now())} ${traceDone()} ${(['rss', 'heapTotal', 'heapUsed', 'external'] as const).map((k) => Math.round(usage[k] / 1048576)).join(' ')}\n`,
    );
}, 100);

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
  // The same process-wide memory settings as the app (electron/shell/process-memory.ts).
  processMemory: nodeProcessMemory(),
  log: {
    info() {},
    warn: (m: string, f?: unknown) => void process.stderr.write(`warn ${m} ${JSON.stringify(f)}\n`),
    error: (m: string, f?: unknown) => void process.stderr.write(`error ${m} ${JSON.stringify(f)}\n`),
  },
  notify() {},
  onChange,
});

// ---- restart: Loupe opened again with several large jobs on disk --------------
if (restartMode) {
  // The longest the main thread was held while Loupe opened, resumed the large job and read its first page.
  const restartLoop = monitorEventLoopDelay({ resolution: 10 });
  restartLoop.enable();
  const t0 = performance.now();
  const again = await AnalysisEngine.open(deps(() => {}));
  const openedMs = performance.now() - t0;
  await again.resume(config.pausedId!);
  const resumedMs = performance.now() - t0;
  const page = await again.items(config.pausedId!, 0, 100);
  const firstPageMs = performance.now() - t0;
  const jobsOnDisk = again.jobs().length;
  restartLoop.disable();
  const loopMaxMs = restartLoop.max / 1e6;
  await again.dispose();
  clearInterval(sampler);
  process.stdout.write(
    `${JSON.stringify({ openedMs, resumedMs, firstPageMs, loopMaxMs, pageItems: page?.items.length ?? 0, jobsOnDisk, peakRssBytes: vmHwmBytes() ?? sampledPeak })}\n`,
  );
  process.exit(0);
}

// ---- the job, with an open results panel ------------------------------------
let jobId: string | undefined;
let panelTimer: ReturnType<typeof setTimeout> | undefined;
let midSnapshot = false;
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
      traceDone = () => finished;
      void engine.items(job.id, Math.max(0, finished - 100), 100);
      while (deciles.length < 10 && finished >= Math.ceil(((deciles.length + 1) * total) / 10)) deciles.push(performance.now());
      // LOUPE_SCALE_HEAP_MID=<file>: a heap snapshot half-way through the job, to see what a running job holds.
      if (deciles.length === 5 && process.env.LOUPE_SCALE_HEAP_MID && !midSnapshot) {
        midSnapshot = true;
        v8.writeHeapSnapshot(process.env.LOUPE_SCALE_HEAP_MID);
      }
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
clearInterval(sampler);
// Where the memory is at the end of the job: the JS heap (retained objects) or outside it (sharp/libvips, allocator).
const memoryAtEnd = Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1048576)]));

const rate = (from: number, to: number) => total / 10 / ((to - from) / 1000);
const decileRates = deciles.map((t, i) => rate(i === 0 ? started : deciles[i - 1]!, t));
process.stdout.write(
  `${JSON.stringify({
    jobId,
    photos: total,
    wallMs,
    status: job.status,
    counts: job.counts,
    writtenBytes: writtenDuringJob,
    writtenByKind: writtenByKindDuringJob,
    decileRates,
    loopP99Ms: loop.percentile(99) / 1e6,
    loopMaxMs: loop.max / 1e6,
    peakRssBytes: vmHwmBytes() ?? sampledPeak,
    memoryAtEnd,
    memoryPeaks: Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, Math.round(v / 1048576)])),
  })}\n`,
);
process.exit(0);
