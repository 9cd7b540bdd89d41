/**
 * The analysis engine: a queue of jobs, one running at a time (they share
 * one account's rate limits), each persisted so that a job interrupted by a
 * crash or a quit resumes where it was on the next start.
 *
 * Job lifecycle: queued → running → done | failed (nothing succeeded) |
 * stopped (quota, usage limit, sign-in, output folder: resumable) |
 * cancelled; running ⇄ paused. Pausing lets requests in flight finish and
 * records them; cancelling aborts them and keeps what is already done.
 *
 * A job that was running when Loupe ended abnormally is not resumed by
 * itself: if the job is what crashed Loupe, resuming it would crash it again
 * at every start. It waits, paused, with a notice.
 */
import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { z } from 'zod';
import { IMAGE_DETAILS, JOB_MODES, PRESET_IDS, SETTINGS_LIMITS, type Ability, type JobBatchView, type JobSummaryView } from '../../../contract';
import { defaultJobName } from '../job-name';
import type { Clock, Logger } from '../../kernel/deps';
import { LoupeError, logCode } from '../../kernel/errors';
import { CapabilityMemory } from '../api/capabilities';
import { discoverInputs } from '../input/discover';
import { AnalysisError } from '../analysis-error';
import { BatchRun, collectCancelled } from '../batch/batch-run';
import { BatchApi } from '../batch/client';
import type { RetryState } from '../retry-state';
import { FlowGovernor } from './flow-governor';
import { Job } from './job';
import { JobRun, type RunTuning } from './job-run';
import { JobStore } from './job-store';
import { resolvePreset } from '../presets';
import type { SessionLike } from '../api/analysis-call';
import { AnalysisClient } from '../api/request';
import { claimOutputFolder } from '../output/output-folder';
import type { SummaryPolicyOptions } from '../output/summary-policy';
import { DEFAULT_SCHEDULER_TUNING, type RunOutcome } from './scheduler';
import type { ItemRecord, JobCounts, JobDetail, JobRecord, JobSpec, JobSummary } from '../types';

export type { JobDetail, JobSpec, JobSummary } from '../types';

/** Where and as whom a job's requests go. */
export interface AnalysisAccount {
  apiBase: URL;
  /** Capabilities differ between ChatGPT-plan and other traffic: verdicts are kept per kind and model. */
  kind: 'chatgpt' | 'apiKey';
  session: SessionLike;
  /** The server has no Responses API: send analyses through Chat Completions. */
  useChatCompletions?: boolean;
  /** Whether this account may run a job through the Batch API (accounts/readiness.ts decides); refused when absent. */
  batch?: Ability;
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
  /** How often summary.json is rewritten while a job runs (see summary-policy.ts). */
  summaryPolicy?: SummaryPolicyOptions;
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
  maxThumbnails: 2000,
  maxFiles: 100_000,
  batchPollMs: 10_000,
  batchMaxPollMs: 5 * 60_000,
};

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
  mode: z.enum(JOB_MODES).optional(),
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
  /** Cancelled batch jobs whose batches are being cancelled at OpenAI and their finished answers collected. */
  readonly #collectors = new Map<string, { abort: AbortController; progress: JobBatchView['progress']; done: Promise<void> }>();
  #disposing = false;
  /** Said once at open, when a job was running as Loupe ended abnormally. */
  readonly notices: Array<{ id: string; level: 'warning'; message: string }> = [];

  private constructor(deps: AnalysisDeps) {
    this.#deps = deps;
    this.#tuning = { ...DEFAULT_TUNING, ...deps.tuning };
    const now = () => deps.clock.now();
    this.#store = new JobStore(deps.dataDir, deps.log, now);
    // In flight follows rate × latency (little-law.ts); a job's cap, when the person set one, is only a ceiling.
    this.#governor = new FlowGovernor({ initial: this.#tuning.initialConcurrency, now });
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
        clock: this.#deps.clock,
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
    const crashed = engine.#markOpen();
    engine.#load(crashed);
    engine.#startNext();
    // A batch job cancelled before the last quit: go on collecting what its batches had finished.
    for (const job of engine.#jobs.values()) if (job.record.status === 'cancelled') engine.#collectCancelled(job);
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

  /** The governor's ceiling on requests in flight for the running job (undefined: none of the person's own). */
  get concurrencyCeiling(): number | undefined {
    return this.#governor.cap;
  }

  /** Where a batch job is at OpenAI (null for a live job); the service adds the discount. */
  batchOf(id: string): Pick<JobBatchView, 'phase' | 'progress'> | null {
    const job = this.#jobs.get(id);
    if (!job || job.record.spec.mode !== 'batch') return null;
    const collector = this.#collectors.get(id);
    if (collector) return { phase: 'cancelling', progress: collector.progress };
    const run = this.#active?.job === job ? this.#active.run : undefined;
    if (run instanceof BatchRun) return { phase: run.phase, progress: run.progress };
    // Paused or stopped: batches already created go on at OpenAI and are collected on resume.
    const open = job.record.batch?.parts.some((p) => p.batchId && !p.collected) ?? false;
    return { phase: open && job.record.status !== 'cancelled' ? 'waiting' : null, progress: null };
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
    if (this.#collectors.has(id))
      throw new LoupeError('invalid_state', 'Loupe is still collecting the answers the batch finished before it was cancelled.');
    await job.idle();
    await this.#store.flush();
    this.#jobs.delete(id);
    rmSync(this.#store.pathOf(id), { force: true });
    rmSync(this.#store.journalPathOf(id), { force: true });
    this.#deps.log.info('analysis job removed', { job: id });
    this.#deps.onChange();
  }

  /** One page of a job's items without building the whole job's views (results read for this page only). */
  async items(id: string, offset: number, limit: number): Promise<{ total: number; items: JobDetail['items'] } | undefined> {
    const job = this.#jobs.get(id);
    return job && { total: job.record.items.length, items: await job.page(offset, limit) };
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
    if (spec.mode === 'batch') {
      // Half price through the Batch API: only where the account's server has it (accounts/readiness.ts, `account.can.batch`).
      const batch = this.#deps.account(spec.accountId).batch;
      if (!batch?.allowed) {
        throw new LoupeError('batch_unavailable', batch?.reason ?? 'Batch mode (half price, results within 24 h) needs an OpenAI API key.', {
          field: 'mode',
        });
      }
    }
    const found = await discoverInputs(spec.paths, { maxFiles: this.#tuning.maxFiles });
    if (found.files.length === 0) {
      const why = found.skipped[0] ? ` ${basename(found.skipped[0].path)}: ${found.skipped[0].reason}` : '';
      throw new LoupeError('no_images', `None of the dropped files is a photo Loupe can read.${why}`, { field: 'paths' });
    }

    const now = this.#deps.clock.now();
    const id = newJobId(now);
    const name = spec.name || defaultJobName(spec.paths, now, found.files.length);
    // Another job's results are never overwritten: such a folder gets a new sub-folder for this job.
    let outputDir: string;
    try {
      mkdirSync(spec.outputDir, { recursive: true });
      accessSync(spec.outputDir, constants.W_OK);
      outputDir = claimOutputFolder(spec.outputDir, id, name);
    } catch {
      throw new LoupeError('output_dir_unwritable', 'Loupe can’t create or write to that output folder. Choose another one.', { field: 'outputDir' });
    }
    const items: ItemRecord[] = [
      ...found.files.map((f): ItemRecord => ({ id: '', path: f.path, size: f.size, status: 'pending' })),
      ...found.skipped.map((s): ItemRecord => ({ id: '', path: s.path, status: 'skipped', error: { code: 'skipped', message: s.reason } })),
    ].map((item, index) => ({ ...item, id: `i${index + 1}` }));
    const record: JobRecord = {
      version: 1,
      id,
      name,
      createdAt: now,
      status: 'queued',
      spec: {
        ...(spec.accountId ? { accountId: spec.accountId } : {}),
        preset: spec.preset,
        ...(spec.preset === 'custom' ? { customPrompt: preset.prompt } : {}),
        ...(spec.preset === 'custom' && preset.schema ? { customSchema: preset.schema } : {}),
        model: spec.model,
        detail: spec.detail,
        // Absent: automatic, no ceiling of the person's own (the governor's rate × latency and memory budget decide).
        ...(spec.concurrencyCap !== undefined ? { concurrencyCap: spec.concurrencyCap } : {}),
        ...(spec.mode === 'batch' ? { mode: 'batch' as const } : {}),
        outputDir,
        paths: spec.paths,
      },
      tokens: { input: 0, output: 0 },
      items,
    };
    const job = this.#newJob(record, preset);
    try {
      await job.createOutputs();
    } catch {
      throw new LoupeError('output_dir_unwritable', 'Loupe can’t create or write to that output folder. Choose another one.', { field: 'outputDir' });
    }
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
    // A journal line, not a snapshot: resuming a large job must not rewrite it whole.
    await this.#store.journal(id).append({ k: 'job', status: 'queued', stopReason: null });
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
      await job.writeOutputsNow();
    }
    // A batch job: cancel its batches at OpenAI and collect the answers they had already finished.
    this.#collectCancelled(job);
    this.#deps.onChange();
  }

  /** Sends the failed photos again (with fresh attempt budgets). */
  async retryFailed(id: string): Promise<void> {
    const job = this.#require(id);
    if (job.record.status === 'cancelled') throw notNow(job, 'retry');
    await this.#retry(
      job,
      job.record.items.filter((item) => item.status === 'failed'),
    );
  }

  /** Asks again for the photos whose answer didn't match the schema; their first answers stay paid for and counted. */
  async retryUnparsed(id: string): Promise<void> {
    const job = this.#require(id);
    if (job.record.status === 'cancelled') throw notNow(job, 'retry');
    await this.#retry(
      job,
      job.record.items.filter((item) => item.status === 'done' && item.parseError),
    );
  }

  async #retry(job: Job, failed: ItemRecord[]): Promise<void> {
    if (failed.length === 0) return;
    for (const item of failed) {
      item.status = 'pending';
      delete item.error;
      delete item.parseError;
      delete item.attempts;
      delete item.finishedAt;
      delete item.duplicateOf;
      job.projector.drop(item.id);
    }
    // Their rows stay in results.csv until the job next stops and the file is rebuilt.
    job.record.csvStale = true;
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
    // Collecting a cancelled batch stops here and goes on at the next start (the parts not collected are saved).
    for (const collector of this.#collectors.values()) collector.abort.abort();
    await Promise.all([...this.#collectors.values()].map((c) => c.done));
    const active = this.#active;
    if (active) {
      active.run.scheduler.cancel();
      await active.done;
    }
    await Promise.all([...this.#jobs.values()].map((job) => job.idle()));
    await this.#store.flush();
    // A clean end: the next start resumes a running job by itself.
    rmSync(this.#openMarker(), { force: true });
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
      now: () => this.#deps.clock.now(),
      log: this.#deps.log,
      onChange: () => this.#deps.onChange(),
      maxThumbnails: this.#tuning.maxThumbnails,
      onOutputBroken: (broken) => {
        if (this.#active?.job === broken) this.#active.run.stopForOutput();
      },
      ...(this.#tuning.summaryPolicy ? { summaryPolicy: this.#tuning.summaryPolicy } : {}),
    });
  }

  #saveNow(job: Job): Promise<void> {
    return job.snapshot();
  }

  #openMarker(): string {
    return join(this.#store.dir, 'open.marker');
  }

  /** Marks Loupe as running; true when the last run never cleared its mark (it ended abnormally). */
  #markOpen(): boolean {
    const marker = this.#openMarker();
    const crashed = existsSync(marker);
    writeFileSync(marker, String(process.pid));
    return crashed;
  }

  #load(crashed: boolean): void {
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
      const job = this.#newJob(record, preset);
      this.#jobs.set(record.id, job);
      if (crashed && record.status === 'running') {
        record.status = 'paused';
        record.stopReason = { code: 'interrupted', message: INTERRUPTED };
        void this.#saveNow(job).catch(() => {});
        this.notices.push({ id: `analysis-interrupted-${record.id}`, level: 'warning', message: INTERRUPTED });
        this.#deps.log.warn('job interrupted by an abnormal end left paused', { job: record.id });
      }
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
    const active: ActiveRun =
      record.spec.mode === 'batch'
        ? this.#batchRun(
            job,
            run,
            pending.map((item) => item.id),
          )
        : run;
    const started = (async (): Promise<RunOutcome> => {
      // What the output folder refused last time is written first; while it still refuses, no request goes out.
      if (!(await job.prepareOutputs())) {
        run.stopForOutput();
        return 'stopped';
      }
      return active.run();
    })();
    const done = started.then(
      (outcome) => this.#finishRun(job, active, outcome),
      (error: unknown) => {
        this.#deps.log.error('analysis run failed', { job: record.id, code: logCode(error) });
        return this.#finishRun(job, active, 'stopped');
      },
    );
    this.#active = { job, run: active, done };
    // Journaled so that a crash from here on is known as one "while analysing" (the crash-loop guard).
    void this.#store
      .journal(record.id)
      .append({ k: 'job', status: 'running', startedAt: record.startedAt })
      .catch(() => {});
    this.#deps.log.info('analysis job running', { job: record.id, photos: pending.length });
    this.#deps.onChange();
  }

  /** A batch job's run: the same per-photo steps as `run`, sent through the Batch API (batch/batch-run.ts). */
  #batchRun(job: Job, run: JobRun, pending: string[]): BatchRun {
    const account = this.#deps.account(job.record.spec.accountId);
    return new BatchRun(job, run, pending, {
      api: new BatchApi({ apiBase: account.apiBase, fetch: this.#deps.fetch, token: () => account.session.accessToken() }),
      dir: join(this.#deps.dataDir, 'batches', job.id),
      sleep: (ms, signal) => this.#sleep(ms, signal),
      log: this.#deps.log,
      onChange: () => this.#deps.onChange(),
      disposing: () => this.#disposing,
      prepareParallel: this.#tuning.prepareParallel,
      pollMs: this.#tuning.batchPollMs,
      maxPollMs: this.#tuning.batchMaxPollMs,
    });
  }

  /** A Clock-driven wait that ends early (rejecting) when `signal` aborts. */
  #sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = this.#deps.clock.setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        timer.cancel();
        reject(signal.reason);
      });
    });
  }

  /**
   * A cancelled batch job with batches not yet collected: cancels them at
   * OpenAI and records what they had finished before (batch/batch-run.ts,
   * collectCancelled), outside the one active job. Ends with the output
   * folder rewritten; after a quit it goes on at the next start.
   */
  #collectCancelled(job: Job): void {
    const { record } = job;
    if (record.spec.mode !== 'batch' || record.status !== 'cancelled' || this.#disposing || this.#collectors.has(job.id)) return;
    if (!record.batch?.parts.some((p) => p.batchId && !p.collected)) return;
    let account: AnalysisAccount;
    let client: AnalysisClient;
    try {
      account = this.#deps.account(record.spec.accountId);
      client = this.#clientFor(record.spec.accountId);
    } catch {
      this.#deps.log.warn('cancelled batch not collected: its account is gone', { job: job.id });
      return;
    }
    const run = new JobRun(job, [], {
      client,
      governor: this.#governor,
      tuning: this.#tuning,
      clock: this.#deps.clock,
      log: this.#deps.log,
      onChange: () => this.#deps.onChange(),
    });
    const abort = new AbortController();
    const entry = { abort, progress: null as JobBatchView['progress'], done: Promise.resolve() };
    this.#collectors.set(job.id, entry);
    entry.done = (async () => {
      const collect = () =>
        collectCancelled(
          job,
          run,
          {
            api: new BatchApi({ apiBase: account.apiBase, fetch: this.#deps.fetch, token: () => account.session.accessToken() }),
            sleep: (ms, signal) => this.#sleep(ms, signal),
            log: this.#deps.log,
            pollMs: this.#tuning.batchPollMs,
            maxPollMs: this.#tuning.batchMaxPollMs,
            onProgress: (progress) => {
              entry.progress = progress;
              this.#deps.onChange();
            },
          },
          abort.signal,
        );
      try {
        // The network or the Batch API failing for a while: try again later (every step is safe to repeat).
        for (let wait = this.#tuning.batchPollMs; ; wait = Math.min(this.#tuning.batchMaxPollMs, wait * 2)) {
          try {
            await collect();
            break;
          } catch (error) {
            if (abort.signal.aborted || !(error instanceof AnalysisError) || error.details.disposition !== 'backoff') throw error;
            await this.#sleep(wait, abort.signal);
          }
        }
        this.#deps.log.info('cancelled batch collected', { job: job.id });
      } catch (error) {
        if (!abort.signal.aborted) this.#deps.log.warn('could not collect a cancelled batch', { job: job.id, code: logCode(error) });
      } finally {
        await job.projector.idle();
        await job.writeOutputsNow().catch(() => {});
        await this.#saveNow(job).catch(() => {});
        this.#collectors.delete(job.id);
        this.#deps.onChange();
      }
    })();
  }

  async #finishRun(job: Job, run: ActiveRun, outcome: RunOutcome): Promise<void> {
    const { record } = job;
    // The job shows as ended only once its output folder holds everything it recorded.
    await job.projector.idle();
    const now = this.#deps.clock.now();
    if (this.#disposing) {
      // Quitting: leave the job as it was so the next start resumes it.
      this.#active = undefined;
      await job.writeOutputsNow();
      await this.#saveNow(job).catch(() => {});
      return;
    }
    const counts = job.counts();
    // The ending is decided first and written to the output folder before it shows: "done" on screen means summary.json and results.csv are final.
    const next: Partial<Pick<JobRecord, 'status' | 'finishedAt' | 'stopReason'>> = {};
    let notice: [string, string] | undefined;
    if (outcome === 'drained' && record.status === 'running') {
      if (counts.pending + counts.inFlight > 0) {
        // Items were added while the run wound down (retry failed): run again.
        this.#active = undefined;
        this.#startNext();
        return;
      }
      next.status = counts.failed > 0 && counts.done + counts.unparsed === 0 ? 'failed' : 'done';
      next.finishedAt = now;
      notice = [next.status === 'done' ? 'Analysis finished' : 'Analysis failed', `${record.name}: ${outcomeText(counts)}.`];
    } else if (outcome === 'stopped' && record.status === 'running') {
      const error = run.stopError;
      next.status = 'stopped';
      next.stopReason = {
        code: error?.code ?? 'stopped',
        message: error?.message ?? 'The job stopped.',
        ...(error?.details.link ? { link: { ...error.details.link } } : {}),
      };
      notice = ['Analysis stopped', next.stopReason.message];
    } else if (outcome === 'cancelled') {
      next.status = 'cancelled';
      next.finishedAt = record.finishedAt ?? now;
    }
    // 'paused' (or a resume/cancel that arrived while the run wound down) keeps the status already set.
    await job.writeOutputsNow(next);
    Object.assign(record, next);
    if (notice) this.#deps.notify(...notice);
    this.#active = undefined;
    try {
      await this.#saveNow(job);
    } catch {
      /* logged by the store */
    }
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
  /** The output folder refused a write: stop at once, so nothing more is paid for until it is fixed. */
  stopForOutput(): void;
}

function notNow(job: Job, action: string): LoupeError {
  return new LoupeError('invalid_state', `This job is ${job.record.status}, so it can’t ${action} now.`);
}

const INTERRUPTED = 'Loupe stopped unexpectedly while analysing. Resume?';

/** "7 analysed, 2 unreadable answers, 1 failed": an unparsed answer is not counted as analysed. */
export function outcomeText(counts: JobCounts): string {
  const parts = [`${counts.done} analysed`];
  if (counts.unparsed) parts.push(`${counts.unparsed} unreadable answer${counts.unparsed === 1 ? '' : 's'}`);
  if (counts.failed) parts.push(`${counts.failed} failed`);
  return parts.join(', ');
}

function newJobId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `job-${stamp}-${randomBytes(3).toString('hex')}`;
}
