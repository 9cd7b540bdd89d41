/**
 * The benchmark's child processes: Loupe itself (loupe-child.ts) and sharp
 * alone (sharp-alone.ts), each started with its config in a temp file and
 * answering with one JSON line.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORES, repo } from './scenarios';

export interface LoupeRun {
  wallMs: number;
  status: string;
  counts: { total: number; done: number; failed: number; skipped: number; pending: number; inFlight: number };
  uploadedBytes: number;
  peakRssBytes: number;
  sampledPeakRssBytes: number;
  rssAtStartBytes: number;
  maxConcurrency: number;
  cpuMs: number;
  /** CPU from the job's creation to its end (start-up excluded). */
  jobCpuMs: number;
  firstSendMs: number;
  lastSendMs: number;
  stopReason: unknown;
  /** Peaks of process.memoryUsage() sampled during the job, in MB. */
  memoryPeaksMb: Record<string, number>;
}

export async function child<T>(script: string, config: unknown): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'loupe-bench-cfg-'));
  const path = join(dir, 'config.json');
  await writeFile(path, JSON.stringify(config));
  // LOUPE_BENCH_PROF=<dir> writes a CPU profile of each child there.
  const prof = process.env.LOUPE_BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.LOUPE_BENCH_PROF] : [];
  const proc = spawn(process.execPath, [...prof, '--import', 'tsx', join(repo, 'test', 'bench', script), path], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  await rm(dir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`${script} exited with ${code}: ${out}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

export interface SharpRun {
  perSecond: number;
  cpuMsPerPhoto: number;
  bytesPerPhoto: number;
  wasm: boolean;
}

export const sharpAlone = (
  paths: string[],
  box: { width: number; height: number },
  backend: 'native' | 'wasm',
  parallel = CORES,
): Promise<SharpRun> => child<SharpRun>('sharp-alone.ts', { paths, ...box, parallel, backend });
