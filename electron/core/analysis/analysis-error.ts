/**
 * The one error type the analysis pipeline passes around. Its `disposition`
 * is what the scheduler acts on, so classification happens once, next to the
 * HTTP call, and the scheduler never inspects status codes itself.
 */
import type { ErrorCode } from '../../contract';
import { LoupeError } from '../kernel/errors';
import { MANAGE_USAGE_URL } from '../external-links';
import type { RateInfo } from './api/rate-headers';

export type Disposition =
  /** Wait for the global pause the governor sets, then try again (429). */
  | 'rate_limit'
  /** Transient: retry this item with exponential backoff, within its attempt budget. */
  | 'backoff'
  /** This item cannot succeed as sent: record the failure, never resend the same body. */
  | 'fail_item'
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
    const { status, apiCode, param, requestId } = this.details;
    return { code: this.code, status, apiCode, param, requestId };
  }
}

export const MANAGE_USAGE = { label: 'Manage usage', url: MANAGE_USAGE_URL } as const;
