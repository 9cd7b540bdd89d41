/**
 * The engine's queue of runs: one live job at a time (live jobs share one
 * account's rate limits and one flow governor), and batch jobs beside it (a
 * batch waits at OpenAI for up to a day; the live queue goes on meanwhile).
 * It starts the oldest running or queued job (reading its items first when
 * they are not in memory), runs it live (live/live-run.ts) or through the
 * Batch API (batch/batch-run.ts), and when a run ends writes the job's
 * outputs and moves it as the job lifecycle says (finish, stop) before
 * starting the next.
 */
import { join } from 'node:path';
import type { AnalysisError } from '../records/analysis-error';
import { CapabilityMemory } from '../api/capabilities';
import { AnalysisClient } from '../api/request';
import { BatchRun } from './batch/batch-run';
import { BatchApi } from './batch/batch-api';
import { LoupeError, logCode } from '../../kernel/errors';
import type { RetryState } from '../pacing/retry-state';
import type { JobBatchView } from '../../../contract';
import { CancelledBatches } from './batch/cancelled-batches';
import type { AnalysisDeps, EngineTuning } from './engine-config';
import { FlowGovernor } from '../pacing/flow-governor';
import { type Job, itemRecordsInMemory } from '../job/job';
import { LiveRun } from './live/live-run';
import type { JobStore } from '../store/job-store';
import { isOpen, moveItem } from '../lifecycle/item-lifecycle';
import { hasOpenBatch } from '../records/batch-state';
import { type JobChange, type JobEvent, applyJobChange } from '../lifecycle/job-lifecycle';
import { endingNotice, runsAgain, stopReasonOf } from './run-ending';
import type { RunOutcome } from '../pacing/scheduler';

/** A live run (LiveRun) or a batch run (BatchRun), as the engine drives them. */
interface ActiveRun {
  readonly scheduler: { pause(): void; stop(): void; cancel(): void };
  readonly stopError: AnalysisError | undefined;
  readonly retries: RetryState;
  run(): Promise<RunOutcome>;
  /** The output folder refused a write: stop at once, so nothing more is paid for until it is fixed. */
  stopForOutput(): void;
}

const isLive = (job: Job): boolean => job.record.spec.mode !== 'batch';

export class RunQueue {
  readonly #governor: FlowGovernor;
  readonly #capabilities: CapabilityMemory;
  readonly #clients = new Map<string, AnalysisClient>();
  /** The jobs running now: at most one live job, and any batch jobs beside it. */
  readonly #running = new Map<Job, { run: ActiveRun; done: Promise<void> }>();
  #disposing = false;
  /** A job's items being read before it runs. */
  #loading: Promise<void> | undefined;

  constructor(
    private readonly deps: AnalysisDeps,
    private readonly tuning: EngineTuning,
    private readonly store: JobStore,
    /** The engine's jobs, in no particular order. */
    private readonly jobs: () => Iterable<Job>,
    /** What the job lifecycle says `event` changes (undefined: nothing); refusals are thrown. */
    private readonly decide: (job: Job, event: JobEvent) => JobChange | undefined,
  ) {
    const now = () => deps.clock.now();
    // In flight follows rate × latency (little-law.ts); a job's cap, when the person set one, is only a ceiling.
    this.#governor = new FlowGovernor({ initial: tuning.initialConcurrency, now });
    this.#capabilities = new CapabilityMemory(deps.dataDir, now, deps.log);
    this.cancelled = new CancelledBatches(deps, tuning, (ms, signal) => this.#sleep(ms, signal));
  }

  /** Cancelled batch jobs whose finished answers are being collected. */
  readonly cancelled: CancelledBatches;

  /** The governor's ceiling on requests in flight for the running job (undefined: none of the person's own). */
  get concurrencyCeiling(): number | undefined {
    return this.#governor.cap;
  }

  /** Where a batch job is at OpenAI (null for a live job). */
  batchOf(job: Job): Pick<JobBatchView, 'phase' | 'progress' | 'upload'> | null {
    if (job.record.spec.mode !== 'batch') return null;
    const collecting = this.cancelled.progressOf(job.id);
    if (collecting !== undefined) return { phase: 'cancelling', progress: collecting };
    const run = this.#running.get(job)?.run;
    if (run instanceof BatchRun) return { phase: run.phase, progress: run.progress, upload: run.upload };
    // Paused or stopped: batches already created go on at OpenAI and are collected on resume.
    const open = hasOpenBatch(job.record.batch);
    return { phase: open && job.record.status !== 'cancelled' ? 'waiting' : null, progress: null };
  }

  /** The lifecycle's move for `event`, made on the job's record. */
  #move(job: Job, event: JobEvent): void {
    const change = this.decide(job, event);
    if (change) applyJobChange(job.record, change);
  }

  /** A Clock-driven wait that ends early (rejecting) when `signal` aborts. */
  #sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = this.deps.clock.setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        timer.cancel();
        reject(signal.reason);
      });
    });
  }

  /** `job`'s run, when it is running. */
  activeFor(job: Job): { run: ActiveRun; done: Promise<void> } | undefined {
    return this.#running.get(job);
  }

  isRunning(job: Job): boolean {
    return this.#running.has(job);
  }

  /** Requests in flight the governor allows the live job (a batch job sends none of its own). */
  concurrencyOf(job: Job): number {
    return this.#running.has(job) && isLive(job) ? this.#governor.limit : 0;
  }

  /** Cancels what is in flight; a running job resumes on the next start. */
  async dispose(): Promise<void> {
    this.#disposing = true;
    // Collecting a cancelled batch stops here and goes on at the next start (the parts not collected are saved).
    await this.cancelled.dispose();
    await this.#loading;
    const running = [...this.#running.values()];
    for (const active of running) active.run.scheduler.cancel();
    await Promise.all(running.map((active) => active.done));
    await this.#capabilities.saved();
  }

  /** One client per account, so a job keeps its own account while the person switches. */
  #clientFor(accountId: string | undefined): AnalysisClient {
    const key = accountId ?? '';
    let client = this.#clients.get(key);
    if (!client) {
      const account = this.deps.account(accountId);
      client = new AnalysisClient({
        apiBase: account.apiBase,
        fetch: this.deps.fetch,
        session: account.session,
        capabilities: this.#capabilities,
        accountKind: account.kind,
        useChatCompletions: account.useChatCompletions ?? false,
        log: this.deps.log,
        clock: this.deps.clock,
        timeoutMs: this.tuning.requestTimeoutMs,
      });
      this.#clients.set(key, client);
    }
    return client;
  }

  /**
   * Starts what may run: the oldest running or queued live job when no live
   * job runs (live jobs share one account's rate limits and one governor),
   * and every batch job, beside it: a batch waits at OpenAI for up to a day
   * and must not hold the live queue meanwhile.
   */
  startNext(): void {
    if (this.#disposing) return;
    const waiting = [...this.jobs()]
      .filter((j) => (j.record.status === 'running' || j.record.status === 'queued') && !this.#running.has(j))
      .sort((a, b) => a.record.createdAt - b.record.createdAt);
    const liveRuns = [...this.#running.keys()].some(isLive);
    const live = waiting.filter(isLive);
    const nextLive = liveRuns ? undefined : (live.find((j) => j.record.status === 'running') ?? live[0]);
    for (const job of [...waiting.filter((j) => !isLive(j)), ...(nextLive ? [nextLive] : [])]) this.#start(job);
  }

  #start(job: Job): void {
    if (!job.loaded) {
      // One job's items are read at a time; the next call starts the others.
      if (this.#loading) return;
      // Its items are read first (a job at rest holds its header only); it stays queued meanwhile.
      this.#loading ??= job
        .loadItems()
        .catch((error: unknown) => {
          this.deps.log.error('could not read a job’s items', { job: job.id, code: logCode(error) });
          this.#move(job, {
            type: 'stop',
            reason: { code: 'job_unreadable', message: 'Loupe couldn’t read this job’s list of photos from its data folder.' },
          });
        })
        .finally(() => {
          this.#loading = undefined;
          this.deps.onChange();
          this.startNext();
        });
      return;
    }
    this.deps.processMemory?.itemRecordsInMemory(itemRecordsInMemory(this.jobs()));
    const { record } = job;
    const at = this.deps.clock.now();
    this.#move(job, { type: 'start', at });
    const pending = record.items.filter((item) => isOpen(item.status));
    // A new run sends them from the start (a batch run marks those already in a batch again).
    for (const item of pending) moveItem(item, { type: 'release' });
    let client: AnalysisClient;
    try {
      client = this.#clientFor(record.spec.accountId);
    } catch (error) {
      this.#move(job, {
        type: 'stop',
        reason: {
          code: 'account_unavailable',
          message: error instanceof LoupeError ? error.message : 'The account this job used is no longer available.',
        },
      });
      void job.snapshot().catch(() => {});
      this.deps.onChange();
      return;
    }
    if (isLive(job)) this.#governor.setCap(record.spec.concurrencyCap);
    job.resetThroughput();
    const ids = pending.map((item) => item.id);
    const run: ActiveRun =
      record.spec.mode === 'batch'
        ? this.#batchRun(job, ids)
        : new LiveRun(job, ids, {
            client,
            governor: this.#governor,
            tuning: this.tuning,
            clock: this.deps.clock,
            log: this.deps.log,
            onChange: () => this.deps.onChange(),
          });
    const started = (async (): Promise<RunOutcome> => {
      // What the output folder refused last time is written first; while it still refuses, no request goes out.
      if (!(await job.prepareOutputs())) {
        run.stopForOutput();
        return 'stopped';
      }
      return run.run();
    })();
    const done = started.then(
      (outcome) => this.#finishRun(job, run, outcome),
      (error: unknown) => {
        this.deps.log.error('analysis run failed', { job: record.id, code: logCode(error) });
        return this.#finishRun(job, run, 'stopped');
      },
    );
    this.#running.set(job, { run, done });
    // Journaled so that a crash from here on is known as one "while analysing" (the crash-loop guard).
    void this.store
      .journal(record.id)
      .append({ k: 'job', status: record.status, startedAt: record.startedAt ?? at })
      .catch(() => {});
    this.deps.log.info('analysis job running', { job: record.id, photos: pending.length });
    this.deps.onChange();
  }

  /** A batch job's run: the same per-photo steps as `run`, sent through the Batch API (batch/batch-run.ts). */
  #batchRun(job: Job, pending: string[]): BatchRun {
    const account = this.deps.account(job.record.spec.accountId);
    return new BatchRun(job, pending, {
      api: new BatchApi({ apiBase: account.apiBase, fetch: this.deps.fetch, token: () => account.session.accessToken() }),
      tuning: this.tuning,
      clock: this.deps.clock,
      dir: join(this.deps.dataDir, 'batches', job.id),
      sleep: (ms, signal) => this.#sleep(ms, signal),
      log: this.deps.log,
      onChange: () => this.deps.onChange(),
      disposing: () => this.#disposing,
      prepareParallel: this.tuning.prepareParallel,
      pollMs: this.tuning.batchPollMs,
      maxPollMs: this.tuning.batchMaxPollMs,
    });
  }

  async #finishRun(job: Job, run: ActiveRun, outcome: RunOutcome): Promise<void> {
    const { record } = job;
    // The job shows as ended only once its output folder holds everything it recorded.
    await job.projector.idle();
    const now = this.deps.clock.now();
    if (this.#disposing) {
      // Quitting: leave the job as it was so the next start resumes it.
      this.#running.delete(job);
      await job.writeOutputsNow();
      await job.snapshot().catch(() => {});
      return;
    }
    if (runsAgain(outcome, record, job.counts())) {
      this.#running.delete(job);
      this.startNext();
      return;
    }
    // A job cancelled for good: the photos it never ran say so in summary.json too.
    if (record.status === 'cancelled') job.markNotRun();
    // The ending is decided first and written to the output folder before it shows: "done" on screen means summary.json and results.csv are final.
    const event: JobEvent | undefined =
      outcome === 'drained' ? { type: 'finish', at: now } : outcome === 'stopped' ? { type: 'stop', reason: stopReasonOf(run.stopError) } : undefined;
    const change = event && this.decide(job, event);
    await job.writeOutputsNow(change);
    if (change) applyJobChange(record, change);
    const notice = change && endingNotice(change, record.name, job.counts());
    if (notice) this.deps.notify(...notice);
    this.#running.delete(job);
    try {
      await job.snapshot();
    } catch {
      /* logged by the store */
    }
    this.deps.onChange();
    this.startNext();
  }
}
