/** POST /responses and /chat/completions: faults before the stream, the stream itself, and latency. */
import { answerText, usageFor, type AnswerFault } from './answer.ts';
import { insufficientQuota, serverError, usageLimit } from './errors.ts';
import { goDuration } from './ratelimit.ts';
import { tokensRateLimited } from './token-limit.ts';
import { buildChatStream, chatCompletion } from './chat-stream.ts';
import { buildResponsesStream, fullResponse, responseObject, messageItem, type ResponseBase, type StreamPlan } from './responses-stream.ts';
import { newId, playChunks } from './sse.ts';
import { validateChat, validateResponses } from './validate.ts';
import { failMessage, type Ctx, type ParsedBody } from './context.ts';
import type { Fault } from './openai-api.ts';
import type { ApiState } from './state.ts';
import type { createRespond } from './respond.ts';
import type { createRequestBody } from './request-body.ts';

type Helpers = ReturnType<typeof createRespond> & ReturnType<typeof createRequestBody>;

export function createInference(s: ApiState & Helpers) {
  const { active, clock, faultQueue, latencyNow, models, stats, structuredOutputs, tokenLimiter, opts, headers, sendJson, sendError } = s;

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
        if (typeof f.body === 'string')
          sendError(ctx, { status: f.status, body: null, headers: f.headers, raw: { contentType: 'text/plain', text: f.body } });
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

  async function responses(ctx: Ctx, body: ParsedBody, isPlan: boolean, credential = ''): Promise<void> {
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

    const answerFault: AnswerFault =
      fault?.type === 'invalid_json_answer' ? 'invalid_json' : fault?.type === 'schema_mismatch_answer' ? 'schema_mismatch' : null;
    const text = answerText(v.answer, answerFault);
    const usage = usageFor(v.answer, text);
    if (tokenLimiter) {
      // The whole request (input + answer) counts against the tokens-per-minute bucket.
      const cost = usage.input + usage.output;
      const d = tokenLimiter.take(credential, cost);
      Object.assign(ctx.rl, d.headers);
      if (!d.allowed) {
        stats.rateLimited++;
        return sendError(ctx, tokensRateLimited(v.model, opts.rateLimit!.tokensPerMinute!, cost, goDuration(d.waitMs)));
      }
      stats.tokensCounted += cost;
    }
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
        ? {
            kind: 'failed',
            afterDeltas: fault.afterDeltas ?? 2,
            code: fault.code,
            message: fault.message ?? failMessage(fault.code),
            errorEvent: fault.errorEvent,
          }
        : fault?.type === 'incomplete'
          ? { kind: 'incomplete', reason: fault.reason ?? 'max_output_tokens' }
          : fault?.type === 'drop_mid_stream'
            ? { kind: 'drop', afterDeltas: fault.afterDeltas ?? 2 }
            : {
                kind: 'complete',
                emptyOutput: fault?.type === 'empty_completed_output',
                keepItemEvents: fault?.type === 'empty_completed_output' && fault.keepItemEvents,
              };
    const built = buildResponsesStream(base, text, usage, plan);

    const h = headers(ctx, { 'cache-control': 'no-cache', 'content-type': 'text/event-stream; charset=utf-8' });
    if (fault?.type === 'no_content_type') delete h['content-type'];
    ctx.record.status = 200;
    stats.responses++;
    ctx.res.writeHead(200, h);
    ctx.res.flushHeaders();
    const play = playChunks(ctx.res, built.chunks, wait, built.drop ? 'destroy' : 'end', clock);
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
    const play = playChunks(ctx.res, buildChatStream(base, text, usage, v.includeUsage), wait, 'end', clock);
    active.add(play.cancel);
    await play.done;
    active.delete(play.cancel);
  }

  function delay(ms: number, ctx: Ctx): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = clock.setTimeout(done, ms);
      function done(): void {
        t.cancel();
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

  return { takeFault, preStreamFault, responses, chat, delay };
}
