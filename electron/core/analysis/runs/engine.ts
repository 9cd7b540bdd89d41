/**
 * The analysis engine: a queue of jobs, one live job running at a time (they
 * share one account's rate limits) and batch jobs beside it, each persisted so that a job interrupted by a
 * crash or a quit resumes where it was on the next start.
 *
 * What a job may become, and when, is the job lifecycle's
 * (lifecycle/job-lifecycle.ts): every status written here is a move it
 * allowed. Pausing lets requests in flight finish and records them;
 * cancelling (after its undo window, cancel-grace.ts) aborts them and keeps
 * what is already done.
 *
 * A job that was running when Loupe ended abnormally is not resumed by
 * itself: if the job is what crashed Loupe, resuming it would crash it again
 * at every start. It waits, paused, with a notice.
 */
import type { JobBatchView, JobSummaryView } from '../../../contract';
import { LoupeError } from '../../kernel/errors';
import { CancelGrace } from './cancel-grace';
import { isRemaining, moveItem } from '../lifecycle/item-lifecycle';
import { type JobChange, type JobEvent, type JobFacts, applyJobChange, moveJob } from '../lifecycle/job-lifecycle';
import { DEFAULT_TUNING, type AnalysisDeps, type EngineTuning } from './engine-config';
import { Job, itemRecordsInMemory } from '../job/job';
import { JobStore } from '../store/job-store';
import { type JobRequest, checkRequest, newJob, requireBatchAccess } from './new-job';
import { resolvePreset } from '../records/presets';
import { RunQueue } from './run-queue';
import { clearOpenMark, markOpen } from '../store/open-marker';
import type { JobDetail, JobRecord, JobSummary } from '../records/job-record';
import type { OutputFolder } from '../records/output-files';

export type { JobDetail, JobSummary } from '../records/job-record';
export type { JobRequest } from './new-job';
export type { AnalysisAccount, AnalysisDeps, EngineTuning } from './engine-config';
export { DEFAULT_TUNING, MAX_CONCURRENCY_CAP } from './engine-config';
export { outcomeText } from './run-ending';

export class AnalysisEngine {
  readonly #deps: AnalysisDeps;
  readonly #tuning: EngineTuning;
  readonly #store: JobStore;
  readonly #runs: RunQueue;
  readonly #jobs = new Map<string, Job>();
  /** Cancels waiting out their undo window. */
  readonly #cancels: CancelGrace;
  /** Jobs whose remaining photos are being started as a new job right now. */
  readonly #startingRemainder = new Set<string>();
  /** Said once at open, when a job was running as Loupe ended abnormally. */
  readonly notices: Array<{ id: string; level: 'warning'; message: string }> = [];

  private constructor(deps: AnalysisDeps, store: JobStore) {
    this.#deps = deps;
    this.#tuning = { ...DEFAULT_TUNING, ...deps.tuning };
    this.#store = store;
    this.#runs = new RunQueue(
      deps,
      this.#tuning,
      this.#store,
      () => this.#jobs.values(),
      (job, event) => this.#decide(job, event),
    );
    this.#cancels = new CancelGrace(deps.clock, deps.cancelGraceMs ?? 0, async (id) => {
      try {
        await this.#cancelForGood(id);
      } catch (error) {
        deps.log.warn('could not cancel a job', { job: id, code: (error as LoupeError).code });
      }
      deps.onChange();
    });
  }

  /** Loads saved jobs and resumes the one that was running when Loupe last stopped. */
  static async open(deps: AnalysisDeps): Promise<AnalysisEngine> {
    await deps.processMemory?.decodingPhotos();
    const engine = new AnalysisEngine(deps, await JobStore.open(deps.dataDir, deps.log, () => deps.clock.now()));
    const crashed = await markOpen(engine.#store.dir);
    await engine.#load(crashed);
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

  /** What the job lifecycle reads about a job (and `job.can` is derived from). */
  factsOf(id: string): JobFacts | undefined {
    const job = this.#jobs.get(id);
    return job && this.#facts(job);
  }

  /** A job's output folder, and the files in it. */
  outputOf(id: string): OutputFolder | undefined {
    return this.#jobs.get(id)?.output;
  }

  /** When the undo window of a cancel closes; null when no cancel is pending. */
  undoCancelUntil(id: string): number | null {
    return this.#cancels.until(id);
  }

  async rename(id: string, name: string): Promise<void> {
    const job = this.#require(id);
    this.#move(job, { type: 'rename' });
    job.record.name = name;
    await this.#saveNow(job);
    this.#deps.onChange();
  }

  /** Forgets a job that is not running; its output folder is never touched. */
  async remove(id: string): Promise<void> {
    const job = this.#require(id);
    this.#move(job, { type: 'remove' });
    if (this.#runs.activeFor(job)) throw new LoupeError('invalid_state', 'Wait until the job has stopped.');
    await job.idle();
    await this.#store.flush();
    this.#jobs.delete(id);
    await this.#store.remove(id);
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
    return job.record.items.filter((i) => isRemaining(i.status)).map((i) => i.path);
  }

  /**
   * "Analyse remaining": `start` creates a job of the photos this one did not
   * analyse; the link to it is saved with this job, so it is offered once,
   * across restarts too.
   */
  async analyseRemaining(id: string, start: (record: Readonly<JobRecord>, paths: string[]) => Promise<string>): Promise<string> {
    const job = this.#require(id);
    this.#move(job, { type: 'analyseRemaining' });
    this.#startingRemainder.add(id);
    try {
      const remainder = await start(job.record, await this.remainingPaths(id));
      job.record.remainderJobId = remainder;
      await this.#saveNow(job);
      this.#deps.onChange();
      return remainder;
    } finally {
      this.#startingRemainder.delete(id);
    }
  }

  /** Lets the items of every job at rest go, but the running one's and `keep`'s. */
  #unloadIdle(keep?: Job): void {
    for (const other of this.#jobs.values()) if (other !== keep && !this.#runs.isRunning(other)) other.unloadItems();
    this.#deps.processMemory?.itemRecordsInMemory(itemRecordsInMemory(this.#jobs.values()));
  }

  /** Validates the spec (including a custom schema), lists the photos, saves the job and queues it. */
  async createJob(input: JobRequest): Promise<string> {
    const checked = checkRequest(input);
    const { request, preset } = checked;
    if (request.mode === 'batch') requireBatchAccess(this.#deps.account(request.accountId));
    const { record, found } = await newJob(checked, this.#tuning.maxFiles, this.#deps.clock.now());
    const { id } = record;
    const job = this.#newJob(record, preset);
    try {
      await job.createOutputs();
    } catch {
      throw new LoupeError('output_dir_unwritable', 'Loupe can’t create or write to that output folder. Choose another one.', { field: 'outputDir' });
    }
    this.#jobs.set(id, job);
    await this.#saveNow(job);
    this.#deps.log.info('analysis job created', { job: id, photos: found.photos, skipped: found.skipped.length, preset: request.preset });
    this.#deps.onChange();
    this.#runs.startNext();
    return id;
  }

  /** Stops starting photos; those in flight finish and are recorded. */
  async pause(id: string): Promise<void> {
    const job = this.#require(id);
    if (!this.#move(job, { type: 'pause' })) return;
    await this.#paused(job);
  }

  async #paused(job: Job): Promise<void> {
    this.#runs.activeFor(job)?.run.scheduler.pause();
    job.resetThroughput();
    await this.#saveNow(job);
    this.#deps.onChange();
  }

  /** Continues a paused or stopped job (queued behind a running one). */
  async resume(id: string): Promise<void> {
    const job = this.#require(id);
    if (!this.#move(job, { type: 'resume' })) return;
    await this.#queued(job);
  }

  async #queued(job: Job): Promise<void> {
    // A journal line, not a snapshot: resuming a large job must not rewrite it whole.
    await this.#store.journal(job.id).append({ k: 'job', status: job.record.status, stopReason: null });
    this.#deps.onChange();
    this.#runs.startNext();
  }

  /**
   * Cancels the job: at once when there is no undo window (`cancelGraceMs`),
   * else paused now and cancelled for good when the window closes unless
   * `undoCancel` comes first.
   */
  async cancel(id: string): Promise<void> {
    const job = this.#require(id);
    const grace = this.#cancels.graceMs > 0;
    const change = this.#move(job, { type: 'cancel', grace, at: this.#deps.clock.now() });
    if (!change) return;
    if (!grace) return this.#cancelled(job);
    this.#cancels.begin(id, change.cancelPending?.wasActive ?? false);
    if (change.status === 'paused') await this.#paused(job);
    else this.#deps.onChange();
  }

  /** Takes back a cancel within its undo window: the job carries on as before. */
  async undoCancel(id: string): Promise<void> {
    const job = this.#require(id);
    const change = this.#move(job, { type: 'undoCancel' });
    this.#cancels.undo(id);
    if (change?.status === 'queued') await this.#queued(job);
    else this.#deps.onChange();
  }

  async #cancelForGood(id: string): Promise<void> {
    const job = this.#jobs.get(id);
    if (!job || !this.#move(job, { type: 'cancelForGood', at: this.#deps.clock.now() })) return;
    await this.#cancelled(job);
  }

  /** Aborts requests in flight; finished photos and their files stay, the photos never run say so. */
  async #cancelled(job: Job): Promise<void> {
    const active = this.#runs.activeFor(job);
    if (active) {
      active.run.scheduler.cancel();
      await active.done;
    } else {
      await job.loadItems();
      job.markNotRun();
      await this.#saveNow(job);
      await job.writeOutputsNow();
    }
    // A batch job: cancel its batches at OpenAI and collect the answers they had already finished.
    this.#runs.cancelled.start(job);
    this.#deps.onChange();
  }

  /** Sends the failed photos again (with fresh attempt budgets). */
  retryFailed(id: string): Promise<void> {
    return this.#retry(id, 'failed');
  }

  /** Asks again for the photos whose answer didn't match the schema; their first answers stay paid for and counted. */
  retryUnparsed(id: string): Promise<void> {
    return this.#retry(id, 'unparsed');
  }

  async #retry(id: string, items: 'failed' | 'unparsed'): Promise<void> {
    const job = this.#require(id);
    await job.loadItems();
    if (!this.#move(job, { type: 'retry', items })) return;
    for (const item of job.record.items) {
      if (item.status !== items || !moveItem(item, { type: 'retry', items })) continue;
      job.projector.drop(item.id);
    }
    // Their rows stay in results.csv until the job next stops and the file is rebuilt.
    job.record.csvStale = true;
    await this.#saveNow(job);
    this.#deps.onChange();
    this.#runs.startNext();
  }

  /** Aborts what is in flight and saves; a running job resumes on the next `open`. */
  async dispose(): Promise<void> {
    // Quitting: a cancel waiting for its undo window is what the person asked for.
    await this.#cancels.finishAll();
    await this.#runs.dispose();
    await Promise.all([...this.#jobs.values()].map((job) => job.idle()));
    await this.#store.flush();
    // A clean end: the next start resumes a running job by itself.
    await clearOpenMark(this.#store.dir);
  }

  // -------------------------------------------------------------------------

  #require(id: string): Job {
    const job = this.#jobs.get(id);
    if (!job) throw new LoupeError('job_not_found', 'That job no longer exists.');
    return job;
  }

  #facts(job: Job): JobFacts {
    const linked = job.record.remainderJobId;
    return {
      status: job.record.status,
      counts: job.counts(),
      cancelPending: this.#cancels.pendingOf(job.id),
      collecting: this.#runs.cancelled.collecting(job.id),
      remainderJob: (linked && this.#jobs.get(linked)?.record.name) ?? (this.#startingRemainder.has(job.id) ? 'a new job' : undefined),
    };
  }

  /**
   * The one way a job's status changes: the lifecycle's move for `event`,
   * made on the record. Undefined when there is nothing to do; a refusal is
   * thrown as `invalid_state` with the lifecycle's reason.
   */
  #move(job: Job, event: JobEvent): JobChange | undefined {
    const change = this.#decide(job, event);
    if (change) applyJobChange(job.record, change);
    return change;
  }

  /** What the lifecycle says `event` changes, not yet made (the run queue writes an ending out before it shows). */
  #decide(job: Job, event: JobEvent): JobChange | undefined {
    const move = moveJob(this.#facts(job), event);
    if (!move.ok) {
      if (move.idle) return undefined;
      throw new LoupeError('invalid_state', move.reason);
    }
    return move.change;
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

  async #load(crashed: boolean): Promise<void> {
    const { jobs } = await this.#store.loadAll();
    for (const { record, counts, loaded } of jobs) {
      let preset;
      try {
        preset = resolvePreset({ preset: record.spec.preset, customPrompt: record.spec.customPrompt, customSchema: record.spec.customSchema });
      } catch {
        this.#deps.log.warn('job with an unusable preset skipped', { job: record.id });
        continue;
      }
      const job = this.#newJob(record, preset, loaded ? null : counts);
      this.#jobs.set(record.id, job);
      if (crashed && this.#move(job, { type: 'recover', reason: { code: 'interrupted', message: INTERRUPTED } })) {
        void this.#saveNow(job).catch(() => {});
        this.notices.push({ id: `analysis-interrupted-${record.id}`, level: 'warning', message: INTERRUPTED });
        this.#deps.log.warn('job interrupted by an abnormal end left paused', { job: record.id });
      }
    }
  }
}

const INTERRUPTED = 'Loupe stopped unexpectedly while analysing. Resume?';
