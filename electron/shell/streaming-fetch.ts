/**
 * The core's `fetch` in the app, on the core's own session. `session.fetch`
 * (Electron's net.fetch) collects a request body whole before sending it: it
 * writes the body into a ClientRequest without chunked encoding, which buffers
 * every chunk (and, before electron/electron#53858, copied everything written
 * so far on each chunk). A 200 MB batch upload would sit in the main
 * process's memory. So a stream body goes through `net.request` with
 * `chunkedEncoding` on, which ClientRequest's docs recommend for a large body
 * ("streamed in small chunks instead of being internally buffered inside
 * Electron process memory"), piped from the stream with the Writable's
 * backpressure: the file is read only as fast as the network takes it.
 * Everything else goes through `session.fetch` unchanged.
 */
import { Readable, type Writable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { ClientRequest, ClientRequestConstructorOptions, IncomingMessage, Session } from 'electron';

export type NetRequest = (options: ClientRequestConstructorOptions) => ClientRequest;

/** Statuses whose response has no body (a Response with one would throw). */
const NO_BODY = new Set([101, 204, 205, 304]);

export function createCoreFetch(session: Session, request: NetRequest): typeof fetch {
  return (input, init = {}) => {
    const target = input instanceof URL ? input.href : input;
    if (typeof target === 'string' && init.body instanceof ReadableStream) return streamed(session, request, target, { ...init, body: init.body });
    return session.fetch(target, { ...init, credentials: 'omit' });
  };
}

function streamed(session: Session, request: NetRequest, url: string, init: RequestInit & { body: ReadableStream }): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return reject(signal.reason);
    const req = request({
      method: init.method ?? 'POST',
      url,
      session,
      credentials: 'omit',
      redirect: init.redirect === 'manual' ? 'manual' : init.redirect === 'follow' ? 'follow' : 'error',
    });
    req.chunkedEncoding = true;
    for (const [name, value] of new Headers(init.headers)) req.setHeader(name, value);
    const fail = (cause: unknown) => reject(new TypeError('fetch failed', { cause }));
    const onAbort = () => {
      req.abort();
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('response', (response: IncomingMessage) => {
      signal?.removeEventListener('abort', onAbort);
      const headers = new Headers();
      for (const [name, value] of Object.entries(response.headers)) for (const one of [value].flat()) headers.append(name, one);
      const body = NO_BODY.has(response.statusCode) ? null : (Readable.toWeb(response as unknown as Readable) as ReadableStream<Uint8Array>);
      resolve(new Response(body, { status: response.statusCode, statusText: response.statusMessage, headers }));
    });
    req.on('error', fail);
    const source = Readable.fromWeb(init.body as NodeReadableStream<Uint8Array>);
    source.on('error', (error) => {
      req.abort();
      fail(error);
    });
    source.pipe(req as unknown as Writable);
  });
}
