/** One OpenAI stand-in's configuration and what it has seen: requests, queued faults, streams in flight, counters. */
import { RateLimiter } from './ratelimit.ts';
import { TokenLimiter } from './token-limit.ts';
import { FileStore } from './files.ts';
import { BatchStore } from './batches.ts';
import { PLAN_SCOPE } from './context.ts';
import type { Clock } from '../../../electron/core/kernel/deps';
import { realClock } from '../../support/real-clock';
import { DEFAULT_MODELS, type Fault, type OpenAIStandInOptions, type RequestRecord } from './openai-api.ts';

export function createApiState(opts: OpenAIStandInOptions) {
  const basePath = (opts.basePath ?? '/v1').replace(/\/+$/, '');
  const models = opts.models ?? DEFAULT_MODELS;
  const apiKeys = new Set(opts.apiKeys ?? []);
  const structuredOutputs = opts.structuredOutputs ?? true;
  const requiredScope = opts.requiredScope === undefined ? PLAN_SCOPE : opts.requiredScope;
  const maxBody = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const limiter = opts.rateLimit ? new RateLimiter(opts.rateLimit) : null;
  const tokenLimiter = opts.rateLimit?.tokensPerMinute
    ? new TokenLimiter({ tokensPerMinute: opts.rateLimit.tokensPerMinute, burst: opts.rateLimit.tokenBurst })
    : null;
  const rateHeaders = opts.rateLimit?.rateHeaders ?? true;
  const fileStore = new FileStore();
  const batchStore = opts.batch ? new BatchStore(fileStore, models, opts.batch) : null;
  const expose = ['X-Request-ID', ...(opts.corsExposeHeaders ?? [])].join(', ');
  // The test may change it while the server runs (setLatency).
  const latency: { current: number | (() => number) } = { current: opts.latencyMs ?? 0 };

  const requests: RequestRecord[] = [];
  const faultQueue: Fault[] = [];
  const active = new Set<() => void>();
  const stats = {
    responses: 0,
    completed: 0,
    imagesReceived: 0,
    imageBytesReceived: 0,
    maxInFlight: 0,
    inFlight: 0,
    rateLimited: 0,
    tokensCounted: 0,
  };

  const clock: Clock = opts.clock ?? realClock;
  const latencyNow = (): number => Math.max(0, typeof latency.current === 'function' ? latency.current() : latency.current);

  return {
    opts,
    clock,
    active,
    apiKeys,
    basePath,
    expose,
    faultQueue,
    latency,
    latencyNow,
    limiter,
    tokenLimiter,
    rateHeaders,
    fileStore,
    batchStore,
    maxBody,
    models,
    requests,
    requiredScope,
    stats,
    structuredOutputs,
  };
}

export type ApiState = ReturnType<typeof createApiState>;
