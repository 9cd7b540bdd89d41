/**
 * Which requests of a running job are waiting to be sent again, and why, so
 * the window can say "Can't reach the server — retrying in 8 s" while it
 * happens instead of after the photo finally fails. Fed by the scheduler's
 * hooks (see `trackRetries`); knows nothing about timing itself.
 */
import type { JobSummaryView } from '../../../contract';
import type { AnalysisError } from '../records/analysis-error';
import type { SchedulerHooks } from './scheduler';

/** Why requests wait, in words for a person, by the error that made them wait. */
export function retryReason(code: string, message: string): string {
  switch (code) {
    case 'network':
    case 'stream_interrupted':
      return 'Can’t reach the server';
    case 'rate_limited':
      return 'The server asked Loupe to slow down';
    case 'server_error':
      return 'The server is having trouble';
    default:
      return message;
  }
}

export class RetryState {
  readonly #waiting = new Map<string, { at: number; reason: string }>();
  #latest: string | null = null;

  retrying(itemId: string, error: Pick<AnalysisError, 'code' | 'message'>, at: number): void {
    const reason = retryReason(error.code, error.message);
    this.#waiting.set(itemId, { at, reason });
    this.#latest = reason;
  }

  /** The item was sent again, finished or went back to the queue. */
  settled(itemId: string): void {
    this.#waiting.delete(itemId);
    if (this.#waiting.size === 0) this.#latest = null;
  }

  view(): JobSummaryView['retrying'] {
    if (this.#waiting.size === 0) return null;
    let nextAt: number | null = null;
    for (const { at } of this.#waiting.values()) if (Number.isFinite(at) && (nextAt === null || at < nextAt)) nextAt = at;
    return { count: this.#waiting.size, nextAt, reason: this.#latest ?? [...this.#waiting.values()][0]!.reason };
  }
}

/** The same hooks, reporting to `state` when items start waiting for a retry and when they stop waiting. */
export function trackRetries<P, R>(hooks: SchedulerHooks<P, R>, state: RetryState): SchedulerHooks<P, R> {
  return {
    ...hooks,
    sending: (id, attempt) => {
      state.settled(id);
      hooks.sending(id, attempt);
    },
    succeeded: (id, result) => {
      state.settled(id);
      return hooks.succeeded(id, result);
    },
    failed: (id, error) => {
      state.settled(id);
      return hooks.failed(id, error);
    },
    released: (id) => {
      state.settled(id);
      hooks.released(id);
    },
    retrying: (id, error, at) => {
      state.retrying(id, error, at);
      hooks.retrying(id, error, at);
    },
  };
}
