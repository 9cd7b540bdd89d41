/**
 * The app-wide "usage limit reached" state: set when a job stops on the
 * ChatGPT usage limit, cleared when that account works again (a photo of any
 * of its jobs is analysed afterwards) or when no such stopped job is left.
 */
import type { JobSummaryView, UsageLimitView } from '../../contract';
import { MANAGE_USAGE_URL } from '../kernel/external-links';

export interface UsageLimitJob {
  summary: Pick<JobSummaryView, 'id' | 'status' | 'stopReason' | 'counts'>;
  accountId: string | undefined;
}

const USAGE_LIMIT_CODE = 'usage_limit';

export class UsageLimitWatch {
  #current: (UsageLimitView & { jobId: string; doneAtStop: number }) | null = null;
  /** Jobs already seen stopped on the limit, so a notice the account cleared is not raised again by the same stop. */
  readonly #seen = new Set<string>();

  /** Recomputes from the jobs as they are now; returns the state to publish. */
  update(jobs: readonly UsageLimitJob[]): UsageLimitView | null {
    const stoppedOnLimit = jobs.filter((j) => j.summary.status === 'stopped' && j.summary.stopReason?.code === USAGE_LIMIT_CODE && j.accountId);
    for (const id of [...this.#seen]) if (!stoppedOnLimit.some((j) => j.summary.id === id)) this.#seen.delete(id);
    for (const job of stoppedOnLimit) {
      if (this.#seen.has(job.summary.id)) continue;
      this.#seen.add(job.summary.id);
      const reason = job.summary.stopReason!;
      this.#current = {
        jobId: job.summary.id,
        accountId: job.accountId!,
        message: reason.message,
        link: reason.link ? { ...reason.link } : { label: 'Manage usage', url: MANAGE_USAGE_URL },
        doneAtStop: doneOf(jobs, job.accountId!),
      };
    }
    if (this.#current) {
      const { accountId, doneAtStop } = this.#current;
      const worksAgain = doneOf(jobs, accountId) > doneAtStop;
      const gone = !jobs.some((j) => j.accountId === accountId);
      if (worksAgain || gone) this.#current = null;
    }
    if (!this.#current) return null;
    const { accountId, message, link } = this.#current;
    return { accountId, message, link };
  }
}

function doneOf(jobs: readonly UsageLimitJob[], accountId: string): number {
  return jobs.filter((j) => j.accountId === accountId).reduce((sum, j) => sum + j.summary.counts.done, 0);
}
