/**
 * The double's protocol, session and net: app:// registered before ready and served after it; every fetch
 * recorded with its partition. As in Electron, `session.fetch` collects a request body whole before it
 * sends it (net.fetch writes it into a ClientRequest without chunked encoding), and a `net.request`
 * ClientRequest buffers what is written unless `chunkedEncoding` is on, when it streams each chunk as it
 * comes (ClientRequest docs; electron/electron#53858). Each records the most body bytes it held at once.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Writable } from 'node:stream';
import type { Kernel } from './kernel';

export interface BodyRecord {
  via: 'session.fetch' | 'net.request';
  url: string;
  chunked: boolean;
  bytes: number;
  /** The most body bytes the double held in memory at once for this request. */
  heldBytes: number;
}

export function createNet({ record, requireReady, requireNotReady }: Kernel) {
  const privilegedSchemes: unknown[] = [];
  const protocolHandlers = new Map<string, (request: Request) => Promise<Response> | Response>();
  const protocol = {
    registerSchemesAsPrivileged(schemes: unknown[]) {
      record('protocol.registerSchemesAsPrivileged', schemes);
      requireNotReady('protocol.registerSchemesAsPrivileged');
      privilegedSchemes.push(...schemes);
    },
    handle(scheme: string, handler: (request: Request) => Promise<Response> | Response) {
      record('protocol.handle', scheme);
      requireReady('protocol.handle');
      protocolHandlers.set(scheme, handler);
    },
  };
  const fetches: Array<{ partition: string; url: string; credentials: unknown }> = [];
  const bodies: BodyRecord[] = [];
  const makeSession = (partition: string) => ({
    partition,
    permissionRequestHandler: null as unknown,
    permissionCheckHandler: null as unknown,
    devicePermissionHandler: null as unknown,
    setPermissionRequestHandler(handler: unknown) {
      this.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler: unknown) {
      this.permissionCheckHandler = handler;
    },
    setDevicePermissionHandler(handler: unknown) {
      this.devicePermissionHandler = handler;
    },
    async fetch(input: string | Request, init: RequestInit = {}) {
      requireReady('session.fetch');
      const url = typeof input === 'string' ? input : input.url;
      fetches.push({ partition, url, credentials: init.credentials });
      if (init.body === undefined || init.body === null || typeof init.body === 'string') return globalThis.fetch(input, init);
      // Electron collects the whole body first (the headers a FormData body implies come along).
      const request = new Request(url, {
        method: init.method ?? 'POST',
        headers: init.headers ?? {},
        body: init.body,
        ...({ duplex: 'half' } as object),
      });
      const whole = Buffer.from(await request.arrayBuffer());
      bodies.push({ via: 'session.fetch', url, chunked: false, bytes: whole.length, heldBytes: whole.length });
      return globalThis.fetch(url, { ...init, headers: request.headers, body: whole });
    },
  });
  const sessions = new Map<string, ReturnType<typeof makeSession>>();
  const sessionFor = (partition: string) => {
    let found = sessions.get(partition);
    if (!found) sessions.set(partition, (found = makeSession(partition)));
    return found;
  };
  const session = {
    get defaultSession() {
      requireReady('session.defaultSession');
      return sessionFor('');
    },
    fromPartition(partition: string) {
      record('session.fromPartition', partition);
      requireReady('session.fromPartition');
      return sessionFor(partition);
    },
  };
  const net = {
    fetch(input: string | Request, init?: RequestInit) {
      record('net.fetch');
      requireReady('net.fetch');
      return sessionFor('').fetch(input, init);
    },
    request(options: { method?: string; url: string; session?: { partition: string }; credentials?: string; redirect?: string }) {
      record('net.request', options.method ?? 'GET', options.url);
      requireReady('net.request');
      return new ClientRequest(options);
    },
  };

  /** Electron's ClientRequest over Node's http: a Writable that sends on end, or as written when chunked. */
  class ClientRequest extends Writable {
    chunkedEncoding = false;
    readonly #headers: Record<string, string> = {};
    readonly #held: Buffer[] = [];
    readonly #record: BodyRecord;
    #outgoing: ReturnType<typeof httpRequest> | undefined;
    constructor(private readonly options: { method?: string; url: string }) {
      super();
      this.#record = { via: 'net.request', url: options.url, chunked: false, bytes: 0, heldBytes: 0 };
      bodies.push(this.#record);
    }
    setHeader(name: string, value: string) {
      if (this.#outgoing) throw new Error('headers already sent');
      this.#headers[name] = value;
    }
    abort() {
      this.#outgoing?.destroy(new Error('net::ERR_ABORTED'));
      this.destroy();
    }
    #start() {
      const url = new URL(this.options.url);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      this.#record.chunked = this.chunkedEncoding;
      const outgoing = send(url, { method: this.options.method ?? 'GET', headers: this.#headers });
      outgoing.on('response', (response) => this.emit('response', response));
      outgoing.on('error', (error) => this.emit('error', error));
      this.#outgoing = outgoing;
      return outgoing;
    }
    override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void) {
      this.#record.bytes += chunk.length;
      if (!this.chunkedEncoding) {
        this.#held.push(chunk);
        this.#record.heldBytes = Math.max(this.#record.heldBytes, this.#record.bytes);
        return done();
      }
      const outgoing = this.#outgoing ?? this.#start();
      this.#record.heldBytes = Math.max(this.#record.heldBytes, chunk.length);
      // The next chunk waits until this one is on its way: memory stays at a chunk.
      if (outgoing.write(chunk)) done();
      else outgoing.once('drain', () => done());
    }
    override _final(done: (error?: Error | null) => void) {
      const outgoing = this.#outgoing ?? this.#start();
      outgoing.end(this.#held.length ? Buffer.concat(this.#held) : undefined, () => done());
    }
  }
  return { protocol, privilegedSchemes, protocolHandlers, session, sessions, net, fetches, bodies };
}
