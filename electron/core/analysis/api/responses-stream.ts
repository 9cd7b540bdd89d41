/**
 * One Responses API call, streamed (request.ts): success only at
 * `response.completed` (protocol notes §10.3), with the whole-call deadline
 * and the grace after the terminal event on the injected clock.
 */
import { requestSignal } from './linked-signal';
import type OpenAI from 'openai';
import type { Response as ApiResponse, ResponseOutputItem } from 'openai/resources/responses/responses';
import { AnalysisError } from '../records/analysis-error';
import { type AnalysisCall, type AnalysisResponse, DEFAULT_TIMEOUT_MS, type RequestDeps } from './analysis-call';
import { checkAnswer } from './checked-answer';
import { abortedError, classifyIncomplete, classifySdkError, classifyStreamFailure, streamInterrupted } from './classify';
import { readRateInfo } from '../records/rate-headers';
import { buildBody } from './request-body';

const DEFAULT_MAX_TEXT = 16 * 1024 * 1024;
/** After the terminal event the server should close the stream; don't wait on one that doesn't. */
const AFTER_TERMINAL_GRACE_MS = 5_000;

export async function streamResponse(
  deps: RequestDeps,
  sdk: OpenAI,
  call: AnalysisCall,
  structured: boolean,
  admitted: () => void,
): Promise<AnalysisResponse> {
  const afterTerminal = new AbortController();
  const { signal, deadline, end } = requestSignal(deps.clock, deps.timeoutMs ?? DEFAULT_TIMEOUT_MS, [afterTerminal.signal, call.signal]);
  const maxText = deps.maxTextChars ?? DEFAULT_MAX_TEXT;
  let text = '';
  let requestId: string | undefined;
  let inStream = false;
  let terminal: ApiResponse | undefined;
  let graceTimer: { cancel(): void } | undefined;
  const doneItems: string[] = [];
  try {
    const { data: stream, response } = await sdk.responses.create(buildBody(call, structured), { signal, maxRetries: 0 }).withResponse();
    requestId = response.headers.get('x-request-id') ?? undefined;
    const contentType = response.headers.get('content-type');
    if (contentType && !/^text\/event-stream\b/i.test(contentType.trim())) {
      stream.controller.abort();
      throw new AnalysisError('invalid_stream', `The API answered without a stream (${contentType.split(';')[0]}).`, {
        disposition: 'fail_item',
        status: response.status,
        ...(requestId ? { requestId } : {}),
      });
    }
    admitted();
    call.onAdmitted?.(readRateInfo(response.headers, deps.clock.now()));
    inStream = true;

    for await (const event of stream) {
      switch (event.type) {
        case 'response.output_text.delta':
          text += event.delta;
          if (text.length > maxText) {
            stream.controller.abort();
            throw new AnalysisError('response_too_large', 'The answer was longer than Loupe accepts.', {
              disposition: 'fail_item',
              partialText: text.slice(0, maxText),
              ...(requestId ? { requestId } : {}),
            });
          }
          break;
        case 'response.output_item.done':
          doneItems.push(messageText([event.item]));
          break;
        case 'response.completed':
          terminal = event.response;
          graceTimer = deps.clock.setTimeout(() => afterTerminal.abort(), AFTER_TERMINAL_GRACE_MS);
          break;
        case 'response.failed':
          stream.controller.abort();
          throw classifyStreamFailure(event.response.error?.code ?? undefined, undefined, requestId, text);
        case 'response.incomplete': {
          stream.controller.abort();
          const usage = event.response.usage;
          throw classifyIncomplete(
            event.response.incomplete_details?.reason ?? undefined,
            text || messageText(event.response.output),
            requestId,
            usage ? { input_tokens: usage.input_tokens ?? 0, output_tokens: usage.output_tokens ?? 0 } : undefined,
          );
        }
        case 'error':
          stream.controller.abort();
          throw classifyStreamFailure(event.code ?? undefined, event.param ?? undefined, requestId, text);
        default:
          break;
      }
    }
    if (!terminal) {
      if (call.signal?.aborted) throw abortedError('cancelled', text);
      if (deadline.aborted) throw abortedError('timeout', text);
      throw streamInterrupted(text, requestId);
    }
  } catch (error) {
    if (error instanceof AnalysisError) throw error;
    if (!terminal) {
      if (call.signal?.aborted) throw abortedError('cancelled', text);
      if (deadline.aborted) throw abortedError('timeout', text);
      throw classifySdkError(error, inStream, text, requestId, deps.clock.now());
    }
    // The answer was complete; a connection that broke after the terminal event changes nothing.
  } finally {
    end();
    graceTimer?.cancel();
  }
  if (!terminal) throw streamInterrupted(text, requestId);
  // The completed response is authoritative; it can arrive with empty `output` (§10.3), then deltas, then finished items.
  const finalText = messageText(terminal.output) || text || doneItems.join('');
  const usage = { input_tokens: terminal.usage?.input_tokens ?? 0, output_tokens: terminal.usage?.output_tokens ?? 0 };
  const answer = checkAnswer(finalText, call.preset.validate, usage, requestId ?? null);
  const result: AnalysisResponse = {
    text: finalText,
    usage,
    requestId: requestId ?? null,
    model: terminal.model || call.model,
    structured,
  };
  if (answer.parsed !== undefined) result.parsed = answer.parsed;
  if (answer.parseError !== undefined) result.parseError = answer.parseError;
  return result;
}

/** Output text of message items; when the model marks phases, only the final answer counts. */
function messageText(items: ResponseOutputItem[] | undefined): string {
  const messages = (items ?? []).filter((item): item is Extract<ResponseOutputItem, { type: 'message' }> => item.type === 'message');
  const finals = messages.filter((m) => (m as { phase?: string | null }).phase === 'final_answer');
  return (finals.length ? finals : messages)
    .flatMap((m) => m.content)
    .map((part) => (part.type === 'output_text' ? part.text : ''))
    .join('');
}
