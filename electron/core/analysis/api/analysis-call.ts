/**
 * What one analysis call needs and gives back (request.ts): the client's
 * dependencies, the call, and the answer.
 */
import type { ImageDetail } from '../../../contract';
import type { Clock, Logger } from '../../kernel/deps';
import type { Preset } from '../records/presets';
import type { CapabilityMemory } from './capabilities';
import type { RateInfo } from '../records/rate-headers';

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
  /** The deadline and the after-terminal grace run on it; its time reads `retry-after` dates. */
  clock: Clock;
  /** Whole-call deadline, headers to terminal event (the DevKit uses 180 s). */
  timeoutMs?: number;
  /** Longest answer accepted (the DevKit caps text at 16 MiB). */
  maxTextChars?: number;
}

export interface AnalysisCall {
  model: string;
  preset: Preset;
  image: { mime: string; data: Buffer };
  detail: ImageDetail;
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

export const DEFAULT_TIMEOUT_MS = 180_000;
