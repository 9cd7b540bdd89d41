// Responses API objects and server-sent events, shaped after captured api.openai.com streams:
// every event has `event:` + `data:` lines and a `sequence_number` from 0; deltas carry
// `logprobs: []` and an `obfuscation` pad; the stream ends with the terminal event and no
// `[DONE]`.

import { newId, obfuscation, splitDeltas, type TimedChunk } from './sse.ts';

export interface ResponseBase {
  id: string;
  created_at: number;
  model: string;
  instructions: string | null;
  textFormat: Record<string, unknown>;
  store: boolean;
}

export interface Usage {
  input: number;
  output: number;
}

export function responseObject(
  b: ResponseBase,
  status: 'in_progress' | 'completed' | 'failed' | 'incomplete',
  output: unknown[],
  usage: Usage | null,
  extra: { error?: { code: string; message: string }; incomplete?: string } = {},
): Record<string, unknown> {
  const done = status !== 'in_progress';
  return {
    id: b.id,
    object: 'response',
    created_at: b.created_at,
    status,
    background: false,
    completed_at: status === 'completed' ? Math.floor(Date.now() / 1000) : null,
    error: extra.error ?? null,
    incomplete_details: extra.incomplete ? { reason: extra.incomplete } : null,
    instructions: b.instructions,
    max_output_tokens: null,
    max_tool_calls: null,
    model: b.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    prompt_cache_key: null,
    reasoning: { effort: null, summary: null },
    safety_identifier: null,
    service_tier: done ? 'default' : 'auto',
    store: b.store,
    temperature: 1.0,
    text: { format: b.textFormat, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_logprobs: 0,
    top_p: 1.0,
    truncation: 'disabled',
    usage: usage
      ? {
          input_tokens: usage.input,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: usage.output,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: usage.input + usage.output,
        }
      : null,
    user: null,
    metadata: {},
  };
}

export const textPart = (text: string): Record<string, unknown> => ({ type: 'output_text', annotations: [], logprobs: [], text });

export const messageItem = (id: string, status: 'in_progress' | 'completed' | 'incomplete', text: string | null): Record<string, unknown> => ({
  id,
  type: 'message',
  status,
  content: text === null ? [] : [textPart(text)],
  role: 'assistant',
});

export type StreamPlan =
  | { kind: 'complete'; emptyOutput?: boolean; keepItemEvents?: boolean | undefined }
  | { kind: 'failed'; afterDeltas: number; code: string; message: string; errorEvent?: boolean | undefined }
  | { kind: 'incomplete'; reason: string }
  | { kind: 'drop'; afterDeltas: number };

export interface BuiltStream {
  chunks: TimedChunk[];
  /** Destroy the socket after the last chunk instead of ending the response. */
  drop: boolean;
  terminal: 'completed' | 'failed' | 'incomplete' | null;
}

export function buildResponsesStream(base: ResponseBase, text: string, usage: Usage, plan: StreamPlan): BuiltStream {
  let seq = 0;
  const chunks: TimedChunk[] = [];
  const emit = (at: number, type: string, data: Record<string, unknown>): void => {
    chunks.push({ at, text: `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n` });
  };
  const msgId = newId('msg_');
  const deltas = splitDeltas(text);
  const n = deltas.length;
  const due = (k: number): number => (k + 1) / (n + 1);

  emit(0, 'response.created', { response: responseObject(base, 'in_progress', [], null) });
  emit(0, 'response.in_progress', { response: responseObject(base, 'in_progress', [], null) });
  emit(0, 'response.output_item.added', { output_index: 0, item: messageItem(msgId, 'in_progress', null) });
  emit(0, 'response.content_part.added', { item_id: msgId, output_index: 0, content_index: 0, part: textPart('') });

  const limit =
    plan.kind === 'failed' || plan.kind === 'drop' ? Math.min(plan.afterDeltas, n) : plan.kind === 'incomplete' ? Math.max(1, Math.ceil(n / 2)) : n;
  let sent = '';
  for (let k = 0; k < limit; k++) {
    const d = deltas[k]!;
    sent += d;
    emit(due(k), 'response.output_text.delta', {
      item_id: msgId,
      output_index: 0,
      content_index: 0,
      delta: d,
      logprobs: [],
      obfuscation: obfuscation(d, k),
    });
  }
  const end = plan.kind === 'complete' ? 1 : due(limit);

  switch (plan.kind) {
    case 'drop':
      return { chunks, drop: true, terminal: null };
    case 'failed': {
      if (plan.errorEvent) {
        // Observed ahead of response.failed: the error nested under `error`, unlike the documented flat shape.
        emit(end, 'error', { error: { type: 'server_error', code: plan.code, message: plan.message, param: null } });
      }
      const item = messageItem(msgId, 'incomplete', sent);
      emit(end, 'response.failed', {
        response: responseObject(base, 'failed', sent ? [item] : [], null, { error: { code: plan.code, message: plan.message } }),
      });
      return { chunks, drop: false, terminal: 'failed' };
    }
    case 'incomplete': {
      emit(end, 'response.output_text.done', { item_id: msgId, output_index: 0, content_index: 0, text: sent, logprobs: [] });
      emit(end, 'response.content_part.done', { item_id: msgId, output_index: 0, content_index: 0, part: textPart(sent) });
      const item = messageItem(msgId, 'incomplete', sent);
      emit(end, 'response.output_item.done', { output_index: 0, item });
      const u = { input: usage.input, output: Math.max(1, Math.ceil(sent.length / 4)) };
      emit(end, 'response.incomplete', { response: responseObject(base, 'incomplete', [item], u, { incomplete: plan.reason }) });
      return { chunks, drop: false, terminal: 'incomplete' };
    }
    case 'complete': {
      const item = messageItem(msgId, 'completed', text);
      if (!plan.emptyOutput || plan.keepItemEvents) {
        emit(end, 'response.output_text.done', { item_id: msgId, output_index: 0, content_index: 0, text, logprobs: [] });
        emit(end, 'response.content_part.done', { item_id: msgId, output_index: 0, content_index: 0, part: textPart(text) });
        emit(end, 'response.output_item.done', { output_index: 0, item });
      }
      emit(end, 'response.completed', { response: responseObject(base, 'completed', plan.emptyOutput ? [] : [item], usage) });
      return { chunks, drop: false, terminal: 'completed' };
    }
  }
}

export function fullResponse(base: ResponseBase, text: string, usage: Usage): Record<string, unknown> {
  return responseObject(base, 'completed', [messageItem(newId('msg_'), 'completed', text)], usage);
}
