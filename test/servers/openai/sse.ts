// Responses API objects and server-sent events, shaped after captured api.openai.com streams:
// every event has `event:` + `data:` lines and a `sequence_number` from 0; deltas carry
// `logprobs: []` and an `obfuscation` pad; the stream ends with the terminal event and no
// `[DONE]`. Chat Completions chunks are `data:`-only and end with `data: [DONE]`.

import type { Clock } from '../../../electron/core/kernel/deps';
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export const newId = (prefix: string, bytes = 24): string => `${prefix}${randomBytes(bytes).toString('hex')}`;

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

/** Split text into delta-sized pieces: ~token-sized for short answers, at most ~48 pieces. */
export function splitDeltas(text: string): string[] {
  if (!text) return [];
  const size = Math.max(6, Math.ceil(text.length / 48));
  const out: string[] = [];
  const chars = [...text]; // keep surrogate pairs together
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

const OBF = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** The API pads deltas with random characters so sizes don't leak token lengths. */
export function obfuscation(delta: string, n: number): string {
  const len = 16 - (Buffer.byteLength(delta) % 16) || 1;
  let s = '';
  for (let i = 0; i < len; i++) s += OBF[(n * 31 + i * 7 + delta.length) % OBF.length];
  return s;
}

export type StreamPlan =
  | { kind: 'complete'; emptyOutput?: boolean; keepItemEvents?: boolean | undefined }
  | { kind: 'failed'; afterDeltas: number; code: string; message: string; errorEvent?: boolean | undefined }
  | { kind: 'incomplete'; reason: string }
  | { kind: 'drop'; afterDeltas: number };

export interface TimedChunk {
  /** Fraction of the total latency at which this chunk is due (0..1). */
  at: number;
  text: string;
}

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

// ---- chat completions ----

export interface ChatBase {
  id: string;
  created: number;
  model: string;
}

const chatUsage = (u: Usage): Record<string, unknown> => ({
  prompt_tokens: u.input,
  completion_tokens: u.output,
  total_tokens: u.input + u.output,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
});

export function chatCompletion(b: ChatBase, text: string, usage: Usage): Record<string, unknown> {
  return {
    id: b.id,
    object: 'chat.completion',
    created: b.created,
    model: b.model,
    choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
    usage: chatUsage(usage),
    service_tier: 'default',
    system_fingerprint: null,
  };
}

export function buildChatStream(b: ChatBase, text: string, usage: Usage, includeUsage: boolean): TimedChunk[] {
  const deltas = splitDeltas(text);
  const n = deltas.length;
  const out: TimedChunk[] = [];
  const chunk = (at: number, choices: unknown[], extra: Record<string, unknown> = {}): void => {
    const data = {
      id: b.id,
      object: 'chat.completion.chunk',
      created: b.created,
      model: b.model,
      service_tier: 'default',
      system_fingerprint: null,
      choices,
      ...(includeUsage ? { usage: null } : {}),
      ...extra,
    };
    out.push({ at, text: `data: ${JSON.stringify(data)}\n\n` });
  };
  const c = (delta: Record<string, unknown>, finish: string | null): Record<string, unknown> => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finish,
  });
  chunk(0, [c({ role: 'assistant', content: '', refusal: null }, null)], { obfuscation: obfuscation('', 0) });
  deltas.forEach((d, k) => chunk((k + 1) / (n + 1), [c({ content: d }, null)], { obfuscation: obfuscation(d, k) }));
  chunk(1, [c({}, 'stop')], { obfuscation: obfuscation('', n) });
  if (includeUsage) chunk(1, [], { usage: chatUsage(usage), obfuscation: obfuscation('', n + 1) });
  out.push({ at: 1, text: 'data: [DONE]\n\n' });
  return out;
}

/**
 * Write timed chunks over `latencyMs` using timers (no busy waiting); chunks due together go out
 * in one write. Resolves when done or when the client goes away. `cancel` stops it early.
 */
export function playChunks(
  res: ServerResponse,
  chunks: TimedChunk[],
  latencyMs: number,
  onEnd: 'end' | 'destroy',
  clock: Clock,
): { done: Promise<void>; cancel: () => void } {
  let timer: { cancel(): void } | null = null;
  let finished = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const finish = (): void => {
    if (finished) return;
    finished = true;
    timer?.cancel();
    resolveDone();
  };
  res.on('close', finish);
  const t0 = clock.now();
  let i = 0;
  const step = (): void => {
    timer = null;
    if (finished || res.destroyed) return finish();
    const now = clock.now() - t0;
    let batch = '';
    while (i < chunks.length && chunks[i]!.at * latencyMs <= now + 1) batch += chunks[i++]!.text;
    const last = i >= chunks.length;
    if (last && onEnd === 'destroy') {
      // Cut the connection without a terminal event, but only once the bytes so far are out.
      const cut = (): void => {
        res.socket?.destroy();
        finish();
      };
      if (batch) res.write(batch, cut);
      else cut();
      return;
    }
    if (batch) res.write(batch);
    if (last) {
      res.end();
      finish();
      return;
    }
    timer = clock.setTimeout(step, Math.max(0, chunks[i]!.at * latencyMs - (clock.now() - t0)));
  };
  step();
  return {
    done,
    cancel: () => {
      if (!finished) res.socket?.destroy();
      finish();
    },
  };
}
