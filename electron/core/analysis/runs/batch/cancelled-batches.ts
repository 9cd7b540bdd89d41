/**
 * Cancelled batch jobs whose batches were still open at OpenAI: each is
 * cancelled there and the answers it had finished before are recorded
 * (batch/batch-run.ts, collectCancelled), outside the one running job. They
 * were paid for, so they are written like any answer; a quit stops the
 * collection and the next start goes on with it.
 */
import type { JobBatchView } from '../../../../contract';
import { logCode } from '../../../kernel/errors';
import { AnalysisError } from '../../records/analysis-error';
import type { AnalysisClient } from '../../api/request';
import { collectCancelled } from './batch-run';
import { BatchApi } from './batch-api';
import type { AnalysisAccount, AnalysisDeps, EngineTuning } from '../engine-config';
import type { FlowGovernor } from '../../pacing/flow-governor';
import type { Job } from '../../job/job';
import { JobRun } from '../live/live-run';

interface Collector {
  abort: AbortController;
  progress: JobBatchView['progress'];
  done: Promise<void>;
}

export class CancelledBatches {
  readonly #collectors = new Map<string, Collector>();
  #disposing = false;

  constructor(
    private readonly deps: AnalysisDeps,
    private readonly tuning: EngineTuning,
    private readonly governor: FlowGovernor,
    private readonly clientFor: (accountId: string | undefined) => AnalysisClient,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  ) {}

  /** Whether the answers of this job's cancelled batches are being collected (the job then can't be removed). */
  collecting(id: string): boolean {
    return this.#collectors.has(id);
  }

  /** How far the collection of a cancelled batch job has come; undefined when none runs for it. */
  progressOf(id: string): JobBatchView['progress'] | undefined {
    return this.#collectors.get(id)?.progress;
  }

  /** Starts collecting when `job` is a cancelled batch job with batches not yet collected. */
  start(job: Job): void {
    const { record } = job;
    if (record.spec.mode !== 'batch' || record.status !== 'cancelled' || this.#disposing || this.#collectors.has(job.id)) return;
    if (!record.batch?.parts.some((p) => p.batchId && !p.collected)) return;
    let account: AnalysisAccount;
    let client: AnalysisClient;
    try {
      account = this.deps.account(record.spec.accountId);
      client = this.clientFor(record.spec.accountId);
    } catch {
      this.deps.log.warn('cancelled batch not collected: its account is gone', { job: job.id });
      return;
    }
    const entry: Collector = { abort: new AbortController(), progress: null, done: Promise.resolve() };
    this.#collectors.set(job.id, entry);
    entry.done = this.#collect(job, account, client, entry);
  }

  async #collect(job: Job, account: AnalysisAccount, client: AnalysisClient, entry: Collector): Promise<void> {
    const { signal } = entry.abort;
    try {
      // A job at rest holds its header only: its items are read before any answer is recorded.
      await job.loadItems();
      const run = new JobRun(job, [], {
        client,
        governor: this.governor,
        tuning: this.tuning,
        clock: this.deps.clock,
        log: this.deps.log,
        onChange: () => this.deps.onChange(),
      });
      const context = {
        api: new BatchApi({ apiBase: account.apiBase, fetch: this.deps.fetch, token: () => account.session.accessToken() }),
        sleep: this.sleep,
        log: this.deps.log,
        pollMs: this.tuning.batchPollMs,
        maxPollMs: this.tuning.batchMaxPollMs,
        onProgress: (progress: { done: number; total: number }) => {
          entry.progress = progress;
          this.deps.onChange();
        },
      };
      // The network or the Batch API failing for a while: try again later (every step is safe to repeat).
      for (let wait = this.tuning.batchPollMs; ; wait = Math.min(this.tuning.batchMaxPollMs, wait * 2)) {
        try {
          await collectCancelled(job, run, context, signal);
          break;
        } catch (error) {
          if (signal.aborted || !(error instanceof AnalysisError) || error.details.disposition !== 'backoff') throw error;
          await this.sleep(wait, signal);
        }
      }
      this.deps.log.info('cancelled batch collected', { job: job.id });
    } catch (error) {
      if (!signal.aborted) this.deps.log.warn('could not collect a cancelled batch', { job: job.id, code: logCode(error) });
    } finally {
      await job.projector.idle();
      if (job.loaded) {
        // The photos the batches never ran (nothing paid) say so; those of a batch not yet collected wait for the next start.
        job.markNotRun();
        await job.writeOutputsNow().catch(() => {});
        await job.snapshot().catch(() => {});
      }
      this.#collectors.delete(job.id);
      this.deps.onChange();
    }
  }

  /** Stops collecting; the parts not yet collected are saved and go on at the next start. */
  async dispose(): Promise<void> {
    this.#disposing = true;
    for (const collector of this.#collectors.values()) collector.abort.abort();
    await Promise.all([...this.#collectors.values()].map((c) => c.done));
  }
}
