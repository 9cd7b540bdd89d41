/**
 * When summary.json's progress is rewritten while a job runs: after each
 * further `fraction` of the job (a number of rewrites independent of its
 * size) or, for a slow job, once `maxWaitMs` has passed with something new.
 * Its full list of photos is written only when the job stops (pause,
 * cancel, end), so a job's bytes stay linear in its size.
 */
export interface SummaryPolicyOptions {
  fraction: number;
  maxWaitMs: number;
}

export const DEFAULT_SUMMARY_POLICY: SummaryPolicyOptions = { fraction: 0.05, maxWaitMs: 30_000 };

export class SummaryPolicy {
  #finishedAtWrite = 0;
  #writtenAt: number;

  constructor(
    private readonly total: number,
    private readonly now: () => number,
    private readonly options: SummaryPolicyOptions = DEFAULT_SUMMARY_POLICY,
  ) {
    this.#writtenAt = now();
  }

  /** Whether a rewrite is due now that `finished` photos are finished. */
  due(finished: number): boolean {
    const fresh = finished - this.#finishedAtWrite;
    if (fresh <= 0) return false;
    const step = Math.max(1, Math.ceil(this.total * this.options.fraction));
    return fresh >= step || this.now() - this.#writtenAt >= this.options.maxWaitMs;
  }

  wrote(finished: number): void {
    this.#finishedAtWrite = finished;
    this.#writtenAt = this.now();
  }
}
