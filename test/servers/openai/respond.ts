/** Response helpers: the headers every answer carries, JSON bodies and OpenAI-shaped errors. */
import { performance } from 'node:perf_hooks';
import type { ApiError } from './errors.ts';
import { OPENAI_VERSION, type Ctx } from './context.ts';
import type { ApiState } from './state.ts';
import { withoutRateHeaders } from './token-limit.ts';

export function createRespond(s: ApiState) {
  const { expose, rateHeaders } = s;

  // ---- response helpers ----

  function headers(ctx: Ctx, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = {
      'x-request-id': ctx.requestId,
      'openai-version': OPENAI_VERSION,
      'openai-processing-ms': String(Math.round(performance.now() - ctx.started)),
      'access-control-allow-origin': '*',
      'access-control-expose-headers': expose,
      ...(rateHeaders ? ctx.rl : withoutRateHeaders(ctx.rl)),
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
      res.writeHead(
        e.status,
        headers(ctx, { 'content-type': e.raw.contentType, 'content-length': String(Buffer.byteLength(e.raw.text)), ...e.headers }),
      );
      res.end(e.raw.text);
      return;
    }
    sendJson(ctx, e.status, e.body, e.headers);
  }

  return { headers, sendJson, sendError };
}
