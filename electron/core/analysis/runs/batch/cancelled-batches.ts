/**
 * Cancelled batch jobs whose batches were still open at OpenAI: each is
 * cancelled there and the answers it had finished before are recorded
 * (collectCancelled below), outside the one running job. They
 * were paid for, so they are written like any answer; a quit stops the
 * collection and the next start goes on with it.
 */
import type { JobBatchView } from '../../../../contract';
import type { Logger } from '../../../kernel/deps';
import { logCode } from '../../../kernel/errors';
import { hasOpenBatch } from '../../records/batch-state';
import { AnalysisError } from '../../records/analysis-error';
import { lineRecorder } from './batch-run';
import { BatchJob, type LineOutcome } from './batch-job';
import { BatchApi } from './batch-api';
import type { AnalysisAccount, AnalysisDeps, EngineTuning } from '../engine-config';
import type { Job } from '../../job/job';
import { ItemSteps } from '../../job/item-steps';
import { isOpen, moveItem } from '../../lifecycle/item-lifecycle';

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
    if (!hasOpenBatch(record.batch)) return;
    let account: AnalysisAccount;
    try {
      account = this.deps.account(record.spec.accountId);
    } catch {
      this.deps.log.warn('cancelled batch not collected: its account is gone', { job: job.id });
      return;
    }
    const entry: Collector = { abort: new AbortController(), progress: null, done: Promise.resolve() };
    this.#collectors.set(job.id, entry);
    entry.done = this.#collect(job, account, entry);
  }

  async #collect(job: Job, account: AnalysisAccount, entry: Collector): Promise<void> {
    const { signal } = entry.abort;
    try {
      // A job at rest holds its header only: its items are read before any answer is recorded.
      await job.loadItems();
      const steps = new ItemSteps(job, { tuning: this.tuning, clock: this.deps.clock, log: this.deps.log, onChange: () => this.deps.onChange() });
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
          await collectCancelled(job, steps, context, signal);
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

interface CancelledBatchContext {
  api: BatchApi;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  log: Logger;
  pollMs?: number;
  maxPollMs?: number;
  onProgress(progress: { done: number; total: number }): void;
}

/**
 * A cancelled batch job: cancels its batches at OpenAI, then, once they have
 * ended, collects what they had finished before the cancel (paid for) through
 * the same path as any answer — result files, results.csv, summary.json. The
 * photos they never ran are not analysed, as photos a cancelled live job
 * never sent (nothing was paid for them; "Analyse remaining" takes them).
 */
async function collectCancelled(job: Job, steps: ItemSteps, ctx: CancelledBatchContext, signal: AbortSignal): Promise<void> {
  const saved = job.record.batch;
  if (!saved) return;
  for (const id of saved.parts.filter((p) => p.batchId && !p.collected).flatMap((p) => p.customIds)) {
    if (!isOpen(job.item(id).status)) continue;
    steps.adoptBatched(id);
    steps.sending(id, 1);
  }
  const batch = new BatchJob(
    {
      api: ctx.api,
      sleep: (ms, s) => ctx.sleep(ms, s),
      save: async (state) => {
        job.record.batch = state;
        await job.snapshot();
      },
      validate: job.preset.validate,
      structured: !!job.preset.schema,
      jobId: job.id,
      ...(ctx.pollMs !== undefined ? { pollMs: ctx.pollMs } : {}),
      ...(ctx.maxPollMs !== undefined ? { maxPollMs: ctx.maxPollMs } : {}),
    },
    saved,
  );
  await batch.cancel();
  const record = lineRecorder(job, steps);
  const recordOrRelease = async (outcome: LineOutcome): Promise<void> => {
    // Never run by the cancelled batch: not a failure of the photo, and not paid for.
    if (!outcome.ok && outcome.error.code === 'cancelled') {
      if (isOpen(job.item(outcome.customId).status)) steps.released(outcome.customId);
      return;
    }
    await record(outcome);
  };
  await batch.run(recordOrRelease, signal, (done, total) => ctx.onProgress({ done, total }));
  // Copies of a photo in the batch were waiting for its answer: they take it (or its failure) now.
  for (const item of job.record.items) {
    const owner = item.duplicateOf ? job.item(item.duplicateOf) : undefined;
    if (isOpen(item.status) && owner && !isOpen(owner.status)) await steps.prepare(item.id, signal);
  }
  // Photos of a file that never became a batch (cancelled between upload and creation): nothing was paid, nothing to collect.
  for (const part of saved.parts.filter((p) => !p.batchId)) {
    for (const id of part.customIds) moveItem(job.item(id), { type: 'release' });
  }
}
