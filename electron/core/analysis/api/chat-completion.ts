import { requestSignal } from './linked-signal';
import type OpenAI from 'openai';
import { AnalysisError } from '../records/analysis-error';
import { promptedJsonInstructions } from '../records/presets';
import { type AnalysisCall, type AnalysisResponse, DEFAULT_TIMEOUT_MS, type RequestDeps } from './analysis-call';
import { checkAnswer } from './checked-answer';
import { abortedError, classifySdkError } from './classify';
import { readRateInfo } from '../records/rate-headers';

/**
 * The same call through Chat Completions, for OpenAI-compatible servers
 * (vLLM, LM Studio, Ollama, LiteLLM…) that have no Responses API. Not
 * streamed: these servers' streaming differs too much to be worth it here.
 */
export async function chatCompletion(
  deps: RequestDeps,
  sdk: OpenAI,
  call: AnalysisCall,
  structured: boolean,
  admitted: () => void,
): Promise<AnalysisResponse> {
  const { signal, deadline, end } = requestSignal(deps.clock, deps.timeoutMs ?? DEFAULT_TIMEOUT_MS, [call.signal]);
  const { preset } = call;
  try {
    const { data, response } = await sdk.chat.completions
      .create(
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
    call.onAdmitted?.(readRateInfo(response.headers, deps.clock.now()));
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
    if (deadline.aborted) throw abortedError('timeout', '');
    throw classifySdkError(error, false, '', undefined, deps.clock.now());
  } finally {
    end();
  }
}
