/**
 * The analysis engine: a queue of jobs, one live job running at a time (they
 * share one account's rate limits) and batch jobs beside it, each persisted so that a job interrupted by a
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
import type { JobBatchView, JobSummaryView } from '../../../contract';
import { LoupeError } from '../../kernel/errors';
import { DEFAULT_TUNING, type AnalysisDeps, type EngineTuning } from './engine-config';
import { Job } from './job';
import { applyMemoryPolicy, fitHeapGrowth, itemsInMemory } from './memory-policy';
import { JobStore } from './job-store';
import { checkSpec, newJob, requireBatchAccess } from './new-job';
import { resolvePreset } from '../presets';
import { RunQueue } from './run-queue';
import { clearOpenMark, markOpen } from './open-marker';
import type { ItemRecord, JobDetail, JobRecord, JobSpec, JobSummary } from '../types';

export type { JobDetail, JobSpec, JobSummary } from '../types';
export type { AnalysisAccount, AnalysisDeps, EngineTuning } from './engine-config';
export { DEFAULT_TUNING, MAX_CONCURRENCY_CAP } from './engine-config';
export { outcomeText } from './run-ending';

export class AnalysisEngine {
  readonly #deps: AnalysisDeps;
  readonly #tuning: EngineTuning;
  readonly #store: JobStore;
  readonly #runs: RunQueue;
  readonly #jobs = new Map<string, Job>();
  /** Said once at open, when a job was running as Loupe ended abnormally. */
  readonly notices: Array<{ id: string; level: 'warning'; message: string }> = [];

  private constructor(deps: AnalysisDeps) {
    this.#deps = deps;
    this.#tuning = { ...DEFAULT_TUNING, ...deps.tuning };
    const now = () => deps.clock.now();
    this.#store = new JobStore(deps.dataDir, deps.log, now);
    this.#runs = new RunQueue(deps, this.#tuning, this.#store, () => this.#jobs.values());
  }

  /** Loads saved jobs and resumes the one that was running when Loupe last stopped. */
  static async open(deps: AnalysisDeps): Promise<AnalysisEngine> {
    applyMemoryPolicy();
    const engine = new AnalysisEngine(deps);
    const crashed = markOpen(engine.#store.dir);
    engine.#load(crashed);
    engine.#runs.startNext();
    // A batch job cancelled before the last quit: go on collecting what its batches had finished.
    for (const job of engine.#jobs.values()) engine.#runs.cancelled.start(job);
    return engine;
  }

  jobs(): JobSummary[] {
    return [...this.#jobs.values()].map((job) => job.summary(this.#runs.concurrencyOf(job))).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** One job's line in the list (no item is read). */
  summary(id: string): JobSummary | undefined {
    const job = this.#jobs.get(id);
    return job?.summary(this.#runs.concurrencyOf(job));
  }

  /** A job's persisted record without its items, read-only (for the usage-limit notice and names). */
  recordOf(id: string): Readonly<JobRecord> | undefined {
    return this.#jobs.get(id)?.record;
  }

  /** Requests of the running job waiting to be sent again; null for any other job. */
  retryingOf(id: string): JobSummaryView['retrying'] {
    const job = this.#jobs.get(id);
    return job ? (this.#runs.activeFor(job)?.run.retries.view() ?? null) : null;
  }

  /** The governor's ceiling on requests in flight for the running job (undefined: none of the person's own). */
  get concurrencyCeiling(): number | undefined {
    return this.#runs.concurrencyCeiling;
  }

  /** Where a batch job is at OpenAI (null for a live job); the service adds the discount. */
  batchOf(id: string): Pick<JobBatchView, 'phase' | 'progress' | 'upload'> | null {
    const job = this.#jobs.get(id);
    return job ? this.#runs.batchOf(job) : null;
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
    if (this.#runs.activeFor(job) || job.record.status === 'running' || job.record.status === 'queued') throw notNow(job, 'be removed');
    if (this.#runs.cancelled.collecting(id))
      throw new LoupeError('invalid_state', 'Loupe is still collecting the answers the batch finished before it was cancelled.');
    await job.idle();
    await this.#store.flush();
    this.#jobs.delete(id);
    this.#store.remove(id);
    this.#deps.log.info('analysis job removed', { job: id });
    this.#deps.onChange();
  }

  /** One page of a job's items without building the whole job's views (results read for this page only). */
  async items(id: string, offset: number, limit: number): Promise<{ total: number; items: JobDetail['items'] } | undefined> {
    const job = this.#jobs.get(id);
    if (!job) return undefined;
    const items = await job.page(offset, limit);
    // Items in memory: the running job's and the one being looked at, never every job's.
    this.#unloadIdle(job);
    return { total: job.total, items };
  }

  /** The photos a stopped or cancelled job did not analyse (for "analyse remaining"). */
  async remainingPaths(id: string): Promise<string[]> {
    const job = this.#require(id);
    await job.loadItems();
    return job.record.items.filter((i) => i.status === 'pending' || i.status === 'in_flight' || i.status === 'failed').map((i) => i.path);
  }

  /** Lets the items of every job at rest go, but the running one's and `keep`'s. */
  #unloadIdle(keep?: Job): void {
    for (const other of this.#jobs.values()) if (other !== keep && !this.#runs.isRunning(other)) other.unloadItems();
    fitHeapGrowth(itemsInMemory(this.#jobs.values()));
  }

  /** Validates the spec (including a custom schema), lists the photos, saves the job and queues it. */
  async createJob(input: JobSpec): Promise<string> {
    const { spec, preset } = checkSpec(input);
    if (spec.mode === 'batch') requireBatchAccess(this.#deps.account(spec.accountId));
    const { record, found } = await newJob(spec, preset, this.#tuning.maxFiles, this.#deps.clock.now());
    const { id } = record;
    const job = this.#newJob(record, preset);
    try {
      await job.createOutputs();
    } catch {
      throw new LoupeError('output_dir_unwritable', 'Loupe can’t create or write to that output folder. Choose another one.', { field: 'outputDir' });
    }
    this.#jobs.set(id, job);
    await this.#saveNow(job);
    this.#deps.log.info('analysis job created', { job: id, photos: found.photos, skipped: found.skipped.length, preset: spec.preset });
    this.#deps.onChange();
    this.#runs.startNext();
    return id;
  }

  /** Stops starting photos; those in flight finish and are recorded. */
  async pause(id: string): Promise<void> {
    const job = this.#require(id);
    const { status } = job.record;
    if (status === 'paused') return;
    if (status !== 'running' && status !== 'queued') throw notNow(job, 'pause');
    job.record.status = 'paused';
    this.#runs.activeFor(job)?.run.scheduler.pause();
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
    this.#runs.startNext();
  }

  /** Aborts requests in flight; finished photos and their files stay. */
  async cancel(id: string): Promise<void> {
    const job = this.#require(id);
    const { status } = job.record;
    if (status === 'cancelled') return;
    if (status === 'done' || status === 'failed') throw notNow(job, 'cancel');
    job.record.status = 'cancelled';
    job.record.finishedAt = this.#deps.clock.now();
    const active = this.#runs.activeFor(job);
    if (active) {
      active.run.scheduler.cancel();
      await active.done;
    } else {
      await job.loadItems();
      await this.#saveNow(job);
      await job.writeOutputsNow();
    }
    // A batch job: cancel its batches at OpenAI and collect the answers they had already finished.
    this.#runs.cancelled.start(job);
    this.#deps.onChange();
  }

  /** Sends the failed photos again (with fresh attempt budgets). */
  async retryFailed(id: string): Promise<void> {
    const job = this.#require(id);
    if (job.record.status === 'cancelled') throw notNow(job, 'retry');
    await job.loadItems();
    await this.#retry(
      job,
      job.record.items.filter((item) => item.status === 'failed'),
    );
  }

  /** Asks again for the photos whose answer didn't match the schema; their first answers stay paid for and counted. */
  async retryUnparsed(id: string): Promise<void> {
    const job = this.#require(id);
    if (job.record.status === 'cancelled') throw notNow(job, 'retry');
    await job.loadItems();
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
    const active = this.#runs.activeFor(job);
    if (active && job.record.status === 'running') {
      active.run.scheduler.add(failed.map((item) => item.id));
    } else if (job.record.status !== 'running') {
      job.record.status = 'queued';
      delete job.record.stopReason;
      delete job.record.finishedAt;
    }
    await this.#saveNow(job);
    this.#deps.onChange();
    this.#runs.startNext();
  }

  /** Aborts what is in flight and saves; a running job resumes on the next `open`. */
  async dispose(): Promise<void> {
    await this.#runs.dispose();
    await Promise.all([...this.#jobs.values()].map((job) => job.idle()));
    await this.#store.flush();
    // A clean end: the next start resumes a running job by itself.
    clearOpenMark(this.#store.dir);
  }

  // -------------------------------------------------------------------------

  #require(id: string): Job {
    const job = this.#jobs.get(id);
    if (!job) throw new LoupeError('job_not_found', 'That job no longer exists.');
    return job;
  }

  #newJob(record: JobRecord, preset: ReturnType<typeof resolvePreset>, savedCounts: JobSummary['counts'] | null = null): Job {
    return new Job(
      record,
      preset,
      {
        store: this.#store,
        now: () => this.#deps.clock.now(),
        log: this.#deps.log,
        onChange: () => this.#deps.onChange(),
        maxThumbnails: this.#tuning.maxThumbnails,
        onOutputBroken: (broken) => {
          this.#runs.activeFor(broken)?.run.stopForOutput();
        },
        ...(this.#tuning.summaryPolicy ? { summaryPolicy: this.#tuning.summaryPolicy } : {}),
      },
      savedCounts,
    );
  }

  #saveNow(job: Job): Promise<void> {
    return job.snapshot();
  }

  #load(crashed: boolean): void {
    const { jobs } = this.#store.loadAll();
    for (const { record, counts, loaded } of jobs) {
      let preset;
      try {
        preset = resolvePreset({ preset: record.spec.preset, customPrompt: record.spec.customPrompt, customSchema: record.spec.customSchema });
      } catch {
        this.#deps.log.warn('job with an unusable preset skipped', { job: record.id });
        continue;
      }
      if (loaded) for (const item of record.items) if (item.status === 'in_flight') item.status = 'pending';
      const job = this.#newJob(record, preset, loaded ? null : counts);
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
}

function notNow(job: Job, action: string): LoupeError {
  return new LoupeError('invalid_state', `This job is ${job.record.status}, so it can’t ${action} now.`);
}

const INTERRUPTED = 'Loupe stopped unexpectedly while analysing. Resume?';
