/**
 * "Cancel" that can be taken back for a few seconds: the job is paused at
 * once, and cancelled for good only when the grace period (on the core's
 * clock) ends without an undo. Undo puts the job back as it was (running
 * again if it was running, paused if it was paused).
 */
import type { Clock } from '../../kernel/deps';

/** How long "Undo" is offered after "Cancel". */
export const CANCEL_GRACE_MS = 6_000;

interface Pending {
  until: number;
  /** The job ran (or waited to run) before the cancel: undo resumes it. */
  wasActive: boolean;
  timer: { cancel(): void };
}

export class CancelGrace {
  readonly #pending = new Map<string, Pending>();

  constructor(
    private readonly clock: Clock,
    /** How long "Undo" is offered; 0: cancel at once. */
    readonly graceMs: number,
    /** Cancels the job for good (errors are the caller's to log). */
    private readonly finalise: (jobId: string) => Promise<void>,
  ) {}

  /** Starts the grace period; false when there is none (cancel at once). */
  begin(jobId: string, wasActive: boolean): boolean {
    if (this.graceMs <= 0) return false;
    if (this.#pending.has(jobId)) return true;
    const timer = this.clock.setTimeout(() => void this.#finish(jobId), this.graceMs);
    this.#pending.set(jobId, { until: this.clock.now() + this.graceMs, wasActive, timer });
    return true;
  }

  /** Takes a pending cancel back: whether the job was active before it, or undefined when none is pending. */
  undo(jobId: string): { wasActive: boolean } | undefined {
    const pending = this.#pending.get(jobId);
    if (!pending) return undefined;
    pending.timer.cancel();
    this.#pending.delete(jobId);
    return { wasActive: pending.wasActive };
  }

  /** The cancel waiting out its undo window, if any: whether the job was active before it. */
  pendingOf(jobId: string): { wasActive: boolean } | undefined {
    const pending = this.#pending.get(jobId);
    return pending && { wasActive: pending.wasActive };
  }

  /** When the undo window of this job closes; null when no cancel is pending. */
  until(jobId: string): number | null {
    return this.#pending.get(jobId)?.until ?? null;
  }

  /** Finalises every pending cancel now (quitting: the person asked for it). */
  async finishAll(): Promise<void> {
    await Promise.all([...this.#pending.keys()].map((id) => this.#finish(id)));
  }

  async #finish(jobId: string): Promise<void> {
    const pending = this.#pending.get(jobId);
    if (!pending) return;
    pending.timer.cancel();
    this.#pending.delete(jobId);
    await this.finalise(jobId);
  }
}
