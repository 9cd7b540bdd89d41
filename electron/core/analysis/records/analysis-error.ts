/**
 * The one error type the analysis pipeline passes around. Its `disposition`
 * is what the scheduler acts on, so classification happens once, next to the
 * HTTP call, and the scheduler never inspects status codes itself.
 */
import type { ErrorCode } from '../../../contract';
import { LoupeError } from '../../kernel/errors';
import { MANAGE_USAGE_URL } from '../../kernel/external-links';
import type { RateInfo } from './rate-headers';

export type Disposition =
  /** Wait for the global pause the pacer (pacing/flow-governor.ts) sets, then try again (429). */
  | 'rate_limit'
  /** Transient: retry this item with exponential backoff, within its attempt budget. */
  | 'backoff'
  /** This item cannot succeed as sent: record the failure, never resend the same body. */
  | 'fail_item'
  /**
   * Loupe's own code threw while handling this item (not the network, not the
   * server): fail it once, keeping any paid answer, and never retry, since a
   * retry would pay again for the same failure. The run stops the job when
   * photo after photo fails the same way.
   */
  | 'internal'
  /** Every further request would fail the same way: stop the job, keep what is done, resumable later. */
  | 'stop_job'
  /** The job (or the app) gave up on this request on purpose. */
  | 'aborted';

export interface ErrorDetails {
  disposition: Disposition;
  status?: number;
  /** The API's `error.code` (or a stream event's code). */
  apiCode?: string;
  param?: string;
  requestId?: string;
  rate?: RateInfo;
  /** Text that streamed before the failure (never thrown away). */
  partialText?: string;
  /** Where to send the person, e.g. ChatGPT's usage settings. */
  link?: { label: string; url: string };
  /** Tokens already paid for when the failure came after a complete answer. */
  usage?: { input_tokens: number; output_tokens: number };
  /** For `internal`: the name of what was thrown (never its message, which may quote the answer). */
  cause?: string;
}

export class AnalysisError extends LoupeError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly details: ErrorDetails,
  ) {
    super(code, message, { retryable: details.disposition === 'backoff' || details.disposition === 'rate_limit' });
    this.name = 'AnalysisError';
  }

  /** Fields safe to log: never the server's message, which may echo the prompt. */
  logFields(): Record<string, unknown> {
    const { status, apiCode, param, requestId, cause } = this.details;
    return { code: this.code, status, apiCode, param, requestId, ...(cause ? { cause } : {}) };
  }
}

/** The name of something thrown, for logs and messages: never its text. */
export function thrownName(error: unknown): string {
  if (error instanceof Error) return /^[A-Za-z][\w$]{0,40}$/.test(error.name) ? error.name : 'Error';
  return typeof error;
}

/**
 * An exception raised by Loupe's own code while handling a photo. `doing`
 * completes "…while Loupe was ___"; `details` carry the paid answer, if any.
 */
export function internalError(error: unknown, doing: string, details: Omit<ErrorDetails, 'disposition' | 'cause'> = {}): AnalysisError {
  const cause = thrownName(error);
  const kept = details.partialText ? ' The answer is kept in the photo’s result file.' : '';
  return new AnalysisError(
    'internal_error',
    `Loupe failed while ${doing} (${cause}). The photo isn’t tried again, so nothing is paid for twice.${kept}`,
    {
      ...details,
      disposition: 'internal',
      cause,
    },
  );
}

/** The output folder refused a write: the job stops (nothing more is paid for); the answers received are written on resume. */
export function outputRefused(): AnalysisError {
  return new AnalysisError(
    'output_unwritable',
    'Loupe can’t write into the output folder. Check that it exists and has space, then resume the job: the answers already received will be written without asking again.',
    { disposition: 'stop_job' },
  );
}

export const MANAGE_USAGE = { label: 'Manage usage', url: MANAGE_USAGE_URL } as const;
