/**
 * Maps what the Responses API (or the network) did into an AnalysisError the
 * scheduler can act on, following protocol notes §11: keep status, code,
 * param and request id; never keep the server's message, which may echo the
 * prompt; key on `error.code`, never on wording.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { LoupeError } from '../../kernel/errors';
import { isNetworkError } from '../../kernel/network';
import { AnalysisError, type ErrorDetails, MANAGE_USAGE, internalError } from '../records/analysis-error';
import { readRateInfo } from '../records/rate-headers';

/** Legacy `subscription_sharing_v2_*` codes map to their successors (§11.2). */
function canonicalCode(code: string | undefined): string | undefined {
  if (!code) return code;
  const legacy = /^subscription_sharing_v2_(.+)$/.exec(code);
  return legacy ? `subscription_sharing_${legacy[1]}` : code;
}

const ref = (d: Pick<ErrorDetails, 'status' | 'apiCode' | 'requestId'>): string => {
  const parts = [d.status ? `HTTP ${d.status}` : undefined, d.apiCode, d.requestId ? `request ${d.requestId}` : undefined].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
};

export function usageLimitError(details: Omit<ErrorDetails, 'disposition'>): AnalysisError {
  return new AnalysisError(
    'usage_limit',
    'You’ve reached your ChatGPT plan’s usage limit for Loupe. Choose “Manage usage” to check it, then resume the job; finished photos are kept.',
    { ...details, disposition: 'stop_job', link: MANAGE_USAGE },
  );
}

/** An error the API returned before any stream opened (HTTP status ≥ 400); `now` is the clock's time, for `retry-after` dates. */
export function classifyHttpError(
  status: number,
  body: { code?: string | null; param?: string | null; type?: string | null } | undefined,
  headers: { get(name: string): string | null } | undefined,
  requestId: string | undefined,
  now: number,
): AnalysisError {
  const apiCode = canonicalCode(body?.code ?? undefined);
  const base: Omit<ErrorDetails, 'disposition'> = { status, rate: readRateInfo(headers, now) };
  if (apiCode) base.apiCode = apiCode;
  if (body?.param) base.param = body.param;
  if (requestId) base.requestId = requestId;
  const at = ref(base);

  if (apiCode === 'subscription_sharing_usage_limit_exceeded') return usageLimitError(base);
  if (apiCode === 'insufficient_quota' || body?.type === 'insufficient_quota') {
    return new AnalysisError('insufficient_quota', `This account has no API quota left. Check its plan and billing, then resume the job${at}.`, {
      ...base,
      disposition: 'stop_job',
    });
  }
  if (apiCode === 'subscription_sharing_user_not_eligible') {
    return new AnalysisError('not_eligible', `ChatGPT plan usage isn’t available for this account, workspace or policy${at}.`, {
      ...base,
      disposition: 'stop_job',
    });
  }
  if (apiCode === 'subscription_sharing_client_not_enabled') {
    return new AnalysisError('forbidden', `Loupe isn’t enabled for ChatGPT plan usage on this account${at}.`, { ...base, disposition: 'stop_job' });
  }
  if (apiCode === 'subscription_sharing_unsupported_capability') {
    const what = base.param ? `“${base.param}”` : 'part of the request';
    return new AnalysisError('unsupported_capability', `The model can’t accept ${what} with ChatGPT plan usage${at}.`, {
      ...base,
      // The scheduler decides: a `text.*` param means "switch to prompted JSON"; anything else stops the job.
      disposition: 'stop_job',
    });
  }
  if (apiCode === 'model_not_found') {
    return new AnalysisError('model_not_found', `The model isn’t available to this account. Choose a model from the list${at}.`, {
      ...base,
      disposition: 'stop_job',
    });
  }
  if (apiCode === 'invalid_json_schema') {
    return new AnalysisError('invalid_schema', `The API refused the output schema${at}. Check the custom schema.`, {
      ...base,
      disposition: 'stop_job',
    });
  }
  if (status === 401) {
    return new AnalysisError('unauthorized', `The API did not accept your ChatGPT session. Sign in again, then resume the job${at}.`, {
      ...base,
      disposition: 'stop_job',
    });
  }
  if (status === 403) {
    return new AnalysisError('forbidden', `The API refused the request for this account or region${at}.`, { ...base, disposition: 'stop_job' });
  }
  if (status === 429) {
    return new AnalysisError('rate_limited', `The API is limiting how fast Loupe may send photos${at}; Loupe slows down and retries.`, {
      ...base,
      disposition: 'rate_limit',
    });
  }
  if (status >= 500 || status === 408 || status === 409) {
    return new AnalysisError('server_error', `The OpenAI API had a temporary problem${at}.`, { ...base, disposition: 'backoff' });
  }
  if (status === 400 && isStructuredOutputRefusal(base.param, apiCode)) {
    // API-key servers word "json_schema isn't supported for this model" as a plain 400 on text.format.
    return new AnalysisError('unsupported_capability', `The model doesn’t support structured outputs${at}.`, { ...base, disposition: 'fail_item' });
  }
  if (status === 413) {
    return new AnalysisError('invalid_request', `The photo was too large for the API${at}.`, { ...base, disposition: 'fail_item' });
  }
  return new AnalysisError('invalid_request', `The API refused this photo’s request${at}.`, { ...base, disposition: 'fail_item' });
}

/** Only the exact `text.format` param with no code: deeper params (`text.format.schema`) are problems with the schema itself. */
function isStructuredOutputRefusal(param: string | undefined, apiCode: string | undefined): boolean {
  return (param === 'text.format' || param === 'text' || param === 'response_format' || param?.startsWith('response_format.') === true) && !apiCode;
}

/** Whether a refusal names the structured-output part of the body, so a prompted-JSON body is a real change. */
export function refusesStructuredOutput(error: AnalysisError): boolean {
  return error.code === 'unsupported_capability' && !!error.details.param && /^(text|response_format)(\.|$)/.test(error.details.param);
}

/** `response.failed` / `error` events: the stream opened with 200, then the server gave up. */
export function classifyStreamFailure(
  code: string | undefined,
  param: string | undefined,
  requestId: string | undefined,
  partialText: string,
): AnalysisError {
  const apiCode = canonicalCode(code);
  const base: Omit<ErrorDetails, 'disposition'> = { status: 200, partialText };
  if (apiCode) base.apiCode = apiCode;
  if (param) base.param = param;
  if (requestId) base.requestId = requestId;
  const at = ref(base);
  switch (apiCode) {
    case 'subscription_sharing_usage_limit_exceeded':
      return usageLimitError(base);
    case 'insufficient_quota':
    case 'subscription_sharing_user_not_eligible':
    case 'subscription_sharing_invalid_user':
    case 'subscription_sharing_client_not_enabled':
    case 'chatpass_v2_scope_not_authorized':
    case 'chatpass_v2_invalid_authorization_context':
      return new AnalysisError(
        apiCode === 'insufficient_quota' ? 'insufficient_quota' : 'forbidden',
        `The API stopped answering for this account${at}.`,
        {
          ...base,
          disposition: 'stop_job',
        },
      );
    case 'rate_limit_exceeded':
      return new AnalysisError('rate_limited', `The API is limiting how fast Loupe may send photos${at}.`, { ...base, disposition: 'rate_limit' });
    case 'subscription_sharing_unsupported_capability':
      return new AnalysisError('unsupported_capability', `The model can’t accept part of the request with ChatGPT plan usage${at}.`, {
        ...base,
        disposition: 'stop_job',
      });
    case 'invalid_prompt':
    case 'invalid_image':
    case 'invalid_image_format':
    case 'image_content_policy_violation':
      return new AnalysisError('invalid_request', `The model refused this photo${at}.`, { ...base, disposition: 'fail_item' });
    default:
      // server_error, server_is_overloaded and codes nobody documented: transient until proven otherwise.
      return new AnalysisError('server_error', `The model stopped before finishing${at}.`, { ...base, disposition: 'backoff' });
  }
}

/**
 * `response.incomplete` reasons that the same request would hit again: the
 * answer is cut off at the model's output limit, or stopped by the content
 * filter. A retry pays again for the same cut; anything else is retried.
 */
export const REPEATABLE_INCOMPLETE: ReadonlySet<string> = new Set(['max_output_tokens', 'content_filter']);

/** What a person reads for a photo whose answer was cut off. */
export function incompleteMessage(reason: string | undefined): string {
  if (reason === 'max_output_tokens')
    return 'The answer was cut off at the model’s output limit, so Loupe didn’t ask again (it would be cut off again). The partial answer is kept in the photo’s result file.';
  if (reason === 'content_filter')
    return 'The model’s content filter stopped the answer, so Loupe didn’t ask again. The partial answer is kept in the photo’s result file.';
  return `The model stopped before finishing (${reason ?? 'no reason given'}).`;
}

/**
 * `response.incomplete`: the answer was paid for (usage) but not finished.
 * A repeatable reason fails the photo once, its partial answer, usage and
 * request id kept; an unknown reason is treated as transient.
 */
export function classifyIncomplete(
  reason: string | undefined,
  partialText: string,
  requestId: string | undefined,
  usage: { input_tokens: number; output_tokens: number } | undefined,
): AnalysisError {
  const repeatable = reason !== undefined && REPEATABLE_INCOMPLETE.has(reason);
  return new AnalysisError('response_incomplete', incompleteMessage(reason), {
    disposition: repeatable ? 'fail_item' : 'backoff',
    partialText,
    ...(reason ? { apiCode: reason } : {}),
    ...(requestId ? { requestId } : {}),
    // Counted once, with the failure that keeps it; a retried (transient) one is not recorded.
    ...(repeatable && usage ? { usage } : {}),
  });
}

export function streamInterrupted(partialText: string, requestId: string | undefined): AnalysisError {
  const details: ErrorDetails = { disposition: 'backoff', partialText };
  if (requestId) details.requestId = requestId;
  return new AnalysisError('stream_interrupted', `The connection dropped before the answer was complete${ref(details)}.`, details);
}

export function abortedError(reason: 'cancelled' | 'timeout', partialText = ''): AnalysisError {
  return reason === 'timeout'
    ? new AnalysisError('timeout', 'The API took too long to answer.', { disposition: 'backoff', partialText })
    : new AnalysisError('cancelled', 'Stopped before the answer arrived.', { disposition: 'aborted', partialText });
}

/**
 * Anything the SDK threw. `inStream` tells a broken stream (retryable, partial
 * text kept) from a connection that never got a status. `now` is the clock's
 * time, for a `retry-after` date on an HTTP error.
 */
export function classifySdkError(error: unknown, inStream: boolean, partialText: string, requestId: string | undefined, now: number): AnalysisError {
  if (error instanceof AnalysisError) return error;
  // Loupe's own bugs are not the network: a retry would pay again for the same exception.
  if (isOwnFault(error)) return internalError(error, 'handling the API call', { partialText, ...(requestId ? { requestId } : {}) });
  if (error instanceof APIUserAbortError) return abortedError('cancelled', partialText);
  if (error instanceof APIConnectionTimeoutError) return abortedError('timeout', partialText);
  // Electron's net.fetch rejects with a plain `net::ERR_…` Error, not the SDK's connection error.
  if (error instanceof APIConnectionError || isNetworkError(error)) {
    if (inStream) return streamInterrupted(partialText, requestId);
    return new AnalysisError('network', 'Loupe couldn’t reach the OpenAI API.', { disposition: 'backoff' });
  }
  if (error instanceof APIError) {
    if (error.status !== undefined) {
      const status = error.status as number;
      const headers = error.headers as { get(name: string): string | null } | undefined;
      return classifyHttpError(
        status,
        error.error as { code?: string; param?: string; type?: string } | undefined,
        headers,
        error.requestID ?? requestId,
        now,
      );
    }
    // The SDK throws on an SSE event whose data carries `error` (the nested `error` event shape).
    const body = error.error as { code?: string; param?: string } | undefined;
    return classifyStreamFailure(body?.code ?? undefined, body?.param ?? undefined, requestId, partialText);
  }
  if (inStream) return streamInterrupted(partialText, requestId);
  return new AnalysisError('network', 'Loupe couldn’t reach the OpenAI API.', { disposition: 'backoff' });
}

/**
 * What only Loupe's own code throws: no network read or server body raises a
 * RangeError (a stack overflow), ReferenceError, EvalError or URIError, nor
 * one of Loupe's own errors. A bare TypeError or SyntaxError stays a network
 * problem: undici reports a body that broke off (`terminated`) and a
 * truncated JSON body that way.
 */
function isOwnFault(error: unknown): boolean {
  if (error instanceof APIError) return false;
  return (
    error instanceof RangeError ||
    error instanceof ReferenceError ||
    error instanceof EvalError ||
    error instanceof URIError ||
    error instanceof LoupeError
  );
}

/**
 * Errors from `session.accessToken()` / `afterUnauthorized()`. The session
 * keeps handing out a still-valid token through transient refresh trouble,
 * so a throw means no usable token now: stop the job (resumable) rather than
 * fail photo after photo.
 */
export function classifySessionError(error: unknown): AnalysisError {
  if (error instanceof AnalysisError) return error;
  if (error instanceof LoupeError) {
    if (error.options.retryable)
      return new AnalysisError(error.code, `${error.message} Resume the job once the session is back.`, { disposition: 'stop_job' });
    return new AnalysisError('signed_out', `${error.message} The job will continue where it stopped once you resume it.`, {
      disposition: 'stop_job',
    });
  }
  return new AnalysisError('signed_out', 'Loupe has no usable ChatGPT session. Sign in, then resume the job.', { disposition: 'stop_job' });
}
