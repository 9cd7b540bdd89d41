/** Batch mode: a job's modes and where a batch job is at OpenAI (see electron/contract.ts). */

/** 'live': one request per photo as it is ready; 'batch': through the Batch API, half price, results within 24 h. */
export const JOB_MODES = ['live', 'batch'] as const;
export type JobMode = (typeof JOB_MODES)[number];

/**
 * Where a batch job is: photos being prepared and uploaded, waiting for
 * OpenAI to answer, answers arriving (downloaded and written), or cancelling
 * (the batch is being cancelled; answers it had already finished are still
 * collected, since they were paid for).
 */
export const BATCH_PHASES = ['uploading', 'waiting', 'collecting', 'cancelling'] as const;
export type BatchPhase = (typeof BATCH_PHASES)[number];

export interface JobBatchView {
  /** null when nothing is happening at OpenAI for this job (not started yet, or every answer collected). */
  phase: BatchPhase | null;
  /** Requests OpenAI reports finished, of those in the job's batches (from the last poll); null before a batch exists. */
  progress: { done: number; total: number } | null;
  /** The part file being uploaded to OpenAI, while one is (bytes sent of its total). */
  upload?: { part: number; parts: number; sentBytes: number; totalBytes: number } | null;
  /** What the Batch API charges relative to a live job (0.5: half price); `costUsd` already includes it. */
  priceFactor: number;
  /** What the same tokens would have cost live, for showing the discount; null when the model has no price. */
  liveCostUsd: number | null;
}
