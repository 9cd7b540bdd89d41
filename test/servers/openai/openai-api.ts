// Stand-in for api.openai.com (/v1/models, /v1/responses, /v1/chat/completions), the one
// service the tests can't reach. It aims to be wrong in the same ways the real one is: real
// status codes and error bodies, SIWC ("ChatGPT plan") restrictions for OAuth tokens, SSE exactly
// as the Responses API streams it, rate-limit headers, latency and injected faults.
// See /work/shared/docs/siwc-protocol.md §10–§11 and §13 items 33–38.

import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { invalidUrl, rateLimited, routeNotSupported, scopeNotAuthorized, serverError, apiError } from './errors.ts';
import { goDuration } from './ratelimit.ts';
import { newId } from './sse.ts';
import { findModel, type ModelEntry } from './validate.ts';

import type { Clock } from '../../../electron/core/kernel/deps';

export type { ModelEntry } from './validate.ts';

export type TokenCheck = (
  bearer: string,
) => Promise<null | { kind: 'oauth'; sub: string; clientId: string; scopes: string[] } | { kind: 'apiKey'; keyId: string }>;

export interface OpenAIStandInOptions {
  port?: number;
  verifyToken: TokenCheck;
  /** Valid API keys (`sk-...`). Bearer tokens starting with `sk-` are checked here, everything else goes to `verifyToken`. */
  apiKeys?: string[];
  /** Time until the stream's terminal event (spread across the deltas); non-streamed answers wait this long. */
  latencyMs?: number | (() => number);
  /** Token bucket per credential (account for OAuth, key for API keys), applied to inference routes. */
  rateLimit?: {
    requestsPerMinute: number;
    burst: number;
    retryAfterMs?: boolean;
    /** Also limit tokens per minute (input + answer per request), see token-limit.ts. */
    tokensPerMinute?: number;
    tokenBurst?: number;
    /** false: send no `x-ratelimit-*` headers at all, only `retry-after` on 429 (as ChatGPT-plan traffic may). */
    rateHeaders?: boolean;
  };
  models?: ModelEntry[];
  /** false → `text.format`/`response_format` json_schema is refused (SIWC code for OAuth, API wording for keys). */
  structuredOutputs?: boolean;
  basePath?: string;
  /** Scope an OAuth token needs for /models and /responses (default `chatgpt.tokens.use.direct`; null to skip). */
  requiredScope?: string | null;
  /** Request body cap (default 64 MiB) → 413. */
  maxBodyBytes?: number;
  /** Extra headers browsers may read (the API itself exposes only X-Request-ID). */
  corsExposeHeaders?: string[];
  /** Offer `/v1/files` and `/v1/batches` to API keys (see batches.ts). Off unless given. */
  batch?: BatchOptions;
  /** Drives the latency timers (default: real time); a test may pass a manual clock and move it. */
  clock?: Clock;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  auth: 'oauth' | 'apiKey' | 'none' | 'invalid';
  /** Parsed JSON with data URLs replaced by `data:<mime>;base64,<N bytes, WxH>`. */
  body?: unknown;
  images?: Array<{ mime: string; bytes: number; width: number; height: number }>;
  at: number;
  /** Which fault (if any) this request consumed. */
  fault?: Fault['type'];
  requestId: string;
}

export interface OpenAIStandIn {
  url: string;
  close(): Promise<void>;
  requests: RequestRecord[];
  stats(): {
    responses: number;
    completed: number;
    imagesReceived: number;
    imageBytesReceived: number;
    maxInFlight: number;
    inFlight: number;
    rateLimited: number;
    /** Tokens counted against the token limit (input + answer of admitted requests). */
    tokensCounted: number;
  };
  faults: {
    next(kind: Fault, times?: number): void;
    reset(): void;
    pending(): number;
  };
  setLatency(ms: number): void;
  /**
   * Resolves once `predicate` holds for the requests seen so far, checked again
   * as each request arrives, once its body is read and when its response ends:
   * a test waits for the request it expects instead of polling.
   */
  whenRequests(predicate: (requests: readonly RequestRecord[]) => boolean): Promise<void>;
  /** The Batch API's state (files and batches), when offered. */
  batches: BatchStore | null;
}

/**
 * Injected misbehaviour. A queued fault is consumed by the next POST /responses that gets past
 * authentication, routing, body parsing and the rate limiter (so a 401 for a bad token doesn't
 * eat it). Pre-stream faults replace validation; the others apply to an otherwise valid request.
 */
export type Fault =
  | { type: 'status'; status: number; body: unknown; headers?: Record<string, string> }
  | { type: 'insufficient_quota' }
  | { type: 'usage_limit' }
  | { type: 'failed_mid_stream'; code: string; afterDeltas?: number; message?: string; errorEvent?: boolean }
  | { type: 'incomplete'; reason?: string }
  | { type: 'drop_mid_stream'; afterDeltas?: number }
  | { type: 'drop_before_response' }
  | { type: 'invalid_json_answer' }
  | { type: 'schema_mismatch_answer' }
  | { type: 'json_content_type' }
  | { type: 'no_content_type' }
  | { type: 'empty_completed_output'; keepItemEvents?: boolean }
  | { type: 'server_error'; status?: number };

export const DEFAULT_MODELS: ModelEntry[] = [
  {
    slug: 'gpt-6.1-sol',
    display_name: 'GPT-6.1 Sol',
    visibility: 'list',
    input_modalities: ['text', 'image'],
    description: 'Flagship model for everyday tasks.',
    default_reasoning_level: 'medium',
    supported_reasoning_levels: [
      { effort: 'low', description: 'Fast responses' },
      { effort: 'medium', description: 'Balanced' },
      { effort: 'high', description: 'Thorough' },
    ],
    priority: 1,
    supported_in_api: true,
    context_window: 272000,
    shell_type: 'default',
    upgrade: null,
  },
  {
    slug: 'gpt-6.1-sol-mini',
    display_name: 'GPT-6.1 Sol mini',
    visibility: 'list',
    input_modalities: ['text', 'image'],
    priority: 2,
    supported_in_api: true,
    context_window: 128000,
  },
  { slug: 'gpt-6-text', display_name: 'GPT-6 Text', visibility: 'list', input_modalities: ['text'], priority: 3, context_window: 128000 },
  { slug: 'codex-internal-preview', display_name: 'Internal preview', visibility: 'hide', input_modalities: ['text', 'image'], priority: 99 },
];

import { createRespond } from './respond.ts';
import { createRequestBody } from './request-body.ts';
import { createInference } from './inference.ts';
import { createBatchRoutes } from './batch-routes.ts';
import type { BatchStore, BatchOptions } from './batches.ts';
import { createApiState } from './state.ts';
import type { Ctx } from './context.ts';

export async function startOpenAIStandIn(opts: OpenAIStandInOptions): Promise<OpenAIStandIn> {
  const s = createApiState(opts);
  const { active, basePath, faultQueue, latency, limiter, tokenLimiter, batchStore, models, requests, requiredScope, stats } = s;
  const helpers = { ...createRespond(s), ...createRequestBody(s) };
  const { sendJson, sendError, authenticate, readBody } = helpers;
  const requestWaiters = new Set<{ predicate: (requests: readonly RequestRecord[]) => boolean; resolve(): void }>();
  const checkRequestWaiters = (): void => {
    for (const waiter of requestWaiters)
      if (waiter.predicate(requests)) {
        requestWaiters.delete(waiter);
        waiter.resolve();
      }
  };
  const { responses, chat } = createInference({ ...s, ...helpers });
  const batchRoutes = createBatchRoutes({ ...s, ...helpers });

  // ---- routes ----

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ctx: Ctx = {
      req,
      res,
      started: performance.now(),
      requestId: newId('req_', 16),
      record: { method: req.method ?? 'GET', path: req.url ?? '/', status: 0, auth: 'none', at: Date.now(), requestId: '' },
      auth: null,
      rl: {},
    };
    ctx.record.requestId = ctx.requestId;
    requests.push(ctx.record);
    res.once('close', checkRequestWaiters);
    checkRequestWaiters();

    if (req.method === 'OPTIONS') {
      ctx.record.status = 204;
      res.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': String(req.headers['access-control-request-headers'] ?? 'authorization, content-type'),
        'access-control-max-age': '86400',
      });
      res.end();
      return;
    }

    const url = new URL(req.url ?? '/', 'http://standin');
    const route = url.pathname.startsWith(`${basePath}/`) ? url.pathname.slice(basePath.length) : null;
    const method = req.method ?? 'GET';

    const auth = await authenticate(ctx);
    if ('status' in auth) {
      req.resume();
      return sendError(ctx, auth);
    }
    ctx.auth = auth;
    const credential = auth.kind === 'oauth' ? `oauth:${auth.sub}:${auth.clientId}` : `key:${auth.keyId}`;
    if (limiter) ctx.rl = limiter.peek(credential);
    if (tokenLimiter) Object.assign(ctx.rl, tokenLimiter.peek(credential));

    const isPlan = auth.kind === 'oauth';
    // The Batch API is offered to API keys only (ChatGPT-plan traffic has none).
    if (batchStore && !isPlan && route && /^\/(files|batches)(\/|$)/.test(route)) return batchRoutes(ctx, method, route);
    const known =
      (method === 'GET' && route === '/models') ||
      (method === 'POST' && route === '/responses') ||
      (!isPlan && ((method === 'POST' && route === '/chat/completions') || (method === 'GET' && route?.startsWith('/models/'))));
    if (!known) {
      req.resume();
      return sendError(ctx, isPlan ? routeNotSupported(method, url.pathname) : invalidUrl(method, url.pathname));
    }
    if (isPlan && requiredScope && !auth.scopes.includes(requiredScope)) {
      req.resume();
      return sendError(ctx, scopeNotAuthorized(requiredScope));
    }

    if (method === 'GET') {
      req.resume();
      return route === '/models' ? listModels(ctx, isPlan) : getModel(ctx, decodeURIComponent(route!.slice('/models/'.length)));
    }

    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    res.once('close', () => stats.inFlight--);

    const body = await readBody(ctx);
    checkRequestWaiters();
    if ('status' in body) return sendError(ctx, body);

    if (limiter) {
      const d = limiter.take(credential);
      Object.assign(ctx.rl, d.headers);
      if (!d.allowed) {
        stats.rateLimited++;
        const model = (body.value as { model?: unknown } | null)?.model;
        return sendError(ctx, rateLimited(typeof model === 'string' ? model : 'requests', opts.rateLimit!.requestsPerMinute, goDuration(d.waitMs)));
      }
    }

    return route === '/responses' ? responses(ctx, body, isPlan, credential) : chat(ctx, body);
  }

  function listModels(ctx: Ctx, isPlan: boolean): void {
    if (isPlan) {
      // SIWC catalog shape; the server decides order and visibility.
      return sendJson(ctx, 200, { models });
    }
    sendJson(ctx, 200, {
      object: 'list',
      data: models.map((m) => ({ id: m.slug, object: 'model', created: 1_750_000_000, owned_by: 'system' })),
    });
  }

  function getModel(ctx: Ctx, id: string): void {
    const m = findModel(models, id);
    if (!m) return sendError(ctx, apiError(404, `The model '${id}' does not exist`, { param: 'model', code: 'model_not_found' }));
    sendJson(ctx, 200, { id: m.slug, object: 'model', created: 1_750_000_000, owned_by: 'system' });
  }

  // ---- server ----

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        const e = serverError(500);
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(e.body));
      } else res.destroy();
    });
  });
  // Streams can legitimately sit idle between deltas for a long time under heavy latency.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    requests,
    stats: () => ({ ...stats }),
    faults: {
      next(kind: Fault, times = 1) {
        for (let i = 0; i < times; i++) faultQueue.push(kind);
      },
      reset() {
        faultQueue.length = 0;
      },
      pending: () => faultQueue.length,
    },
    whenRequests(predicate) {
      if (predicate(requests)) return Promise.resolve();
      return new Promise<void>((resolve) => void requestWaiters.add({ predicate, resolve }));
    },
    setLatency(ms: number) {
      latency.current = ms;
    },
    batches: batchStore,
    close: () =>
      new Promise<void>((resolve) => {
        for (const cancel of [...active]) cancel();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
