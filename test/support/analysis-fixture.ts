/**
 * Shared pieces for analysis tests: the stand-ins with a signed-in plan
 * session (see plan-session.ts: real tokens from the stand-in authorization
 * server, without the core's sign-in UI machinery), photos made with sharp,
 * an engine setup, and a small RFC 4180 CSV parser.
 *
 * Each generated photo has a unique width (`baseWidth + index`) and is
 * smaller than the upload's long-edge limit, so the API stand-in's record of
 * an image (`bytes, WxH`) says which photo a request carried.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { AnalysisEngine, type AnalysisDeps } from '../../electron/core/analysis/runs/engine';
import { nodeProcessMemory } from '../../electron/shell/process-memory';
import { realClock } from './real-clock';
import type { ItemView, JobSummary } from '../../electron/core/analysis/records/job-record';
import type { OpenAIStandInOptions, RequestRecord } from '../servers/openai/openai-api';
import { type StandIns, startStandIns } from '../servers/stack';
import { type PlanSession, signInPlanSession } from './plan-session';

export interface SignedIn {
  stack: StandIns;
  session: PlanSession;
  close(): Promise<void>;
}

export async function signedInStandIns(api: Omit<OpenAIStandInOptions, 'verifyToken'> = {}): Promise<SignedIn> {
  const stack = await startStandIns({ api });
  const session = await signInPlanSession(stack);
  return { stack, session, close: () => stack.close() };
}

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Photo-like JPEG: a gradient, a few shapes and noise, so it compresses like a photo rather than a flat colour. */
export async function makePhoto(path: string, width: number, height: number, seed: number): Promise<void> {
  const channels = 3;
  const data = Buffer.alloc(width * height * channels);
  let s = (seed * 2654435761) >>> 0 || 1;
  const rand = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
  const cx = width * (0.3 + rand() * 0.4);
  const cy = height * (0.3 + rand() * 0.4);
  const r = Math.min(width, height) * (0.15 + rand() * 0.2);
  const tint = [rand() * 120, rand() * 120, rand() * 120];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
      const i = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) {
        const gradient = ((x / width) * 120 + (y / height) * 80 + tint[c]!) % 256;
        const value = (inside ? 255 - gradient : gradient) + (rand() - 0.5) * 40;
        data[i + c] = Math.max(0, Math.min(255, Math.round(value)));
      }
    }
  }
  await sharp(data, { raw: { width, height, channels } }).jpeg({ quality: 88 }).toFile(path);
}

export async function makePhotos(
  dir: string,
  count: number,
  options: { baseWidth?: number; height?: number; prefix?: string } = {},
): Promise<string[]> {
  const baseWidth = options.baseWidth ?? 300;
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `${options.prefix ?? 'photo'}-${String(i + 1).padStart(3, '0')}.jpg`);
    await makePhoto(path, baseWidth + i, options.height ?? 200, i + 1);
    paths.push(path);
  }
  return paths;
}

export const responsesRequests = (stack: StandIns): RequestRecord[] =>
  stack.api.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/responses'));

/** Which generated photo a request carried (its width, unique per photo). */
export function imageWidth(record: RequestRecord): number | undefined {
  return record.images?.[0]?.width;
}

export interface EngineHarness {
  engine: AnalysisEngine;
  deps: AnalysisDeps;
  notifications: Array<{ title: string; body: string }>;
  changes: { count: number };
}

export async function openEngine(signedIn: SignedIn, dataDir: string, overrides: Partial<AnalysisDeps> = {}): Promise<EngineHarness> {
  const notifications: Array<{ title: string; body: string }> = [];
  const changes = { count: 0 };
  const deps: AnalysisDeps = {
    dataDir,
    fetch: globalThis.fetch,
    account: () => ({ apiBase: new URL(signedIn.stack.endpoints.apiBase), kind: 'chatgpt', session: signedIn.session }),
    clock: realClock,
    log: { info() {}, warn() {}, error() {} },
    notify: (title, body) => void notifications.push({ title, body }),
    onChange: () => void changes.count++,
    tuning: { backoffBaseMs: 40, backoffMaxMs: 400 },
    processMemory: nodeProcessMemory(),
    ...overrides,
  };
  const engine = await AnalysisEngine.open(deps);
  return { engine, deps, notifications, changes };
}

/** Polls until the job satisfies `predicate` (a job's progress is asynchronous by nature). */
export async function waitForJob(
  engine: AnalysisEngine,
  id: string,
  predicate: (job: JobSummary) => boolean,
  timeoutMs = 20_000,
): Promise<JobSummary> {
  const started = Date.now();
  for (;;) {
    const job = engine.jobs().find((j) => j.id === id);
    if (job && predicate(job)) return job;
    if (Date.now() - started > timeoutMs) throw new Error(`job condition not met in ${timeoutMs} ms: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Polls one page of a job's items until `predicate` holds (thumbnails are made in the background for the page asked for). */
export async function waitForItems(
  engine: AnalysisEngine,
  id: string,
  predicate: (items: ItemView[]) => boolean,
  page = { offset: 0, limit: 50 },
  timeoutMs = 20_000,
): Promise<ItemView[]> {
  const started = Date.now();
  for (;;) {
    const items = (await engine.items(id, page.offset, page.limit))?.items ?? [];
    if (predicate(items)) return items;
    if (Date.now() - started > timeoutMs) throw new Error(`items condition not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const isSettled = (job: JobSummary): boolean =>
  ['done', 'failed', 'stopped', 'cancelled', 'paused'].includes(job.status) && job.counts.inFlight === 0;

/** The per-photo result files in an output folder (everything but summary.json and the job's hidden mark). */
export async function resultFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.json') && n !== 'summary.json' && !n.startsWith('.')).sort();
}

export async function readJson<T = Record<string, unknown>>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}
