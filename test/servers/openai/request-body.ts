/** The caller and the body: bearer or API key, streamed JSON with data URLs summarised, image headers probed. */
import sharp from 'sharp';
import { badJson, invalidApiKey, missingAuth, oauthRejected, tooLarge, apiError, type ApiError } from './errors.ts';
import { summarizeDataUrl, type DataUrlInfo } from './data-url.ts';
import { JsonStreamParser } from './json-stream.ts';
import type { ProbedImage } from './validate.ts';
import type { Auth, Ctx, ParsedBody } from './context.ts';
import type { RequestRecord, TokenCheck } from './openai-api.ts';
import type { ApiState } from './state.ts';

export function createRequestBody(s: ApiState) {
  const { opts, apiKeys, maxBody, stats } = s;

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

  return { authenticate, readBody, probeImages };
}
