/** POST /v1/chat/completions for API keys (inference.ts): answers, chunked streams and chat-worded errors. */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { PHOTO_SCHEMA } from './photo-schema.ts';
import { api, errorOf, jpeg, jpegUrl, keyed, useStandIn } from './api-test-support.ts';

useStandIn();

describe('POST /v1/chat/completions (API keys)', () => {
  const messages = (): OpenAI.Chat.ChatCompletionMessageParam[] => [
    { role: 'system', content: 'You describe photos.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Describe.' },
        { type: 'image_url', image_url: { url: jpegUrl } },
      ],
    },
  ];
  const response_format = { type: 'json_schema', json_schema: { name: 'photo', schema: PHOTO_SCHEMA, strict: true } } as const;

  it('answers non-streaming with a schema-conforming message', async () => {
    const c = await keyed().chat.completions.create({ model: 'gpt-6.1-sol', messages: messages(), response_format: response_format });
    expect(c.object).toBe('chat.completion');
    expect(c.choices[0]!.finish_reason).toBe('stop');
    const value = JSON.parse(c.choices[0]!.message.content!) as unknown;
    expect(z.fromJSONSchema(PHOTO_SCHEMA as never).safeParse(value).success).toBe(true);
    expect(c.usage!.prompt_tokens).toBeGreaterThan(255);
    expect(api.requests.at(-1)!.images).toEqual([{ mime: 'image/jpeg', bytes: jpeg.length, width: 1200, height: 800 }]);
  });

  it('streams chat.completion.chunk events ending with [DONE] and usage when asked', async () => {
    const stream = await keyed().chat.completions.create({
      model: 'gpt-6.1-sol',
      messages: messages(),
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toContain('1200x800');
    expect(finish).toBe('stop');
    expect(usage!.completion_tokens).toBeGreaterThan(0);
  });

  it('uses chat wording for errors', async () => {
    let e = await errorOf(keyed().chat.completions.create({ model: 'gpt-nope', messages: [{ role: 'user', content: 'x' }] }));
    expect([e.status, e.code]).toEqual([404, 'model_not_found']);
    e = await errorOf(keyed().chat.completions.create({ model: 'gpt-6.1-sol', messages: [{ role: 'user', content: 'x' }], frobnicate: 1 } as never));
    expect(e.message).toBe('400 Unrecognized request argument supplied: frobnicate');
    e = await errorOf(
      keyed().chat.completions.create({
        model: 'gpt-6.1-sol',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }],
      }),
    );
    expect(e.param).toBe('messages[0].content[0].image_url.url');
    expect(e.message).toMatch(/^400 Invalid image URL: /);
  });
});
