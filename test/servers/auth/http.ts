/** Small request helpers of the auth stand-in: bodies, parameters, one-shot faults. */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Fault } from './types';

export function takeFault<T>(list: Array<Fault<T>>, matches: (value: T) => boolean = () => true): T | undefined {
  const fault = list.find((f) => f.left > 0 && matches(f.value));
  if (!fault) return undefined;
  fault.left -= 1;
  return fault.value;
}

export function toParams(search: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of search) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export function sortScope(scope: string): string {
  return [...new Set(scope.split(' ').filter(Boolean))].sort().join(' ');
}

export function subFor(email: string): string {
  return `user-${createHash('sha256').update(email.toLowerCase()).digest('base64url').slice(0, 24)}`;
}

/** Token and revocation bodies as the app sent them; a JSON body (Codex-style, wrong for SIWC) is logged too. */
export function bodyParams(raw: Buffer, contentType: string): URLSearchParams {
  if (!/json/i.test(contentType)) return new URLSearchParams(raw.toString());
  const out = new URLSearchParams();
  try {
    const parsed = JSON.parse(raw.toString()) as Record<string, unknown>;
    for (const [k, v] of Object.entries(parsed)) out.append(k, typeof v === 'string' ? v : JSON.stringify(v));
  } catch {
    out.append('__unparsed_body', raw.toString());
  }
  return out;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Lets oidc-provider read a body the stand-in already consumed (to log it and to check params
 * before a code or refresh token is spent). oidc-provider reads bodies through req.iterator()
 * while req.readable is true; its only alternative is a pre-parsed req.body, which works but logs
 * a warning on every run.
 */
export function replayBody(req: IncomingMessage, body: Buffer): void {
  Object.defineProperty(req, 'readable', { value: true, configurable: true });
  Object.defineProperty(req, 'iterator', {
    configurable: true,
    value: async function* replay() {
      if (body.length) yield body;
    },
  });
}

/** client_id of a token or revocation request: form body, else HTTP Basic credentials. */
export function requestClientId(ctx: KoaContextWithOIDC, params: URLSearchParams): string {
  const fromBody = params.get('client_id');
  if (fromBody) return fromBody;
  const auth = /^basic\s+(\S+)$/i.exec(ctx.get('authorization') ?? '');
  if (!auth) return '';
  const decoded = Buffer.from(auth[1]!, 'base64').toString();
  const colon = decoded.indexOf(':');
  try {
    return decodeURIComponent((colon < 0 ? decoded : decoded.slice(0, colon)).replaceAll('+', ' '));
  } catch {
    return '';
  }
}
