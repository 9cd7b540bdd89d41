/** Shared by the loopback listener's tests: a listener that reports its outcome, raw HTTP and socket clients, and the checks on its pages. */
import { createHash, randomBytes } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, expect } from 'vitest';
import { startLoopbackListener, type LoopbackListener, type LoopbackOptions } from '../../../../electron/core/sign-in/loopback';
import { LoupeError, errorCode } from '../../../../electron/core/kernel/errors';
import { realClock } from '../../../support/real-clock';

export const STATE = randomBytes(32).toString('base64url');
export const CODE = `ac_${randomBytes(24).toString('base64url')}`;

export const open: LoopbackListener[] = [];
export const extraServers: Server[] = [];
export const sockets: Socket[] = [];

/** Closes every listener, server and socket a test opened; each test file calls it once (the unit project shares modules between files). */
export function closeAfterEach(): void {
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(open.splice(0).map((l) => l.close()));
    await Promise.all(extraServers.splice(0).map((s) => new Promise<void>((done) => s.close(() => done()))));
  });
}

export type Stray = Parameters<NonNullable<LoopbackOptions['onStrayRequest']>>[0];

/** Plays the sign-in flow: once the callback arrives, reports `outcome` (null: reports nothing, the test does). */
export async function start(
  options: Partial<LoopbackOptions> = {},
  outcome: 'signed_in' | null = 'signed_in',
): Promise<{ listener: LoopbackListener; strays: Stray[] }> {
  const strays: Stray[] = [];
  const listener = await startLoopbackListener({ expectedState: STATE, onStrayRequest: (info) => strays.push(info), clock: realClock, ...options });
  open.push(listener);
  if (outcome)
    listener.callback.then(
      () => listener.report(outcome),
      () => {},
    );
  return { listener, strays };
}

export function callbackUrl(listener: LoopbackListener, query: string): string {
  return `${listener.redirectUri}?${query}`;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** node:http with a fresh connection, for what fetch won't send (custom Host, odd methods). */
export function raw(port: number, options: { method?: string; path?: string; headers?: Record<string, string> }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/auth/callback', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Bytes straight onto a socket, for requests node:http refuses to build (two Host headers, HTTP/1.0). */
export function rawSocket(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(text);
  });
}

export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    sockets.push(socket);
    socket.on('error', reject);
  });
}

export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export function expectLoupeError(fn: () => unknown, code: string): LoupeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LoupeError);
    expect(errorCode(error)).toBe(code);
    return error as LoupeError;
  }
  throw new Error(`expected LoupeError ${code}`);
}

export async function rejection(promise: Promise<unknown>): Promise<LoupeError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LoupeError);
  return error as LoupeError;
}

export function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export function expectHardenedHeaders(headers: Headers | IncomingHttpHeaders): void {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : (headers[name] as string | undefined));
  expect(get('cache-control')).toBe('no-store');
  expect(get('referrer-policy')).toBe('no-referrer');
  expect(get('x-content-type-options')).toBe('nosniff');
  expect(get('connection')).toBe('close');
  const csp = get('content-security-policy') ?? '';
  expect(csp).toMatch(
    /^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; style-src ('sha256-[A-Za-z0-9+/=]+'|'none'); frame-ancestors 'none'; base-uri 'none'; form-action 'none'$/,
  );
}

/** The served CSP must allow exactly the inline script and style the page carries. */
export function expectCspMatchesPage(csp: string, html: string): void {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  expect(scripts).toHaveLength(1);
  expect(scripts[0]).toContain("history.replaceState(null, '', location.pathname)");
  expect(csp).toContain(`script-src ${sha256(scripts[0]!)};`);
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
  if (styles.length === 0) expect(csp).toContain("style-src 'none'");
  else {
    expect(styles).toHaveLength(1);
    expect(csp).toContain(`style-src ${sha256(styles[0]!)};`);
  }
}
