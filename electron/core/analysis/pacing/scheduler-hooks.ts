/**
 * The scheduler's contract with the rest of the run: its tuning, and the
 * hooks through which it asks for each step of a photo (prepare, send,
 * record) and reports what happened. The scheduler decides order and timing
 * only; the hooks (runs/live/live-run.ts over job/item-steps.ts) do the work.
 */
import { availableParallelism } from 'node:os';
import type { AnalysisError } from '../records/analysis-error';
import type { RequestCost } from './flow-governor';
import type { RateInfo } from '../records/rate-headers';

export interface SchedulerTuning {
  /** Tries per item for transient failures (5xx, network, broken streams), then the item fails with the last error. */
  maxAttempts: number;
  /** 429s an item may meet before it fails; the governor should keep this far away. */
  maxRateLimitRetries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Photos decoded and resized at once. */
  prepareParallel: number;
  /** Most photos prepared ahead of sending. */
  maxPrefetch: number;
  /** Photos in a row that may fail with the same internal error (none done in between) before the job stops. */
  maxInternalStreak?: number;
}

export const DEFAULT_SCHEDULER_TUNING: SchedulerTuning = {
  maxAttempts: 6,
  maxRateLimitRetries: 50,
  backoffBaseMs: 1000,
  backoffMaxMs: 30_000,
  // One decode per core plus one, so a core never waits while another photo is read or hashed
  // (libvips adds its own threads within each); each adds ~30 MB of peak memory.
  prepareParallel: availableParallelism() + 1,
  maxPrefetch: 16,
};

export type PrepareOutcome<P> =
  /** Ready to send. */
  | { kind: 'send'; payload: P }
  /** Finished without a request (a failure, or a duplicate whose original is done). */
  | { kind: 'settled' }
  /** A duplicate of a photo still in progress: settled by the hooks when `until` resolves. */
  | { kind: 'wait'; until: Promise<void> };

export interface SchedulerHooks<P, R> {
  prepare(itemId: string, signal: AbortSignal): Promise<PrepareOutcome<P>>;
  /** A request is about to go out (attempt counts from 1). */
  sending(itemId: string, attempt: number): void;
  send(itemId: string, payload: P, signal: AbortSignal, onAdmitted: (rate: RateInfo) => void): Promise<R>;
  /** What sending this payload costs against the server's limits and Loupe's memory. */
  cost?(payload: P): RequestCost;
  /** Record the result durably; the item counts as done once this resolves. */
  succeeded(itemId: string, result: R): Promise<void>;
  failed(itemId: string, error: AnalysisError): Promise<void>;
  /** A retry is planned; the item keeps its prepared photo meanwhile. */
  retrying(itemId: string, error: AnalysisError, at: number): void;
  /** The item goes back to the queue untouched (pause, stop, cancel): forget anything held for it. */
  released(itemId: string): void;
  /** A failure that ends the job (quota, usage limit, sign-in): called once. */
  stop(error: AnalysisError): void;
  changed(): void;
}

export type RunOutcome = 'drained' | 'paused' | 'stopped' | 'cancelled';
