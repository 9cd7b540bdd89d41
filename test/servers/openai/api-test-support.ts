/**
 * Shared by the stand-in OpenAI API's self-tests (one file per route or
 * behaviour): a stand-in per test file that accepts a few fixed tokens, a
 * 1200×800 JPEG to send, and helpers for requests, streams and errors.
 */
import OpenAI from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach } from 'vitest';

import { startOpenAIStandIn, type OpenAIStandIn, type TokenCheck } from './openai-api.ts';

export const API_KEY = 'sk-test-4f9a2c81b7d34e60a1c2';
const PLAN_SCOPES = ['openid', 'profile', 'email', 'offline_access', 'resource.invoke', 'chatgpt.tokens.use.direct'];

export const verifyToken: TokenCheck = async (bearer) => {
  if (bearer === 'oauth-good') return { kind: 'oauth', sub: 'user-1', clientId: 'oaiapp_test1', scopes: PLAN_SCOPES };
  if (bearer === 'oauth-good-2') return { kind: 'oauth', sub: 'user-2', clientId: 'oaiapp_test1', scopes: PLAN_SCOPES };
  if (bearer === 'oauth-noscope') return { kind: 'oauth', sub: 'user-3', clientId: 'oaiapp_test1', scopes: PLAN_SCOPES.slice(0, 4) };
  return null; // 'oauth-revoked' and anything else
};

/** The file's stand-in and photo, set by useStandIn() before the first test. */
export let api: OpenAIStandIn;
export let jpeg: Buffer;
export let jpegUrl: string;

/**
 * Starts the file's stand-in (and makes the photo) before its tests and closes
 * it after them; queued faults and latency are reset before each test.
 */
export function useStandIn(): void {
  beforeAll(async () => {
    jpeg = await sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 40, g: 90, b: 160 } } })
      .jpeg({ quality: 80 })
      .toBuffer();
    jpegUrl = `data:image/jpeg;base64,${jpeg.toString('base64')}`;
    api = await startOpenAIStandIn({ verifyToken, apiKeys: [API_KEY] });
  });
  afterAll(() => api.close());
  beforeEach(() => {
    api.faults.reset();
    api.setLatency(0);
  });
}

export const plan = (token = 'oauth-good') => new OpenAI({ apiKey: token, baseURL: api.url, maxRetries: 0 });
export const keyed = () => new OpenAI({ apiKey: API_KEY, baseURL: api.url, maxRetries: 0 });

export function planBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'gpt-6.1-sol',
    instructions: 'Describe the photo.',
    input: [
      {
        role: 'user',
        content: [
          { type: 'input_text', text: 'Analyse this photo.' },
          { type: 'input_image', image_url: jpegUrl, detail: 'auto' },
        ],
      },
    ],
    store: false,
    stream: true,
    ...extra,
  };
}

type StreamingParams = OpenAI.Responses.ResponseCreateParamsStreaming;
type StreamHelperParams = Parameters<OpenAI['responses']['stream']>[0];
/** planBody() typed for the SDK (the extras are deliberately not always valid). */
export const planParams = (extra: Record<string, unknown> = {}): StreamingParams => planBody(extra) as unknown as StreamingParams;
export const streamParams = (extra: Record<string, unknown> = {}): StreamHelperParams => {
  const { stream: _stream, ...rest } = planBody(extra);
  return rest;
};

export async function post(path: string, body: unknown, token = 'oauth-good'): Promise<Response> {
  return fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

interface SseEvent {
  event: string | null;
  data: Record<string, unknown>;
}
export function parseSse(text: string): SseEvent[] {
  return text
    .split(/\n\n/)
    .filter((b) => b.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? null;
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event, data: data === '[DONE]' ? { done: true } : (JSON.parse(data) as Record<string, unknown>) };
    });
}

export async function errorOf(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OpenAI.APIError) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}
