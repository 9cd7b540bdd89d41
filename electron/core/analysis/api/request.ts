/**
 * One photo, one Responses API call, through the official SDK with its own
 * retries off (the scheduler owns retrying). The body follows the ChatGPT-plan
 * rules (protocol notes §10.2): `store: false`, `stream: true`, guidance in
 * `instructions`, `input` as one user message, none of the forbidden fields.
 * A call succeeds only at `response.completed` (§10.3).
 */
import OpenAI from 'openai';
import type { Response as ApiResponse, ResponseCreateParamsStreaming, ResponseOutputItem } from 'openai/resources/responses/responses';
import type { Logger } from '../../kernel/deps';
import { AnalysisError, internalError } from '../analysis-error';
import type { CapabilityMemory } from './capabilities';
import {
  abortedError,
  classifyIncomplete,
  classifySdkError,
  classifySessionError,
  classifyStreamFailure,
  refusesStructuredOutput,
  streamInterrupted,
} from './classify';
import { type ReadAnswer, type Validator, readAnswer } from './json-answer';
import { type Preset, promptedJsonInstructions } from '../presets';
import { type RateInfo, readRateInfo } from './rate-headers';

export type Detail = 'low' | 'high' | 'auto';

export interface SessionLike {
  accessToken(): Promise<string>;
  afterUnauthorized(token: string): Promise<string>;
}

export interface RequestDeps {
  apiBase: URL;
  fetch: typeof fetch;
  session: SessionLike;
  capabilities: CapabilityMemory;
  /** Capabilities differ between ChatGPT-plan and API-key traffic: verdicts are kept per kind and model. */
  accountKind: string;
  /** OpenAI-compatible servers without /v1/responses: send Chat Completions instead. */
  useChatCompletions?: boolean;
  log: Logger;
  /** Whole-call deadline, headers to terminal event (the DevKit uses 180 s). */
  timeoutMs?: number;
  /** Longest answer accepted (the DevKit caps text at 16 MiB). */
  maxTextChars?: number;
}

export interface AnalysisCall {
  model: string;
  preset: Preset;
  image: { mime: string; data: Buffer };
  detail: Detail;
  signal?: AbortSignal;
  /** The server admitted the request (HTTP 200 headers arrived), with its pacing hints. */
  onAdmitted?(rate: RateInfo): void;
}

export interface AnalysisResponse {
  text: string;
  parsed?: unknown;
  parseError?: string;
  usage: { input_tokens: number; output_tokens: number };
  requestId: string | null;
  model: string;
  /** Whether the answer came through strict structured outputs (else prompted JSON or free text). */
  structured: boolean;
}

const DEFAULT_TIMEOUT_MS = 180_000;
const DEFAULT_MAX_TEXT = 16 * 1024 * 1024;
/** After the terminal event the server should close the stream; don't wait on one that doesn't. */
const AFTER_TERMINAL_GRACE_MS = 5_000;

const silentSdkLogger = { error() {}, warn() {}, info() {}, debug() {} };

export class AnalysisClient {
  #client: { token: string; sdk: OpenAI } | undefined;

  constructor(private readonly deps: RequestDeps) {}

  async analyse(call: AnalysisCall): Promise<AnalysisResponse> {
    const { capabilities, session } = this.deps;
    let token = await session.accessToken().catch((error: unknown) => {
      throw classifySessionError(error);
    });
    const key = `${this.deps.accountKind}${this.deps.useChatCompletions ? '+chat' : ''}:${call.model}`;
    let structured = false;
    let probe = false;
    if (call.preset.schema) {
      try {
        ({ structured, probe } = await capabilities.plan(key, call.signal));
      } catch {
        throw abortedError('cancelled');
      }
    }
    let reauthorised = false;
    try {
      for (;;) {
        try {
          const once = this.deps.useChatCompletions ? this.#onceChat.bind(this) : this.#once.bind(this);
          return await once(call, token, structured, () => {
            if (probe && structured) {
              capabilities.settle(key, true);
              probe = false;
            }
          });
        } catch (error) {
          const failure = error instanceof AnalysisError ? error : classifySdkError(error, false, '', undefined);
          if (failure.code === 'unauthorized' && failure.details.status === 401 && !reauthorised) {
            // §11.1: refresh once, retry once.
            reauthorised = true;
            token = await session.afterUnauthorized(token).catch((e: unknown) => {
              throw classifySessionError(e);
            });
            continue;
          }
          if (structured && refusesStructuredOutput(failure)) {
            // A changed body (prompted JSON), never the refused one again (§11.2).
            this.deps.log.info('structured outputs refused; using prompted JSON', { model: call.model, param: failure.details.param });
            capabilities.record(key, false);
            if (probe) capabilities.settle(key, false);
            probe = false;
            structured = false;
            continue;
          }
          throw failure;
        }
      }
    } finally {
      if (probe) capabilities.settle(key, undefined);
    }
  }

  #sdk(token: string): OpenAI {
    if (this.#client?.token !== token) {
      this.#client = {
        token,
        sdk: new OpenAI({
          apiKey: token,
          baseURL: this.deps.apiBase.href.replace(/\/$/, ''),
          fetch: this.deps.fetch,
          maxRetries: 0,
          timeout: this.deps.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          // Plan usage must not carry org/project headers (DevKit strips them); don't let env vars add them.
          organization: null,
          project: null,
          // The SDK logs unparsable stream chunks, which may echo the prompt.
          logger: silentSdkLogger,
          logLevel: 'off',
          fetchOptions: { redirect: 'error' },
          defaultHeaders: { accept: 'text/event-stream' },
        }),
      };
    }
    return this.#client.sdk;
  }

  /**
   * The same call through Chat Completions, for OpenAI-compatible servers
   * (vLLM, LM Studio, Ollama, LiteLLM…) that have no Responses API. Not
   * streamed: these servers' streaming differs too much to be worth it here.
   */
  async #onceChat(call: AnalysisCall, token: string, structured: boolean, admitted: () => void): Promise<AnalysisResponse> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.deps.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = AbortSignal.any([deadline.signal, ...(call.signal ? [call.signal] : [])]);
    const { preset } = call;
    try {
      const { data, response } = await this.#sdk(token)
        .chat.completions.create(
          {
            model: call.model,
            messages: [
              { role: 'system', content: structured || !preset.schema ? preset.instructions : promptedJsonInstructions(preset) },
              {
                role: 'user',
                content: [
                  { type: 'text', text: preset.prompt },
                  {
                    type: 'image_url',
                    image_url: { url: `data:${call.image.mime};base64,${call.image.data.toString('base64')}`, detail: call.detail },
                  },
                ],
              },
            ],
            ...(structured && preset.schema
              ? { response_format: { type: 'json_schema' as const, json_schema: { name: preset.formatName, schema: preset.schema, strict: true } } }
              : {}),
          },
          { signal, maxRetries: 0, headers: { accept: 'application/json' } },
        )
        .withResponse();
      admitted();
      call.onAdmitted?.(readRateInfo(response.headers));
      const text = data.choices[0]?.message?.content ?? '';
      const usage = { input_tokens: data.usage?.prompt_tokens ?? 0, output_tokens: data.usage?.completion_tokens ?? 0 };
      const requestId = response.headers.get('x-request-id');
      const answer = checkAnswer(text, preset.validate, usage, requestId);
      const result: AnalysisResponse = {
        text,
        usage,
        requestId,
        model: data.model || call.model,
        structured,
      };
      if (answer.parsed !== undefined) result.parsed = answer.parsed;
      if (answer.parseError !== undefined) result.parseError = answer.parseError;
      return result;
    } catch (error) {
      if (error instanceof AnalysisError) throw error;
      if (call.signal?.aborted) throw abortedError('cancelled', '');
      if (deadline.signal.aborted) throw abortedError('timeout', '');
      throw classifySdkError(error, false, '', undefined);
    } finally {
      clearTimeout(timer);
    }
  }

  async #once(call: AnalysisCall, token: string, structured: boolean, admitted: () => void): Promise<AnalysisResponse> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.deps.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const afterTerminal = new AbortController();
    const signal = AbortSignal.any([deadline.signal, afterTerminal.signal, ...(call.signal ? [call.signal] : [])]);
    const maxText = this.deps.maxTextChars ?? DEFAULT_MAX_TEXT;
    let text = '';
    let requestId: string | undefined;
    let inStream = false;
    let terminal: ApiResponse | undefined;
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const doneItems: string[] = [];
    try {
      const { data: stream, response } = await this.#sdk(token)
        .responses.create(buildBody(call, structured), { signal, maxRetries: 0 })
        .withResponse();
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
      call.onAdmitted?.(readRateInfo(response.headers));
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
            graceTimer = setTimeout(() => afterTerminal.abort(), AFTER_TERMINAL_GRACE_MS);
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
        if (deadline.signal.aborted) throw abortedError('timeout', text);
        throw streamInterrupted(text, requestId);
      }
    } catch (error) {
      if (error instanceof AnalysisError) throw error;
      if (!terminal) {
        if (call.signal?.aborted) throw abortedError('cancelled', text);
        if (deadline.signal.aborted) throw abortedError('timeout', text);
        throw classifySdkError(error, inStream, text, requestId);
      }
      // The answer was complete; a connection that broke after the terminal event changes nothing.
    } finally {
      clearTimeout(timer);
      if (graceTimer) clearTimeout(graceTimer);
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
}

/**
 * Checks a complete, paid answer. An exception here is Loupe's own (the
 * answer already arrived): it fails the photo once as an internal error that
 * carries the answer and its usage, never a retry that would pay again.
 */
function checkAnswer(text: string, validate: Validator | null, usage: AnalysisResponse['usage'], requestId: string | null): ReadAnswer {
  try {
    return readAnswer(text, validate);
  } catch (error) {
    throw internalError(error, 'checking the answer against the schema', { partialText: text, usage, ...(requestId ? { requestId } : {}) });
  }
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

export function buildBody(call: Pick<AnalysisCall, 'model' | 'preset' | 'image' | 'detail'>, structured: boolean): ResponseCreateParamsStreaming {
  const { preset } = call;
  const body: ResponseCreateParamsStreaming = {
    model: call.model,
    instructions: structured || !preset.schema ? preset.instructions : promptedJsonInstructions(preset),
    input: [
      {
        role: 'user',
        content: [
          { type: 'input_text', text: preset.prompt },
          { type: 'input_image', image_url: `data:${call.image.mime};base64,${call.image.data.toString('base64')}`, detail: call.detail },
        ],
      },
    ],
    store: false,
    stream: true,
  };
  if (structured && preset.schema) {
    body.text = { format: { type: 'json_schema', name: preset.formatName, schema: preset.schema, strict: true } };
  }
  return body;
}
