/**
 * One photo, one Responses API call, through the official SDK with its own
 * retries off (the scheduler owns retrying). The body follows the ChatGPT-plan
 * rules (protocol notes §10.2): `store: false`, `stream: true`, guidance in
 * `instructions`, `input` as one user message, none of the forbidden fields.
 * A call succeeds only at `response.completed` (§10.3).
 */
import OpenAI from 'openai';
import { AnalysisError } from '../records/analysis-error';
import { type AnalysisCall, type AnalysisResponse, DEFAULT_TIMEOUT_MS, type RequestDeps } from './analysis-call';
import { chatCompletion } from './chat-completion';
import { abortedError, classifySdkError, classifySessionError, refusesStructuredOutput } from './classify';
import { streamResponse } from './responses-stream';

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
          const once = this.deps.useChatCompletions ? chatCompletion : streamResponse;
          return await once(this.deps, this.#sdk(token), call, structured, () => {
            if (probe && structured) {
              capabilities.settle(key, true);
              probe = false;
            }
          });
        } catch (error) {
          const failure = error instanceof AnalysisError ? error : classifySdkError(error, false, '', undefined, this.deps.clock.now());
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
}
