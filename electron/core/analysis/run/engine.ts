/**
 * The analysis engine: a queue of jobs, one running at a time (they share
 * one account's rate limits), each persisted so that a job interrupted by a
 * crash or a quit resumes where it was on the next start.
 *
 * Job lifecycle: queued → running → done | failed (nothing succeeded) |
 * stopped (quota, usage limit, sign-in: resumable) | cancelled; running ⇄
 * paused. Pausing lets requests in flight finish and records them;
 * cancelling aborts them and keeps what is already done.
 */
import { accessSync, constants, mkdirSync, rmSync } from 'node:fs';
import { isAbsolute, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { z } from 'zod';
import { IMAGE_DETAILS, PRESET_IDS, SETTINGS_LIMITS, type JobSummaryView } from '../../../contract';
import { defaultJobName } from '../job-name';
import type { Clock, Logger } from '../../kernel/deps';
import { LoupeError, logCode } from '../../kernel/errors';
import { CapabilityMemory } from '../api/capabilities';
import { discoverInputs } from '../input/discover';
import type { AnalysisError } from '../analysis-error';
import { BatchRun } from '../batch/batch-run';
import { BatchApi } from '../batch/client';
import type { RetryState } from '../retry-state';
import { FlowGovernor } from './flow-governor';
import { Job } from './job';
import { JobRun, type RunTuning } from './job-run';
import { JobStore } from './job-store';
import { resolvePreset } from '../presets';
import { AnalysisClient, type SessionLike } from '../api/request';
import { removeStaleTempFiles } from '../output/results';
import { DEFAULT_SCHEDULER_TUNING, type RunOutcome } from './scheduler';
import type { ItemRecord, JobDetail, JobRecord, JobSpec, JobSummary } from '../types';

export type { JobDetail, JobSpec, JobSummary } from '../types';

/** Where and as whom a job's requests go. */
export interface AnalysisAccount {
  apiBase: URL;
  /** Capabilities differ between ChatGPT-plan and other traffic: verdicts are kept per kind and model. */
  kind: 'chatgpt' | 'apiKey';
  session: SessionLike;
  /** The server has no Responses API: send analyses through Chat Completions. */
  useChatCompletions?: boolean;
}

export interface AnalysisDeps {
  dataDir: string;
  fetch: typeof fetch;
  /** The account a job was created with (throws a LoupeError when it no longer exists). */
  account(accountId: string | undefined): AnalysisAccount;
  clock: Clock;
  log: Logger;
  notify(title: string, body: string): void;
  /** Fires on every state change; the caller throttles. */
  onChange(): void;
  tuning?: Partial<EngineTuning>;
}

export interface EngineTuning extends RunTuning {
  initialConcurrency: number;
  requestTimeoutMs: number;
  /** Longest summary.json / results.csv may lag behind finished items. */
  outputsIntervalMs: number;
  maxThumbnails: number;
  maxFiles: number;
  /** Batch jobs: first poll interval, growing to the longest. */
  batchPollMs: number;
  batchMaxPollMs: number;
}

export const DEFAULT_TUNING: EngineTuning = {
  ...DEFAULT_SCHEDULER_TUNING,
  // "low" is one 512 px view. For "high"/"auto" the API fits images into 2048² and then to
  // 768 px on the short side (1024×768 for a 4:3 photo), and newer models budget about 1.5 MP;
  // 1536 px covers both with margin, and lets a 12 MP JPEG decode at half size (shrink-on-load),
  // which in the benchmark halves bytes uploaded and cuts peak memory by a quarter against 2048.
  maxEdge: { low: 512, high: 1536, auto: 1536 },
  jpegQuality: 85,
  initialConcurrency: 4,
  requestTimeoutMs: 180_000,
  outputsIntervalMs: 500,
  maxThumbnails: 2000,
  maxFiles: 10_000,
  batchPollMs: 10_000,
  batchMaxPollMs: 5 * 60_000,
};

export const DEFAULT_CONCURRENCY_CAP = SETTINGS_LIMITS.analysisConcurrency.default;
export const MAX_CONCURRENCY_CAP = SETTINGS_LIMITS.analysisConcurrency.max;

const SpecSchema = z.object({
  name: z.string().trim().max(200).optional(),
  accountId: z.string().min(1).max(100).optional(),
  paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000),
  preset: z.enum(PRESET_IDS),
  customPrompt: z.string().max(20_000).optional(),
  customSchema: z.unknown().optional(),
  model: z.string().trim().min(1).max(200),
  detail: z.enum(IMAGE_DETAILS),
  concurrencyCap: z.number().int().min(1).max(MAX_CONCURRENCY_CAP).optional(),
  mode: z.enum(['live', 'batch']).optional(),
  outputDir: z.string().min(1).max(4096),
});

export class AnalysisEngine {
  readonly #deps: AnalysisDeps;
  readonly #tuning: EngineTuning;
  readonly #store: JobStore;
  readonly #governor: FlowGovernor;
  readonly #capabilities: CapabilityMemory;
  readonly #clients = new Map<string, AnalysisClient>();
  readonly #jobs = new Map<string, Job>();
  #active: { job: Job; run: ActiveRun; done: Promise<void> } | undefined;
  #disposing = false;

  private constructor(deps: AnalysisDeps) {
    this.#deps = deps;
    this.#tuning = { ...DEFAULT_TUNING, ...deps.tuning };
    const now = () => deps.clock.now();
    this.#store = new JobStore(deps.dataDir, deps.log, deps.clock);
    // In flight follows rate × latency (little-law.ts); a job's cap is only a ceiling.
    this.#governor = new FlowGovernor({ cap: DEFAULT_CONCURRENCY_CAP, initial: this.#tuning.initialConcurrency, now });
    this.#capabilities = new CapabilityMemory(deps.dataDir, now, deps.log);
  }

  /** One client per account, so a job keeps its own account while the person switches. */
  #clientFor(accountId: string | undefined): AnalysisClient {
    const key = accountId ?? '';
    let client = this.#clients.get(key);
    if (!client) {
      const account = this.#deps.account(accountId);
      client = new AnalysisClient({
        apiBase: account.apiBase,
        fetch: this.#deps.fetch,
        session: account.session,
        capabilities: this.#capabilities,
        accountKind: account.kind,
        useChatCompletions: account.useChatCompletions ?? false,
        log: this.#deps.log,
        timeoutMs: this.#tuning.requestTimeoutMs,
      });
      this.#clients.set(key, client);
    }
    return client;
  }

  /** Loads saved jobs and resumes the one that was running when Loupe last stopped. */
  static async open(deps: AnalysisDeps): Promise<AnalysisEngine> {
    // libvips keeps recent operations (decoded pixels) for reuse; every photo is read once here,
    // so that cache only holds memory (about 40 MB of peak RSS in the benchmark).
    sharp.cache(false);
    const engine = new AnalysisEngine(deps);
    engine.#load();
    engine.#startNext();
    return engine;
  }

  jobs(): JobSummary[] {
    return [...this.#jobs.values()].map((job) => job.summary(this.#concurrencyOf(job))).sort((a, b) => b.createdAt - a.createdAt);
  }

  job(id: string): JobDetail | undefined {
    const job = this.#jobs.get(id);
    return job?.detail(this.#concurrencyOf(job));
  }

  /** A job's persisted record, read-only (for "analyse remaining" and the usage-limit notice). */
  recordOf(id: string): Readonly<JobRecord> | undefined {
    return this.#jobs.get(id)?.record;
  }

  /** Requests of the running job waiting to be sent again; null for any other job. */
  retryingOf(id: string): JobSummaryView['retrying'] {
    return this.#active?.job.id === id ? this.#active.run.retries.view() : null;
  }

  /** What a job's tokens cost relative to the list price: the Batch API is half price. */
  priceFactor(id: string): number {
    return this.#jobs.get(id)?.record.spec.mode === 'batch' ? 0.5 : 1;
  }

  async rename(id: string, name: string): Promise<void> {
    const job = this.#require(id);
    job.record.name = name;
    await this.#saveNow(job);
    this.#deps.onChange();
  }

  /** Forgets a job that is not running; its output folder is never touched. */
  async remove(id: string): Promise<void> {
    const job = this.#require(id);
    if (this.#active?.job === job || job.record.status === 'running' || job.record.status === 'queued') throw notNow(job, 'be removed');
    this.#store.flush();
    job.dispose();
    this.#jobs.delete(id);
    rmSync(this.#store.pathOf(id), { force: true });
    this.#deps.log.info('analysis job removed', { job: id });
    this.#deps.onChange();
  }

  /** Validates the spec (including a custom schema), lists the photos, saves the job and queues it. */
  async createJob(input: JobSpec): Promise<string> {
    const parsed = SpecSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new LoupeError('invalid_input', `Check the job settings: ${issue.message}`, { field: issue.path.join('.') });
    }
    const spec = parsed.data;
    const preset = resolvePreset(spec);
    if (!isAbsolute(spec.outputDir)) throw new LoupeError('invalid_input', 'The output folder must be a full path.', { field: 'outputDir' });
    try {
      mkdirSync(spec.outputDir, { recursive: true });
      accessSync(spec.outputDir, constants.W_OK);
    } catch {
      throw new LoupeError('output_dir_unwritable', 'Loupe can’t create or write to that output folder. Choose another one.', { field: 'outputDir' });
    }
    if (spec.mode === 'batch') {
      // Half price through the Batch API: only where the account's server has it (API keys to OpenAI).
      const account = this.#deps.account(spec.accountId);
      if (account.kind !== 'apiKey' || account.useChatCompletions) {
        throw new LoupeError('batch_unavailable', 'Batch (half price, results within 24 h) is offered for OpenAI API-key accounts only.', { field: 'mode' });
      }
    }
    const found = await discoverInputs(spec.paths, { maxFiles: this.#tuning.maxFiles });
    if (found.files.length === 0) {
      const why = found.skipped[0] ? ` ${basename(found.skipped[0].path)}: ${found.skipped[0].reason}` : '';
      throw new LoupeError('no_images', `None of the dropped files is a photo Loupe can read.${why}`, { field: 'paths' });
    }

    const now = this.#deps.clock.now();
    const id = newJobId(now);
    const items: ItemRecord[] = [
      ...found.files.map((f): ItemRecord => ({ id: '', path: f.path, size: f.size, status: 'pending' })),
      ...found.skipped.map((s): ItemRecord => ({ id: '', path: s.path, status: 'skipped', error: { code: 'skipped', message: s.reason } })),
    ].map((item, index) => ({ ...item, id: `i${index + 1}` }));
    const record: JobRecord = {
      version: 1,
      id,
      name: spec.name || defaultJobName(spec.paths, now),
      createdAt: now,
      status: 'queued',
      spec: {
        ...(spec.accountId ? { accountId: spec.accountId } : {}),
        preset: spec.preset,
        ...(spec.preset === 'custom' ? { customPrompt: preset.prompt } : {}),
        ...(spec.preset === 'custom' && preset.schema ? { customSchema: preset.schema } : {}),
        model: spec.model,
        detail: spec.detail,
        concurrencyCap: spec.concurrencyCap ?? DEFAULT_CONCURRENCY_CAP,
        ...(spec.mode === 'batch' ? { mode: 'batch' as const } : {}),
        outputDir: spec.outputDir,
        paths: spec.paths,
      },
      tokens: { input: 0, output: 0 },
      items,
    };
    const job = this.#newJob(record, preset);
    this.#jobs.set(id, job);
    await this.#saveNow(job);
    this.#deps.log.info('analysis job created', { job: id, photos: found.files.length, skipped: found.skipped.length, preset: spec.preset });
    this.#deps.onChange();
    this.#startNext();
    return id;
  }

  /** Stops starting photos; those in flight finish and are recorded. */
  async pause(id: string): Promise<void> {
    const job = this.#require(id);
    const { status } = job.record;
    if (status === 'paused') return;
    if (status !== 'running' && status !== 'queued') throw notNow(job, 'pause');
    job.record.status = 'paused';
    if (this.#active?.job === job) this.#active.run.scheduler.pause();
    job.resetThroughput();
    await this.#saveNow(job);
    this.#deps.onChange();
  }

  /** Continues a paused or stopped job (queued behind a running one). */
  async resume(id: string): Promise<void> {
    const job = this.#require(id);
    const { status } = job.record;
    if (status === 'running' || status === 'queued') return;
    if (status !== 'paused' && status !== 'stopped') throw notNow(job, 'resume');
    job.record.status = 'queued';
    delete job.record.stopReason;
    await this.#saveNow(job);
    this.#deps.onChange();
    this.#startNext();
  }

  /** Aborts requests in flight; finished photos and their files stay. */
  async cancel(id: string): Promise<void> {
    const job = this.#require(id);
    const { status } = job.record;
    if (status === 'cancelled') return;
    if (status === 'done' || status === 'failed') throw notNow(job, 'cancel');
    job.record.status = 'cancelled';
    job.record.finishedAt = this.#deps.clock.now();
    const active = this.#active?.job === job ? this.#active : undefined;
    if (active) {
      active.run.scheduler.cancel();
      await active.done;
    } else {
      await this.#saveNow(job);
      job.writeOutputsNow();
    }
    this.#deps.onChange();
  }

  /** Sends the failed photos again (with fresh attempt budgets). */
  async retryFailed(id: string): Promise<void> {
    const job = this.#require(id);
    if (job.record.status === 'cancelled') throw notNow(job, 'retry');
    const failed = job.record.items.filter((item) => item.status === 'failed');
    if (failed.length === 0) return;
    for (const item of failed) {
      item.status = 'pending';
      delete item.error;
      delete item.attempts;
      delete item.finishedAt;
      delete item.duplicateOf;
      job.forgetResult(item);
    }
    const active = this.#active?.job === job ? this.#active : undefined;
    if (active && job.record.status === 'running') {
      active.run.scheduler.add(failed.map((item) => item.id));
    } else if (job.record.status !== 'running') {
      job.record.status = 'queued';
      delete job.record.stopReason;
      delete job.record.finishedAt;
    }
    await this.#saveNow(job);
    this.#deps.onChange();
    this.#startNext();
  }

  /** Aborts what is in flight and saves; a running job resumes on the next `open`. */
  async dispose(): Promise<void> {
    this.#disposing = true;
    const active = this.#active;
    if (active) {
      active.run.scheduler.cancel();
      await active.done;
    }
    this.#store.flush();
    for (const job of this.#jobs.values()) job.dispose();
  }

  // -------------------------------------------------------------------------

  #require(id: string): Job {
    const job = this.#jobs.get(id);
    if (!job) throw new LoupeError('job_not_found', 'That job no longer exists.');
    return job;
  }

  #concurrencyOf(job: Job): number {
    return this.#active?.job === job ? this.#governor.limit : 0;
  }

  #newJob(record: JobRecord, preset: ReturnType<typeof resolvePreset>): Job {
    return new Job(record, preset, {
      store: this.#store,
      clock: this.#deps.clock,
      log: this.#deps.log,
      onChange: () => this.#deps.onChange(),
      outputsIntervalMs: this.#tuning.outputsIntervalMs,
      maxThumbnails: this.#tuning.maxThumbnails,
    });
  }

  async #saveNow(job: Job): Promise<void> {
    const saved = job.persist();
    this.#store.flush();
    await saved;
  }

  #load(): void {
    const { jobs } = this.#store.loadAll();
    for (const record of jobs) {
      let preset;
      try {
        preset = resolvePreset({ preset: record.spec.preset, customPrompt: record.spec.customPrompt, customSchema: record.spec.customSchema });
      } catch {
        this.#deps.log.warn('job with an unusable preset skipped', { job: record.id });
        continue;
      }
      for (const item of record.items) if (item.status === 'in_flight') item.status = 'pending';
      this.#jobs.set(record.id, this.#newJob(record, preset));
    }
  }

  #startNext(): void {
    if (this.#active || this.#disposing) return;
    const candidates = [...this.#jobs.values()].sort((a, b) => a.record.createdAt - b.record.createdAt);
    const job = candidates.find((j) => j.record.status === 'running') ?? candidates.find((j) => j.record.status === 'queued');
    if (!job) return;
    const { record } = job;
    record.status = 'running';
    delete record.stopReason;
    record.startedAt ??= this.#deps.clock.now();
    delete record.finishedAt;
    const pending = record.items.filter((item) => item.status === 'pending' || item.status === 'in_flight');
    for (const item of pending) item.status = 'pending';
    if (removeStaleTempFiles(record.spec.outputDir) > 0) this.#deps.log.info('removed temp files left by an interrupted run', { job: record.id });
    let client: AnalysisClient;
    try {
      client = this.#clientFor(record.spec.accountId);
    } catch (error) {
      record.status = 'stopped';
      record.stopReason = {
        code: 'account_unavailable',
        message: error instanceof LoupeError ? error.message : 'The account this job used is no longer available.',
      };
      void this.#saveNow(job).catch(() => {});
      this.#deps.onChange();
      return;
    }
    this.#governor.setCap(record.spec.concurrencyCap);
    job.resetThroughput();
    const run = new JobRun(
      job,
      pending.map((item) => item.id),
      {
        client,
        governor: this.#governor,
        tuning: this.#tuning,
        clock: this.#deps.clock,
        log: this.#deps.log,
        onChange: () => this.#deps.onChange(),
      },
    );
    const active: ActiveRun = record.spec.mode === 'batch' ? this.#batchRun(job, run, pending.map((item) => item.id)) : run;
    const done = active.run().then(
      (outcome) => this.#finishRun(job, active, outcome),
      (error: unknown) => {
        this.#deps.log.error('analysis run failed', { job: record.id, code: logCode(error) });
        return this.#finishRun(job, active, 'stopped');
      },
    );
    this.#active = { job, run: active, done };
    void job.persist().catch(() => {});
    this.#deps.log.info('analysis job running', { job: record.id, photos: pending.length });
    this.#deps.onChange();
  }

  /** A batch job's run: the same per-photo steps as `run`, sent through the Batch API (batch/batch-run.ts). */
  #batchRun(job: Job, run: JobRun, pending: string[]): BatchRun {
    const account = this.#deps.account(job.record.spec.accountId);
    const clock = this.#deps.clock;
    return new BatchRun(job, run, pending, {
      api: new BatchApi({ apiBase: account.apiBase, fetch: this.#deps.fetch, token: () => account.session.accessToken() }),
      dir: join(this.#deps.dataDir, 'batches', job.id),
      sleep: (ms, signal) =>
        new Promise<void>((resolve, reject) => {
          const timer = clock.setTimeout(resolve, ms);
          signal?.addEventListener('abort', () => {
            timer.cancel();
            reject(signal.reason);
          });
        }),
      log: this.#deps.log,
      onChange: () => this.#deps.onChange(),
      disposing: () => this.#disposing,
      prepareParallel: this.#tuning.prepareParallel,
      pollMs: this.#tuning.batchPollMs,
      maxPollMs: this.#tuning.batchMaxPollMs,
    });
  }

  async #finishRun(job: Job, run: ActiveRun, outcome: RunOutcome): Promise<void> {
    const { record } = job;
    const now = this.#deps.clock.now();
    if (this.#disposing) {
      // Quitting: leave the job as it was so the next start resumes it.
      this.#active = undefined;
      await this.#saveNow(job).catch(() => {});
      job.writeOutputsNow();
      return;
    }
    const counts = job.counts();
    if (outcome === 'drained' && record.status === 'running') {
      if (counts.pending + counts.inFlight > 0) {
        // Items were added while the run wound down (retry failed): run again.
        this.#active = undefined;
        this.#startNext();
        return;
      }
      record.status = counts.failed > 0 && counts.done === 0 ? 'failed' : 'done';
      record.finishedAt = now;
      this.#deps.notify(
        record.status === 'done' ? 'Analysis finished' : 'Analysis failed',
        `${record.name}: ${counts.done} of ${counts.total - counts.skipped} photos analysed${counts.failed ? `, ${counts.failed} failed` : ''}.`,
      );
    } else if (outcome === 'stopped' && record.status === 'running') {
      const error = run.stopError;
      record.status = 'stopped';
      record.stopReason = {
        code: error?.code ?? 'stopped',
        message: error?.message ?? 'The job stopped.',
        ...(error?.details.link ? { link: { ...error.details.link } } : {}),
      };
      this.#deps.notify('Analysis stopped', record.stopReason.message);
    } else if (outcome === 'cancelled') {
      record.status = 'cancelled';
      record.finishedAt ??= now;
    }
    // 'paused' (or a resume/cancel that arrived while the run wound down) keeps the status already set.
    this.#active = undefined;
    try {
      await this.#saveNow(job);
    } catch {
      /* logged by the store */
    }
    job.writeOutputsNow();
    this.#deps.onChange();
    this.#startNext();
  }
}

/** A live run (JobRun) or a batch run (BatchRun), as the engine drives them. */
interface ActiveRun {
  readonly scheduler: { pause(): void; stop(): void; cancel(): void; add(ids: string[]): void };
  readonly stopError: AnalysisError | undefined;
  readonly retries: RetryState;
  run(): Promise<RunOutcome>;
}

function notNow(job: Job, action: string): LoupeError {
  return new LoupeError('invalid_state', `This job is ${job.record.status}, so it can’t ${action} now.`);
}

function newJobId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `job-${stamp}-${randomBytes(3).toString('hex')}`;
}

