/**
 * Runs one job's items: prepares photos just in time (a prefetch window about
 * as deep as the concurrency, so memory stays bounded however many photos
 * were dropped), sends them as the governor allows, and decides what happens
 * after each failure from the error's disposition: pause and retry on 429,
 * back off on transient errors, fail the item on a refused body, stop the job
 * when no further request could succeed.
 *
 * The scheduler holds no photo state of its own; the hooks do the work and
 * the bookkeeping, so this file is only about order and timing.
 */
import type { Clock } from '../../kernel/deps';
import { AnalysisError, internalError } from '../records/analysis-error';
import type { Pacer as Governor } from './flow-governor';
import { FifoQueue } from './fifo-queue';
import type { PrepareOutcome, RunOutcome, SchedulerHooks, SchedulerTuning } from './scheduler-hooks';

export { DEFAULT_SCHEDULER_TUNING, type PrepareOutcome, type RunOutcome, type SchedulerHooks, type SchedulerTuning } from './scheduler-hooks';

interface Ready<P> {
  id: string;
  payload: P;
  notBefore: number;
  attempts: number;
  rateLimited: number;
}

type State = 'running' | 'paused' | 'stopped' | 'cancelled';

export class Scheduler<P, R> {
  /** Items not yet started, taken from the front (FifoQueue: shift() on a large array copies it every time). */
  #queue: FifoQueue;
  #ready: Ready<P>[] = [];
  #preparing = new Set<string>();
  /** When each preparation started, and how long one takes (moving average), for the prefetch depth. */
  #prepareStarted = new Map<string, number>();
  #prepareMs = 0;
  #waiting = new Set<string>();
  #inFlight = new Map<string, AbortController>();
  /** Answers being recorded: the item isn't done until `succeeded`/`failed` resolves. */
  #settling = 0;
  #state: State = 'running';
  #prepareAbort = new AbortController();
  #timer: { cancel(): void } | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #resolve!: (outcome: RunOutcome) => void;
  #finished = false;
  /** Photos failed in a row by the same internal error, with no success in between. */
  #internal: { key: string; count: number } | undefined;
  readonly done: Promise<RunOutcome>;

  constructor(
    itemIds: string[],
    private readonly hooks: SchedulerHooks<P, R>,
    private readonly governor: Governor,
    private readonly tuning: SchedulerTuning,
    private readonly clock: Clock,
  ) {
    this.#queue = new FifoQueue(itemIds);
    this.done = new Promise<RunOutcome>((resolve) => (this.#resolve = resolve));
  }

  start(): Promise<RunOutcome> {
    this.#pump();
    return this.done;
  }

  /** Stop starting items; what is in flight finishes and is recorded. */
  pause(): void {
    this.#halt('paused');
  }

  /** Like pause, after a job-level failure. */
  stop(): void {
    this.#halt('stopped');
  }

  /** Abort everything in flight; nothing more is recorded. */
  cancel(): void {
    this.#halt('cancelled');
    this.#prepareAbort.abort();
    for (const controller of this.#inFlight.values()) controller.abort();
  }

  #halt(state: Exclude<State, 'running'>): void {
    if (this.#finished) return;
    if (this.#state === 'running' || (state === 'cancelled' && this.#state !== 'cancelled')) this.#state = state;
    for (const entry of this.#ready) this.hooks.released(entry.id);
    this.#ready = [];
    for (const id of this.#waiting) this.hooks.released(id);
    this.#waiting.clear();
    this.#queue.clear();
    this.#pump();
  }

  #pump(): void {
    if (this.#finished) return;
    if (this.#state === 'running') {
      this.#startPreparations();
      this.#dispatch();
    }
    const busy = this.#preparing.size + this.#inFlight.size + this.#settling;
    const idle = busy === 0 && this.#waiting.size === 0 && this.#ready.length === 0 && this.#queue.size === 0;
    if (this.#state === 'running' ? idle : busy === 0) {
      this.#finished = true;
      this.#clearTimer();
      this.#resolve(this.#state === 'running' ? 'drained' : this.#state);
    }
  }

  #startPreparations(): void {
    const window = this.governor.prefetch(this.#prepareMs, this.tuning.prepareParallel, this.tuning.maxPrefetch);
    while (this.#queue.size > 0 && this.#preparing.size < this.tuning.prepareParallel && this.#preparing.size + this.#ready.length < window) {
      const id = this.#queue.take()!;
      this.#preparing.add(id);
      this.#prepareStarted.set(id, this.clock.now());
      this.hooks.prepare(id, this.#prepareAbort.signal).then(
        (outcome) => this.#prepared(id, outcome),
        (error: unknown) => {
          this.#preparing.delete(id);
          this.#prepareStarted.delete(id);
          const failure = asAnalysisError(error);
          if (this.#state === 'running') void this.#settle(this.hooks.failed(id, failure));
          else this.hooks.released(id);
          if (failure.details.disposition === 'internal') this.#noteInternal(failure);
          this.#pump();
        },
      );
    }
  }

  #prepared(id: string, outcome: PrepareOutcome<P>): void {
    this.#preparing.delete(id);
    const began = this.#prepareStarted.get(id);
    this.#prepareStarted.delete(id);
    if (began !== undefined && outcome.kind === 'send') {
      const took = this.clock.now() - began;
      this.#prepareMs = this.#prepareMs ? this.#prepareMs + 0.2 * (took - this.#prepareMs) : took;
    }
    if (this.#state !== 'running') {
      if (outcome.kind !== 'settled') this.hooks.released(id);
    } else if (outcome.kind === 'send') {
      this.#ready.push({ id, payload: outcome.payload, notBefore: 0, attempts: 0, rateLimited: 0 });
    } else if (outcome.kind === 'wait') {
      this.#waiting.add(id);
      void outcome.until.then(() => {
        this.#waiting.delete(id);
        this.#pump();
      });
    }
    this.hooks.changed();
    this.#pump();
  }

  #dispatch(): void {
    for (;;) {
      const now = this.clock.now();
      const index = this.#ready.findIndex((r) => r.notBefore <= now);
      if (index < 0) {
        const next = Math.min(...this.#ready.map((r) => r.notBefore));
        if (Number.isFinite(next)) this.#wakeAt(next);
        return;
      }
      const decision = this.governor.canStart(this.hooks.cost?.(this.#ready[index]!.payload));
      if (!decision.ok) {
        if (Number.isFinite(decision.waitMs)) this.#wakeAt(now + decision.waitMs);
        return;
      }
      const [entry] = this.#ready.splice(index, 1);
      this.#send(entry!);
    }
  }

  #send(entry: Ready<P>): void {
    const seq = this.governor.started(this.hooks.cost?.(entry.payload));
    const controller = new AbortController();
    this.#inFlight.set(entry.id, controller);
    this.hooks.sending(entry.id, entry.attempts + 1);
    this.hooks
      .send(entry.id, entry.payload, controller.signal, (rate) => this.governor.admitted(seq, rate))
      .then(
        (result) => {
          this.governor.finished(seq, { ok: true });
          this.#inFlight.delete(entry.id);
          // A paused job still records answers already paid for; a cancelled one doesn't.
          if (this.#state === 'cancelled') this.hooks.released(entry.id);
          else {
            this.#internal = undefined;
            void this.#settle(this.hooks.succeeded(entry.id, result));
          }
        },
        (error: unknown) => {
          this.governor.finished(seq);
          this.#inFlight.delete(entry.id);
          this.#afterFailure(entry, seq, asAnalysisError(error));
        },
      )
      .finally(() => this.#pump());
  }

  #afterFailure(entry: Ready<P>, seq: number, error: AnalysisError): void {
    const { disposition } = error.details;
    if (disposition === 'rate_limit') this.governor.rateLimited(seq, error.details.rate ?? {});
    if (this.#state === 'cancelled' || disposition === 'aborted') {
      this.hooks.released(entry.id);
      return;
    }
    if (disposition === 'stop_job') {
      if (this.#state === 'running') {
        this.hooks.stop(error);
        this.#halt('stopped');
      }
      this.hooks.released(entry.id);
      return;
    }
    if (disposition === 'fail_item') {
      void this.#settle(this.hooks.failed(entry.id, error));
      return;
    }
    if (disposition === 'internal') {
      // Recorded once, never retried: a retry would pay again for Loupe's own failure.
      void this.#settle(this.hooks.failed(entry.id, error));
      this.#noteInternal(error);
      return;
    }
    // rate_limit or backoff: retry while the budget lasts.
    if (disposition === 'rate_limit') entry.rateLimited++;
    else entry.attempts++;
    const exhausted = disposition === 'rate_limit' ? entry.rateLimited > this.tuning.maxRateLimitRetries : entry.attempts >= this.tuning.maxAttempts;
    if (exhausted) {
      void this.#settle(this.hooks.failed(entry.id, error));
      return;
    }
    if (this.#state !== 'running') {
      this.hooks.released(entry.id);
      return;
    }
    const now = this.clock.now();
    entry.notBefore =
      disposition === 'rate_limit' ? this.governor.pausedUntil : now + Math.max(this.#backoff(entry.attempts), error.details.rate?.retryAfterMs ?? 0);
    this.hooks.retrying(entry.id, error, entry.notBefore);
    // Retries go first: they have waited longest and hold a prepared photo.
    this.#ready.unshift(entry);
  }

  /**
   * The same internal error on photo after photo means every further photo
   * would fail the same way after its request was paid for: stop the job
   * (resumable) instead of sending the rest.
   */
  #noteInternal(error: AnalysisError): void {
    const key = `${error.code}:${error.details.cause ?? ''}`;
    this.#internal = this.#internal?.key === key ? { key, count: this.#internal.count + 1 } : { key, count: 1 };
    const limit = this.tuning.maxInternalStreak ?? 3;
    if (this.#internal.count < limit || this.#state !== 'running') return;
    this.hooks.stop(
      new AnalysisError(
        'internal_error',
        `Loupe stopped this job: ${this.#internal.count} photos in a row failed with the same internal error (${error.details.cause ?? 'unknown'}), so the others would too. Their answers are kept; resume the job once the cause is fixed.`,
        { disposition: 'stop_job', cause: error.details.cause ?? 'unknown' },
      ),
    );
    this.#halt('stopped');
  }

  /** Exponential with "equal jitter": half fixed, half random, so retries spread out but never come back instantly. */
  #backoff(attempt: number): number {
    const ceiling = Math.min(this.tuning.backoffMaxMs, this.tuning.backoffBaseMs * 2 ** (attempt - 1));
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }

  async #settle(recording: Promise<void>): Promise<void> {
    this.#settling++;
    try {
      await recording;
    } catch {
      // The hooks log their own failures; the scheduler only needs to know the item is no longer busy.
    } finally {
      this.#settling--;
      this.hooks.changed();
      this.#pump();
    }
  }

  #wakeAt(at: number): void {
    if (this.#timer && at >= this.#timerAt) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = this.clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#pump();
      },
      Math.max(0, at - this.clock.now()),
    );
  }

  #clearTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }
}

function asAnalysisError(error: unknown): AnalysisError {
  if (error instanceof AnalysisError) return error;
  return internalError(error, 'handling this photo');
}
