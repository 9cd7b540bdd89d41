/** What every route of the OpenAI stand-in shares: the request context, the caller, and fixed values. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataUrlInfo } from './data-url.ts';
import type { RequestRecord } from './openai-api.ts';
import type { ProbedImage } from './validate.ts';

export const PLAN_SCOPE = 'chatgpt.tokens.use.direct';
export const OPENAI_VERSION = '2020-10-01';

export type Auth = { kind: 'oauth'; sub: string; clientId: string; scopes: string[] } | { kind: 'apiKey'; keyId: string };

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  started: number;
  requestId: string;
  record: RequestRecord;
  auth: Auth | null;
  rl: Record<string, string>;
}

export interface ParsedBody {
  value: unknown;
  dataUrls: Map<string, DataUrlInfo>;
  probes: Map<string, ProbedImage | null>;
}

export function failMessage(code: string): string {
  switch (code) {
    case 'subscription_sharing_usage_limit_exceeded':
      return "You've reached the ChatGPT plan usage limit for this app.";
    case 'server_is_overloaded':
      return 'Our servers are currently overloaded. Please try again later.';
    case 'rate_limit_exceeded':
      return 'Rate limit reached. Please try again later.';
    default:
      return 'An error occurred while processing your request. You can retry your request, or contact us through our help center at help.openai.com if the error persists.';
  }
}
