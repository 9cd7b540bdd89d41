/**
 * `npm run bench -- --scale`: a large job costs what it produces. 10,000
 * small generated photos (cached in .cache/scale-images/; LOUPE_SCALE_N
 * changes the count) against the stand-in API at full speed (no latency, no
 * rate limit), with a simulated open results panel. Loupe runs in a child
 * process (scale-child.ts). Never part of `npm test`; speed is judged here,
 * never in tests.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { startStandIns } from '../servers/stack';
import { signInPlanSession } from '../support/plan-session';

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
    const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'test', 'bench', 'scale-child.ts'), config], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`scale child exited with ${code}: ${out}`);
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as {
      photos: number;
      wallMs: number;
      status: string;
      counts: Record<string, number>;
      resultFileCount: number;
      csvRows: number;
      writtenBytes: number;
      writtenByKind: Record<string, number>;
      outputBytes: number;
      decileRates: number[];
      loopP99Ms: number;
      loopMaxMs: number;
      peakRssBytes: number;
      peakRssJobBytes: number;
      memoryAtEnd: Record<string, number>;
      restart: { openedMs: number; resumedMs: number; firstPageMs: number; pageItems: number; jobsOnDisk: number };
    };
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
      `  event-loop delay         p99 ${r.loopP99Ms.toFixed(0)} ms, max ${r.loopMaxMs.toFixed(0)} ms   goal p99 ≤ 50 ms  ${check(r.loopP99Ms <= 50)}`,
    );
    log(
      `  peak RSS (VmHWM)         ${peak.toFixed(0)} MB (${mb(r.peakRssJobBytes)} by the end of the job, before the restart phase)   goal < 400 MB     ${check(peak < 400)}`,
    );
    log(
      `    (at the end of the job, MB: ${Object.entries(r.memoryAtEnd)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    );
    log(
      `  restart (${r.restart.jobsOnDisk} jobs on disk)  open ${r.restart.openedMs.toFixed(0)} ms, resume ${r.restart.resumedMs.toFixed(0)} ms, first page (${r.restart.pageItems} items) ${r.restart.firstPageMs.toFixed(0)} ms   goal ≪ 1 s (< 500 ms)  ${check(r.restart.firstPageMs < 500)}`,
    );
  } finally {
    await stack.close();
    await rm(work, { recursive: true, force: true });
  }
}
