// Stand-in for api.openai.com (/v1/models, /v1/responses, /v1/chat/completions), the one
// service the tests can't reach. It aims to be wrong in the same ways the real one is: real
// status codes and error bodies, SIWC ("ChatGPT plan") restrictions for OAuth tokens, SSE exactly
// as the Responses API streams it, rate-limit headers, latency and injected faults.
// See /work/shared/docs/siwc-protocol.md §10–§11 and §13 items 33–38.

import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';

import { answerText, usageFor, type AnswerFault } from './answer.ts';
import {
  badJson,
  insufficientQuota,
  invalidApiKey,
  invalidUrl,
  missingAuth,
  oauthRejected,
  rateLimited,
  routeNotSupported,
  scopeNotAuthorized,
  serverError,
  tooLarge,
  usageLimit,
  apiError,
  type ApiError,
} from './errors.ts';
import { JsonStreamParser, summarizeDataUrl, type DataUrlInfo } from './json-stream.ts';
import { goDuration, RateLimiter } from './ratelimit.ts';
import {
  buildChatStream,
  buildResponsesStream,
  chatCompletion,
  fullResponse,
  newId,
  playChunks,
  responseObject,
  messageItem,
  type ResponseBase,
  type StreamPlan,
} from './sse.ts';
import { findModel, validateChat, validateResponses, type ModelEntry, type ProbedImage } from './validate.ts';

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
  rateLimit?: { requestsPerMinute: number; burst: number; retryAfterMs?: boolean };
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
  };
  faults: {
    next(kind: Fault, times?: number): void;
    reset(): void;
    pending(): number;
  };
  setLatency(ms: number): void;
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

const PLAN_SCOPE = 'chatgpt.tokens.use.direct';
const OPENAI_VERSION = '2020-10-01';

type Auth =
  | { kind: 'oauth'; sub: string; clientId: string; scopes: string[] }
  | { kind: 'apiKey'; keyId: string };

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  started: number;
  requestId: string;
  record: RequestRecord;
  auth: Auth | null;
  rl: Record<string, string>;
}

export async function startOpenAIStandIn(opts: OpenAIStandInOptions): Promise<OpenAIStandIn> {
  const basePath = (opts.basePath ?? '/v1').replace(/\/+$/, '');
  const models = opts.models ?? DEFAULT_MODELS;
  const apiKeys = new Set(opts.apiKeys ?? []);
  const structuredOutputs = opts.structuredOutputs ?? true;
  const requiredScope = opts.requiredScope === undefined ? PLAN_SCOPE : opts.requiredScope;
  const maxBody = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const limiter = opts.rateLimit ? new RateLimiter(opts.rateLimit) : null;
  const expose = ['X-Request-ID', ...(opts.corsExposeHeaders ?? [])].join(', ');
  let latency: number | (() => number) = opts.latencyMs ?? 0;

  const requests: RequestRecord[] = [];
  const faultQueue: Fault[] = [];
  const active = new Set<() => void>();
  const stats = { responses: 0, completed: 0, imagesReceived: 0, imageBytesReceived: 0, maxInFlight: 0, inFlight: 0, rateLimited: 0 };

  const latencyNow = (): number => Math.max(0, typeof latency === 'function' ? latency() : latency);

  // ---- response helpers ----

  function headers(ctx: Ctx, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = {
      'x-request-id': ctx.requestId,
      'openai-version': OPENAI_VERSION,
      'openai-processing-ms': String(Math.round(performance.now() - ctx.started)),
      'access-control-allow-origin': '*',
      'access-control-expose-headers': expose,
      ...ctx.rl,
    };
    if (ctx.auth?.kind === 'apiKey') h['openai-organization'] = 'org-standin';
    return Object.assign(h, extra);
  }

  function sendJson(ctx: Ctx, status: number, body: unknown, extra: Record<string, string> = {}): void {
    const { res } = ctx;
    if (res.headersSent || res.destroyed) return;
    const text = `${JSON.stringify(body, null, 2)}\n`;
    ctx.record.status = status;
    res.writeHead(status, headers(ctx, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...extra }));
    res.end(text);
  }

  function sendError(ctx: Ctx, e: ApiError): void {
    if (e.raw) {
      const { res } = ctx;
      if (res.headersSent || res.destroyed) return;
      ctx.record.status = e.status;
      res.writeHead(e.status, headers(ctx, { 'content-type': e.raw.contentType, 'content-length': String(Buffer.byteLength(e.raw.text)), ...e.headers }));
      res.end(e.raw.text);
      return;
    }
    sendJson(ctx, e.status, e.body, e.headers);
  }

  // ---- auth ----

  async function authenticate(ctx: Ctx): Promise<Auth | ApiError> {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(ctx.req.headers.authorization ?? '');
    if (!m) {
      ctx.record.auth = 'none';
      return missingAuth();
    }
    const token = m[1]!;
    if (token.startsWith('sk-')) {
      if (!apiKeys.has(token)) {
        ctx.record.auth = 'invalid';
        return invalidApiKey(token);
      }
      ctx.record.auth = 'apiKey';
      return { kind: 'apiKey', keyId: token };
    }
    let verdict: Awaited<ReturnType<TokenCheck>>;
    try {
      verdict = await opts.verifyToken(token);
    } catch {
      ctx.record.auth = 'invalid';
      return { status: 503, body: { detail: 'Direct routing is temporarily unavailable.' } };
    }
    if (!verdict) {
      ctx.record.auth = 'invalid';
      return oauthRejected();
    }
    ctx.record.auth = verdict.kind;
    return verdict;
  }

  // ---- body ----

  interface ParsedBody {
    value: unknown;
    dataUrls: Map<string, DataUrlInfo>;
    probes: Map<string, ProbedImage | null>;
  }

  function readBody(ctx: Ctx): Promise<ParsedBody | ApiError> {
    const { req } = ctx;
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > maxBody) {
      req.resume();
      return Promise.resolve({ ...tooLarge(maxBody), headers: { connection: 'close' } });
    }
    return new Promise((resolve) => {
      const parser = new JsonStreamParser();
      let size = 0;
      let failure: ApiError | null = null;
      req.on('data', (chunk: Buffer) => {
        if (failure) return; // keep draining so the client gets to read our answer
        size += chunk.length;
        if (size > maxBody) {
          failure = { ...tooLarge(maxBody), headers: { connection: 'close' } };
          return;
        }
        try {
          parser.write(chunk);
        } catch {
          failure = badJson();
        }
      });
      // A client that gives up mid-upload never sends 'end'; settle so nothing waits forever.
      req.on('error', () => resolve(apiError(400, 'Request body was interrupted.')));
      req.on('close', () => {
        if (!req.complete) resolve(apiError(400, 'Request body was interrupted.'));
      });
      req.on('end', () => {
        if (failure) return resolve(failure);
        let value: unknown;
        try {
          value = parser.end();
        } catch {
          return resolve(badJson());
        }
        void probeImages(ctx, value, parser.dataUrls).then(resolve);
      });
    });
  }

  /** Read image headers (cheap: sharp stops after the header) and release the decoded bytes. */
  async function probeImages(ctx: Ctx, value: unknown, list: DataUrlInfo[]): Promise<ParsedBody> {
    const dataUrls = new Map<string, DataUrlInfo>();
    const probes = new Map<string, ProbedImage | null>();
    const images: NonNullable<RequestRecord['images']> = [];
    await Promise.all(
      list.map(async (d) => {
        dataUrls.set(d.path, d);
        if (!d.mime.startsWith('image/')) return;
        let probe: ProbedImage | null = null;
        if (d.data) {
          try {
            const m = await sharp(d.data, { failOn: 'none' }).metadata();
            if (m.width && m.height && m.format) probe = { width: m.width, height: m.height, format: m.format };
          } catch {
            probe = null;
          }
        }
        d.data = null;
        probes.set(d.path, probe);
        if (probe) (d.holder as Record<string | number, unknown>)[d.key] = summarizeDataUrl(d, probe);
        images.push({ mime: d.mime, bytes: d.bytes, width: probe?.width ?? 0, height: probe?.height ?? 0 });
        stats.imagesReceived++;
        stats.imageBytesReceived += d.bytes;
      }),
    );
    ctx.record.body = value;
    if (images.length) ctx.record.images = images;
    return { value, dataUrls, probes };
  }

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

    const isPlan = auth.kind === 'oauth';
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
    if ('status' in body) return sendError(ctx, body);

    if (limiter) {
      const d = limiter.take(credential);
      ctx.rl = d.headers;
      if (!d.allowed) {
        stats.rateLimited++;
        const model = (body.value as { model?: unknown } | null)?.model;
        return sendError(ctx, rateLimited(typeof model === 'string' ? model : 'requests', opts.rateLimit!.requestsPerMinute, goDuration(d.waitMs)));
      }
    }

    return route === '/responses' ? responses(ctx, body, isPlan) : chat(ctx, body);
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

  function takeFault(ctx: Ctx): Fault | null {
    const f = faultQueue.shift() ?? null;
    if (f) ctx.record.fault = f.type;
    return f;
  }

  function preStreamFault(ctx: Ctx, f: Fault | null): boolean {
    if (!f) return false;
    switch (f.type) {
      case 'status':
        // A string body goes out verbatim (for non-JSON error pages); anything else as JSON.
        if (typeof f.body === 'string') sendError(ctx, { status: f.status, body: null, headers: f.headers, raw: { contentType: 'text/plain', text: f.body } });
        else sendJson(ctx, f.status, f.body, f.headers);
        return true;
      case 'insufficient_quota':
        sendError(ctx, insufficientQuota());
        return true;
      case 'usage_limit':
        sendError(ctx, usageLimit());
        return true;
      case 'server_error':
        sendError(ctx, serverError(f.status ?? 500));
        return true;
      case 'drop_before_response':
        ctx.res.socket?.destroy();
        return true;
      default:
        return false;
    }
  }

  async function responses(ctx: Ctx, body: ParsedBody, isPlan: boolean): Promise<void> {
    const fault = takeFault(ctx);
    if (preStreamFault(ctx, fault)) return;

    const v = validateResponses(body.value, {
      auth: isPlan ? 'oauth' : 'apiKey',
      models,
      structuredOutputs,
      dataUrls: body.dataUrls,
      probes: body.probes,
    });
    if ('status' in v) return sendError(ctx, v);

    const answerFault: AnswerFault = fault?.type === 'invalid_json_answer' ? 'invalid_json' : fault?.type === 'schema_mismatch_answer' ? 'schema_mismatch' : null;
    const text = answerText(v.answer, answerFault);
    const usage = usageFor(v.answer, text);
    const base: ResponseBase = {
      id: newId('resp_'),
      created_at: Math.floor(Date.now() / 1000),
      model: v.model,
      instructions: v.instructions,
      textFormat: v.textFormat,
      store: v.store,
    };
    const wait = latencyNow();

    if (!v.stream || fault?.type === 'json_content_type') {
      // Non-streamed answer (API keys), or the fault where a 200 arrives as JSON instead of SSE.
      await delay(wait, ctx);
      if (ctx.res.destroyed) return;
      let obj: Record<string, unknown>;
      if (fault?.type === 'failed_mid_stream') {
        obj = responseObject(base, 'failed', [], null, { error: { code: fault.code, message: fault.message ?? failMessage(fault.code) } });
      } else if (fault?.type === 'incomplete') {
        obj = responseObject(base, 'incomplete', [messageItem(newId('msg_'), 'incomplete', text.slice(0, Math.ceil(text.length / 2)))], usage, {
          incomplete: fault.reason ?? 'max_output_tokens',
        });
      } else if (fault?.type === 'drop_mid_stream') {
        ctx.res.socket?.destroy();
        return;
      } else {
        obj = fullResponse(base, text, usage);
        if (fault?.type === 'empty_completed_output') obj.output = [];
      }
      stats.responses++;
      if (obj.status === 'completed') stats.completed++;
      return sendJson(ctx, 200, obj);
    }

    const plan: StreamPlan =
      fault?.type === 'failed_mid_stream'
        ? { kind: 'failed', afterDeltas: fault.afterDeltas ?? 2, code: fault.code, message: fault.message ?? failMessage(fault.code), errorEvent: fault.errorEvent }
        : fault?.type === 'incomplete'
          ? { kind: 'incomplete', reason: fault.reason ?? 'max_output_tokens' }
          : fault?.type === 'drop_mid_stream'
            ? { kind: 'drop', afterDeltas: fault.afterDeltas ?? 2 }
            : { kind: 'complete', emptyOutput: fault?.type === 'empty_completed_output', keepItemEvents: fault?.type === 'empty_completed_output' && fault.keepItemEvents };
    const built = buildResponsesStream(base, text, usage, plan);

    const h = headers(ctx, { 'cache-control': 'no-cache', 'content-type': 'text/event-stream; charset=utf-8' });
    if (fault?.type === 'no_content_type') delete h['content-type'];
    ctx.record.status = 200;
    stats.responses++;
    ctx.res.writeHead(200, h);
    ctx.res.flushHeaders();
    const play = playChunks(ctx.res, built.chunks, wait, built.drop ? 'destroy' : 'end');
    active.add(play.cancel);
    await play.done;
    active.delete(play.cancel);
    if (built.terminal === 'completed' && ctx.res.writableFinished) stats.completed++;
  }

  async function chat(ctx: Ctx, body: ParsedBody): Promise<void> {
    const v = validateChat(body.value, { auth: 'apiKey', models, structuredOutputs, dataUrls: body.dataUrls, probes: body.probes });
    if ('status' in v) return sendError(ctx, v);
    const text = answerText(v.answer);
    const usage = usageFor(v.answer, text);
    const base = { id: `chatcmpl-${newId('', 15).slice(0, 29)}`, created: Math.floor(Date.now() / 1000), model: v.model };
    const wait = latencyNow();
    if (!v.stream) {
      await delay(wait, ctx);
      return sendJson(ctx, 200, chatCompletion(base, text, usage));
    }
    ctx.record.status = 200;
    ctx.res.writeHead(200, headers(ctx, { 'cache-control': 'no-cache', 'content-type': 'text/event-stream; charset=utf-8' }));
    ctx.res.flushHeaders();
    const play = playChunks(ctx.res, buildChatStream(base, text, usage, v.includeUsage), wait, 'end');
    active.add(play.cancel);
    await play.done;
    active.delete(play.cancel);
  }

  function delay(ms: number, ctx: Ctx): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        active.delete(cancel);
        ctx.res.off('close', done);
        resolve();
      }
      const cancel = (): void => {
        ctx.res.socket?.destroy();
        done();
      };
      active.add(cancel);
      ctx.res.once('close', done);
    });
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
    setLatency(ms: number) {
      latency = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const cancel of [...active]) cancel();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function failMessage(code: string): string {
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
