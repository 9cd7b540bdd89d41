// Chat Completions objects and chunks: `data:`-only, ending with `data: [DONE]`.

import type { Usage } from './responses-stream.ts';
import { obfuscation, splitDeltas, type TimedChunk } from './sse.ts';

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
