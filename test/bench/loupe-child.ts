/**
 * Loupe's side of the benchmark, in a process of its own so its memory is
 * measured without the stand-in servers' (which run in the parent):
 *
 *   node --import tsx test/bench/loupe-child.ts <config.json>
 *
 * Runs one job over the benchmark folder and prints one JSON line with wall
 * time, counts, bytes put on the wire and peak memory.
 */
import { readFileSync } from 'node:fs';
import { AnalysisEngine } from '../../electron/core/analysis/runs/engine';
import { realClock } from '../support/real-clock';
import { LoupeError } from '../../electron/core/kernel/errors';
import { nodeProcessMemory } from '../../electron/shell/process-memory';

interface Config {
  dataDir: string;
  apiBase: string;
  token: string;
  /** The photos (files), or a folder of them. */
  paths?: string[];
  photosDir: string;
  detail?: 'low' | 'high' | 'auto';
  accountKind?: 'chatgpt' | 'apiKey';
  outputDir: string;
  model: string;
  concurrencyCap?: number;
}

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Config;

/** Peak resident set size so far, from the kernel (Linux), else from sampling. */
function vmHwmBytes(): number | null {
  try {
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

let sampledPeak = process.memoryUsage().rss;
const peaks = { heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  sampledPeak = Math.max(sampledPeak, m.rss);
  for (const k of Object.keys(peaks) as Array<keyof typeof peaks>) peaks[k] = Math.max(peaks[k], m[k]);
}, 100);
const rssAtStart = process.memoryUsage().rss;

let uploaded = 0;
let firstSendAt = 0;
let lastSendAt = 0;
const countingFetch: typeof fetch = (input, init) => {
  if (init?.method === 'POST') {
    lastSendAt = performance.now();
    firstSendAt ||= lastSendAt;
  }
  const body = init?.body;
  if (typeof body === 'string') uploaded += Buffer.byteLength(body);
  else if (body instanceof Uint8Array) uploaded += body.byteLength;
  return fetch(input, init);
};

let maxConcurrency = 0;
const VIEW_EVERY_MS = 200;
let lastViewAt = 0;
let engine: AnalysisEngine | undefined;
let jobId: string | undefined;
let resolveDone!: () => void;
const done = new Promise<void>((resolve) => (resolveDone = resolve));

// eslint-disable-next-line prefer-const -- the engine's onChange reads `engine` while it is still being opened
engine = await AnalysisEngine.open({
  dataDir: config.dataDir,
  fetch: countingFetch,
  account: () => ({
    apiBase: new URL(config.apiBase),
    kind: config.accountKind ?? 'chatgpt',
    session: {
      accessToken: async () => config.token,
      afterUnauthorized: async () => {
        throw new LoupeError('unauthorized', 'The benchmark token was refused.');
      },
    },
  }),
  clock: realClock,
  // The same process-wide memory settings as the app (electron/shell/process-memory.ts).
  processMemory: nodeProcessMemory(),
  log: {
    info() {},
    warn: (m, f) => process.stderr.write(`warn ${m} ${JSON.stringify(f)}\n`),
    error: (m, f) => process.stderr.write(`error ${m} ${JSON.stringify(f)}\n`),
  },
  notify() {},
  // LOUPE_BENCH_TUNING='{"prepareParallel":3}' tries other engine settings.
  ...(process.env.LOUPE_BENCH_TUNING ? { tuning: JSON.parse(process.env.LOUPE_BENCH_TUNING) as Record<string, unknown> } : {}),
  // The window sees the job list as the core's state store publishes it, at most every 200 ms
  // (kernel/state-store.ts); the end of the job is noticed at once from the record's status.
  onChange() {
    if (!jobId || !engine) return;
    const ended = ['done', 'failed', 'stopped', 'cancelled'].includes(engine.recordOf(jobId)?.status ?? '');
    const now = performance.now();
    if (!ended && now - lastViewAt < VIEW_EVERY_MS) return;
    lastViewAt = now;
    const job = engine.jobs().find((j) => j.id === jobId);
    if (!job) return;
    maxConcurrency = Math.max(maxConcurrency, job.concurrency);
    if (['done', 'failed', 'stopped', 'cancelled'].includes(job.status) && job.counts.inFlight === 0) resolveDone();
  },
});

const started = performance.now();
const cpuAtStart = process.cpuUsage();
jobId = await engine.createJob({
  paths: config.paths ?? [config.photosDir],
  preset: 'describe',
  model: config.model,
  detail: config.detail ?? 'auto',
  outputDir: config.outputDir,
  ...(config.concurrencyCap ? { concurrencyCap: config.concurrencyCap } : {}),
});
await done;
const wallMs = performance.now() - started;
const job = engine.jobs().find((j) => j.id === jobId)!;
await engine.dispose();
clearInterval(sampler);
process.stdout.write(
  `${JSON.stringify({
    wallMs,
    status: job.status,
    counts: job.counts,
    uploadedBytes: uploaded,
    peakRssBytes: vmHwmBytes() ?? sampledPeak,
    sampledPeakRssBytes: sampledPeak,
    rssAtStartBytes: rssAtStart,
    maxConcurrency,
    firstSendMs: firstSendAt - started,
    lastSendMs: lastSendAt - started,
    cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    jobCpuMs: ((u) => (u.user + u.system) / 1000)(process.cpuUsage(cpuAtStart)),
    memoryPeaksMb: Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, Math.round(v / 1048576)])),
    stopReason: job.stopReason ?? null,
  })}\n`,
);
process.exit(0);
