/** /v1/files and /v1/batches for API keys: the Batch API's routes, answered from files.ts and batches.ts. */
import type { Ctx } from './context.ts';
import { batchesRoute } from './batches.ts';
import { filesRoute, readRaw, type RouteResult } from './files.ts';
import type { ApiState } from './state.ts';
import type { createRespond } from './respond.ts';

export function createBatchRoutes(s: ApiState & ReturnType<typeof createRespond>) {
  const { batchStore, fileStore, maxBody, headers, sendJson, sendError } = s;

  return async function batchRoutes(ctx: Ctx, method: string, route: string): Promise<void> {
    const json = async (): Promise<unknown> => {
      const raw = await readRaw(ctx.req, maxBody);
      if ('status' in raw) return null;
      try {
        return JSON.parse(raw.toString('utf8')) as unknown;
      } catch {
        return null;
      }
    };
    let body: () => Promise<unknown> = json;
    if (method === 'POST' && route === '/batches' && batchStore!.options.beforeCreate) {
      const parsed = await json();
      await batchStore!.options.beforeCreate();
      // The client gave up (Loupe quit) while creation was held: like a request that never arrived.
      if (ctx.res.destroyed || ctx.req.socket.destroyed) return;
      body = async () => parsed;
    }
    const result: RouteResult = route.startsWith('/files')
      ? await filesRoute(fileStore, method, route, ctx.req)
      : await batchesRoute(batchStore!, method, route, body);
    if (result.error) return sendError(ctx, result.error);
    if (result.raw) {
      ctx.record.status = 200;
      ctx.res.writeHead(200, headers(ctx, { 'content-type': result.raw.contentType, 'content-length': String(result.raw.data.length) }));
      ctx.res.end(result.raw.data);
      return;
    }
    sendJson(ctx, result.status, result.body);
  };
}
