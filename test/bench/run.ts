/**
 * `npm run bench`: Loupe against the stand-in API at a realistic rate limit,
 * next to what a simple script does. Never part of `npm test`.
 *
 * Setup: 200 generated 12-MP photos (cached in .cache/bench-images/), the
 * stand-in Responses API at 600 requests/min (burst 10) with 1.5 s per
 * answer, a ChatGPT-plan token from the stand-in authorization server (a
 * plain authorization-code sign-in, see test/support/plan-session.ts).
 *
 * Loupe runs in a child process, so its peak memory is its own; the
 * stand-ins run here. The baseline runs here too: one photo at a time, the
 * whole file base64-encoded, no resizing, on the first 30 photos, and is
 * extrapolated to 200.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { startStandIns } from '../servers/stack';
import { signInPlanSession } from '../support/plan-session';
import { ensureBenchImages } from './images';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const N = 200;
const RPM = 600;
const BURST = 10;
const LATENCY_MS = 1500;
const BASELINE_N = 30;
const MODEL = 'gpt-6.1-sol';

const log = (line: string): void => void process.stdout.write(`${line}\n`);
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

interface LoupeRun {
  wallMs: number;
  status: string;
  counts: { total: number; done: number; failed: number; skipped: number; pending: number; inFlight: number };
  uploadedBytes: number;
  peakRssBytes: number;
  sampledPeakRssBytes: number;
  rssAtStartBytes: number;
  maxConcurrency: number;
  memoryPeaksMb?: Record<string, number>;
  stopReason: unknown;
}

async function runLoupe(config: Record<string, unknown>): Promise<LoupeRun> {
  const dir = await mkdtemp(join(tmpdir(), 'loupe-bench-cfg-'));
  const path = join(dir, 'config.json');
  await writeFile(path, JSON.stringify(config));
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'test', 'bench', 'loupe-child.ts'), path], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  await rm(dir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`Loupe child exited with ${code}: ${out}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as LoupeRun;
}

async function runBaseline(paths: string[], apiBase: string, token: string): Promise<{ perImageMs: number; failed: number; uploadedBytes: number; sourceBytes: number }> {
  let uploaded = 0;
  const client = new OpenAI({
    apiKey: token,
    baseURL: apiBase,
    maxRetries: 0,
    fetch: (input, init) => {
      if (typeof init?.body === 'string') uploaded += Buffer.byteLength(init.body);
      return fetch(input, init);
    },
  });
  let failed = 0;
  let sourceBytes = 0;
  const started = performance.now();
  for (const path of paths) {
    // What a simple script does: the whole file, base64, one request at a time.
    const data = await readFile(path);
    sourceBytes += data.length;
    try {
      const stream = await client.responses.create({
        model: MODEL,
        instructions: 'Describe the photo as JSON with description and tags.',
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'Analyse this photo.' },
              { type: 'input_image', image_url: `data:image/jpeg;base64,${data.toString('base64')}`, detail: 'auto' },
            ],
          },
        ],
        store: false,
        stream: true,
      });
      let completed = false;
      for await (const event of stream) if (event.type === 'response.completed') completed = true;
      if (!completed) failed++;
    } catch {
      failed++;
    }
  }
  return { perImageMs: (performance.now() - started) / paths.length, failed, uploadedBytes: uploaded, sourceBytes };
}

async function main(): Promise<void> {
  const images = await ensureBenchImages(join(repo, '.cache', 'bench-images'), N, log);
  log(`photos: ${N} × 12 MP, ${mb(images.bytes)} in total (${mb(images.bytes / N)} each on average)`);

  const stack = await startStandIns({ api: { latencyMs: LATENCY_MS, rateLimit: { requestsPerMinute: RPM, burst: BURST } } });
  const work = await mkdtemp(join(tmpdir(), 'loupe-bench-'));
  try {
    const session = await signInPlanSession(stack);
    const token = await session.accessToken();
    const boundMs = (N / (RPM / 60)) * 1000;
    log(`stand-in API: ${RPM} requests/min (burst ${BURST}), ${LATENCY_MS} ms per answer → bound N ÷ rate = ${s(boundMs)}`);
    log('');

    log('Loupe …');
    const loupe = await runLoupe({
      dataDir: join(work, 'data'),
      apiBase: stack.endpoints.apiBase,
      token,
      photosDir: join(repo, '.cache', 'bench-images'),
      outputDir: join(work, 'out'),
      model: MODEL,
      ...(process.env.LOUPE_BENCH_CAP ? { concurrencyCap: Number(process.env.LOUPE_BENCH_CAP) } : {}),
    });
    const apiStats = stack.api.stats();

    log(`baseline (sequential, full-size, first ${BASELINE_N} photos) …`);
    // LOUPE_BENCH_BASELINE=<n> shortens the baseline while tuning; its per-photo time hardly varies.
    const baselineCount = Number(process.env.LOUPE_BENCH_BASELINE ?? BASELINE_N);
    const baseline = await runBaseline(images.paths.slice(0, baselineCount), stack.endpoints.apiBase, token);
    const baselineTotalMs = baseline.perImageMs * N;

    const ratio = loupe.wallMs / boundMs;
    const speedup = baselineTotalMs / loupe.wallMs;
    const uploadShare = loupe.uploadedBytes / images.bytes;
    const peakMb = loupe.peakRssBytes / 1024 / 1024;
    const check = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
    log('');
    log('Results');
    log(`  Loupe wall time          ${s(loupe.wallMs)}  (${loupe.status}; ${loupe.counts.done} done, ${loupe.counts.failed} failed)`);
    log(`  ratio to bound (${s(boundMs)})  ${ratio.toFixed(3)} ×                target ≤ 1.15   ${check(ratio <= 1.15)}`);
    log(`  baseline per photo       ${s(baseline.perImageMs)}  → ${N} photos ≈ ${s(baselineTotalMs)} (${baseline.failed} failed of ${baselineCount})`);
    log(`  speed-up vs baseline     ${speedup.toFixed(1)} ×                  target ≥ 10     ${check(speedup >= 10)}`);
    log(`  uploaded / source bytes  ${mb(loupe.uploadedBytes)} / ${mb(images.bytes)} = ${(uploadShare * 100).toFixed(1)} %   target ≤ 25 %   ${check(uploadShare <= 0.25)}`);
    log(`    (baseline: ${mb(baseline.uploadedBytes)} / ${mb(baseline.sourceBytes)} = ${((baseline.uploadedBytes / baseline.sourceBytes) * 100).toFixed(1)} %)`);
    log(`  items failed             ${loupe.counts.failed}                        target 0        ${check(loupe.counts.failed === 0 && loupe.counts.done === N)}`);
    log(`  peak RSS (VmHWM)         ${peakMb.toFixed(0)} MB (sampled ${mb(loupe.sampledPeakRssBytes)}, at start ${mb(loupe.rssAtStartBytes)})   target ≤ 400 MB ${check(peakMb <= 400)}`);
    if (loupe.memoryPeaksMb) log(`    (peaks in MB: ${Object.entries(loupe.memoryPeaksMb).map(([k, v]) => `${k} ${v}`).join(', ')})`);
    log(`  server: ${apiStats.responses} answers, ${apiStats.rateLimited} × 429, most in flight ${apiStats.maxInFlight}; Loupe's concurrency peaked at ${loupe.maxConcurrency}`);
  } finally {
    await stack.close();
    await rm(work, { recursive: true, force: true });
  }
}

// `npm run bench -- --scale`: the large-job scenario (scale.ts) instead.
if (process.argv.includes('--scale')) await (await import('./scale')).runScale();
else await main();
