import { createHash, randomBytes } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLoopbackListener, type LoopbackListener, type LoopbackOptions } from '../../../../electron/core/auth/loopback';
import { LoupeError, errorCode } from '../../../../electron/core/kernel/errors';
import { ManualClock } from '../../../support/manual-clock';
import { realClock } from '../../../support/real-clock';

const STATE = randomBytes(32).toString('base64url');
const CODE = `ac_${randomBytes(24).toString('base64url')}`;

const open: LoopbackListener[] = [];
const extraServers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(open.splice(0).map((l) => l.close()));
  await Promise.all(extraServers.splice(0).map((s) => new Promise<void>((done) => s.close(() => done()))));
});

type Stray = Parameters<NonNullable<LoopbackOptions['onStrayRequest']>>[0];

/** Plays the sign-in flow: once the callback arrives, reports `outcome` (null: reports nothing, the test does). */
async function start(
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

function callbackUrl(listener: LoopbackListener, query: string): string {
  return `${listener.redirectUri}?${query}`;
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** node:http with a fresh connection, for what fetch won't send (custom Host, odd methods). */
function raw(port: number, options: { method?: string; path?: string; headers?: Record<string, string> }): Promise<RawResponse> {
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
function rawSocket(port: number, text: string): Promise<string> {
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

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    sockets.push(socket);
    socket.on('error', reject);
  });
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function expectLoupeError(fn: () => unknown, code: string): LoupeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LoupeError);
    expect(errorCode(error)).toBe(code);
    return error as LoupeError;
  }
  throw new Error(`expected LoupeError ${code}`);
}

async function rejection(promise: Promise<unknown>): Promise<LoupeError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LoupeError);
  return error as LoupeError;
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function expectHardenedHeaders(headers: Headers | IncomingHttpHeaders): void {
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
function expectCspMatchesPage(csp: string, html: string): void {
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

describe('startLoopbackListener', () => {
  it('binds an ephemeral port on 127.0.0.1 and reports the exact redirect URI', async () => {
    const { listener } = await start();
    expect(listener.port).toBeGreaterThan(0);
    expect(listener.redirectUri).toBe(`http://127.0.0.1:${listener.port}/auth/callback`);
  });

  it('resolves with the full callback URL and serves a static success page with a matching CSP', async () => {
    const { listener } = await start();
    const query = `code=${CODE}&state=${STATE}&scope=openid+email&client_id=oaiapp_abc123`;
    const response = await fetch(callbackUrl(listener, query));
    expect(response.status).toBe(200);
    expectHardenedHeaders(response.headers);
    const html = await response.text();
    expect(html).toContain('Loupe is signed in. You can close this tab.');
    expectCspMatchesPage(response.headers.get('content-security-policy')!, html);
    for (const value of [CODE, STATE, 'oaiapp_abc123', 'openid']) expect(html).not.toContain(value);

    const url = await listener.callback;
    expect(url.href).toBe(callbackUrl(listener, query));
    expect(url.searchParams.get('code')).toBe(CODE);
  });

  it('serves the failure page for an error callback and still hands it to the flow', async () => {
    const { listener } = await start({}, null);
    listener.callback.then(
      () => listener.report('declined'),
      () => {},
    );
    const query = `error=access_denied&error_description=Secret+%3Cb%3Edetail%3C%2Fb%3E&state=${STATE}`;
    const response = await fetch(callbackUrl(listener, query));
    expect(response.status).toBe(200);
    expectHardenedHeaders(response.headers);
    const html = await response.text();
    expect(html).toContain('Sign-in was declined in the browser');
    expect(html).not.toContain('Signed in');
    for (const value of ['access_denied', 'Secret', 'detail', STATE]) expect(html).not.toContain(value);
    expectCspMatchesPage(response.headers.get('content-security-policy')!, html);
    expect((await listener.callback).searchParams.get('error')).toBe('access_denied');
  });

  it('answers wrong, missing and duplicate state with 400 and keeps waiting', async () => {
    const { listener, strays } = await start();
    const wrong = `wrong_${randomBytes(8).toString('hex')}`;
    for (const query of [
      `code=${CODE}&state=${wrong}`,
      `code=${CODE}&state=${STATE.slice(0, -1)}`,
      `code=${CODE}`,
      `code=${CODE}&state=${STATE}&state=${STATE}`,
      `code=${CODE}&state=${STATE}&state=${wrong}`,
      `code=${CODE}&state=`,
    ]) {
      const response = await fetch(callbackUrl(listener, query));
      expect(response.status, query).toBe(400);
      expectHardenedHeaders(response.headers);
      const html = await response.text();
      for (const value of [CODE, STATE, wrong]) expect(html).not.toContain(value);
    }
    expect(strays).toEqual(Array.from({ length: 6 }, () => ({ reason: 'state', status: 400 })));

    const ok = await fetch(callbackUrl(listener, `code=${CODE}&state=${STATE}`));
    expect(ok.status).toBe(200);
    expect((await listener.callback).searchParams.get('code')).toBe(CODE);
  });

  it('answers a right-state callback with neither code nor error with 400 and keeps waiting', async () => {
    const { listener, strays } = await start();
    const response = await fetch(callbackUrl(listener, `state=${STATE}`));
    expect(response.status).toBe(400);
    expect(strays).toEqual([{ reason: 'params', status: 400 }]);
    expect((await fetch(callbackUrl(listener, `code=${CODE}&state=${STATE}`))).status).toBe(200);
    await expect(listener.callback).resolves.toBeInstanceOf(URL);
  });

  it('answers other paths with 404 and keeps waiting', async () => {
    const { listener, strays } = await start();
    const base = `http://127.0.0.1:${listener.port}`;
    for (const path of ['/callback', '/auth/callback/', '/auth/callbackx', '/Auth/Callback', '/', '/auth/%63allback', '/auth/./callback']) {
      const response = await raw(listener.port, { path: `${path}?code=${CODE}&state=${STATE}`, headers: { Host: `127.0.0.1:${listener.port}` } });
      expect(response.status, path).toBe(404);
      expectHardenedHeaders(response.headers);
      expect(response.body).not.toContain(STATE);
    }
    // Absolute-form request target.
    const absolute = await raw(listener.port, {
      path: `${base}/auth/callback?code=${CODE}&state=${STATE}`,
      headers: { Host: `127.0.0.1:${listener.port}` },
    });
    expect(absolute.status).toBe(404);
    expect(strays.every((s) => s.reason === 'path' && s.status === 404)).toBe(true);
    expect(strays).toHaveLength(8);

    expect((await fetch(callbackUrl(listener, `code=${CODE}&state=${STATE}`))).status).toBe(200);
    await expect(listener.callback).resolves.toBeInstanceOf(URL);
  });

  it('answers methods other than GET with 405 and Allow: GET, and keeps waiting', async () => {
    const { listener, strays } = await start();
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS']) {
      const response = await raw(listener.port, { method, path: `/auth/callback?code=${CODE}&state=${STATE}` });
      expect(response.status, method).toBe(405);
      expect(response.headers.allow).toBe('GET');
      expectHardenedHeaders(response.headers);
    }
    expect(strays).toEqual(Array.from({ length: 5 }, () => ({ reason: 'method', status: 405 })));
    expect((await fetch(callbackUrl(listener, `code=${CODE}&state=${STATE}`))).status).toBe(200);
    await expect(listener.callback).resolves.toBeInstanceOf(URL);
  });

  it('answers a wrong Host with 404 and keeps waiting (DNS rebinding)', async () => {
    const { listener, strays } = await start();
    const query = `/auth/callback?code=${CODE}&state=${STATE}`;
    for (const host of [
      `localhost:${listener.port}`,
      'evil.example',
      `evil.example:${listener.port}`,
      '127.0.0.1',
      `127.0.0.1:${listener.port + 1}`,
      `[::1]:${listener.port}`,
    ]) {
      const response = await raw(listener.port, { path: query, headers: { Host: host } });
      expect(response.status, host).toBe(404);
      expectHardenedHeaders(response.headers);
    }
    // Two Host headers, and none at all (HTTP/1.0).
    const doubled = await rawSocket(
      listener.port,
      `GET ${query} HTTP/1.1\r\nHost: 127.0.0.1:${listener.port}\r\nHost: 127.0.0.1:${listener.port}\r\n\r\n`,
    );
    expect(doubled).toMatch(/^HTTP\/1\.1 404 /);
    const missing = await rawSocket(listener.port, `GET ${query} HTTP/1.0\r\n\r\n`);
    expect(missing).toMatch(/^HTTP\/1\.1 404 /);
    expect(strays).toEqual(Array.from({ length: 8 }, () => ({ reason: 'host', status: 404 })));

    expect((await fetch(callbackUrl(listener, `code=${CODE}&state=${STATE}`))).status).toBe(200);
    await expect(listener.callback).resolves.toBeInstanceOf(URL);
  });

  it('is one-shot: after the first valid callback new connections are refused', async () => {
    const { listener } = await start();
    const url = callbackUrl(listener, `code=${CODE}&state=${STATE}`);
    expect((await fetch(url)).status).toBe(200);
    await listener.callback;
    const replay = await fetch(url).then(
      () => undefined,
      (error: unknown) => error as Error & { cause?: NodeJS.ErrnoException },
    );
    expect(replay?.cause?.code).toBe('ECONNREFUSED');
    await listener.close();
    await listener.close();
  });

  it('reports callback_port_unavailable naming a fixed port that is in use', async () => {
    const blocker = createServer();
    extraServers.push(blocker);
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', () => done()));
    const port = (blocker.address() as { port: number }).port;
    const error = await rejection(startLoopbackListener({ expectedState: STATE, port, clock: realClock }));
    expect(error.code).toBe('callback_port_unavailable');
    expect(error.message).toContain(`Port ${port} is in use`);
    expect(error.message).toMatch(/automatic/);
  });

  it('listens on a fixed free port when asked', async () => {
    const probe = await start();
    const port = probe.listener.port;
    await probe.listener.close();
    const { listener } = await start({ port });
    expect(listener.redirectUri).toBe(`http://127.0.0.1:${port}/auth/callback`);
  });

  it('times out with a retryable timeout error and frees the port', async () => {
    const clock = new ManualClock();
    const { listener } = await start({ timeoutMs: 200, clock });
    clock.advance(199);
    expect(
      await Promise.race([
        listener.callback.then(
          () => 'settled',
          () => 'settled',
        ),
        new Promise((done) => setImmediate(() => done('waiting'))),
      ]),
    ).toBe('waiting');
    clock.advance(1);
    const error = await rejection(listener.callback);
    expect(error.code).toBe('timeout');
    expect(error.options.retryable).toBe(true);
    expect(await canBind(listener.port)).toBe(true);
    await listener.close();
  });

  it('cancel rejects with cancelled and frees the port at once, even with connections open', async () => {
    const { listener } = await start();
    const idle = await openSocket(listener.port);
    const partial = await openSocket(listener.port);
    partial.write(`GET /auth/callback?state=x HTTP/1.1\r\nHost: 127.0.0.1:${listener.port}\r\n`);
    const idleClosed = new Promise<void>((done) => idle.once('close', () => done()));
    const partialClosed = new Promise<void>((done) => partial.once('close', () => done()));

    listener.cancel();
    listener.cancel();
    expect((await rejection(listener.callback)).code).toBe('cancelled');
    expect(await canBind(listener.port)).toBe(true);
    await Promise.all([idleClosed, partialClosed, listener.close()]);
  });

  it('close while waiting rejects the callback as cancelled and resolves once closed', async () => {
    const { listener } = await start();
    await openSocket(listener.port);
    await listener.close();
    expect((await rejection(listener.callback)).code).toBe('cancelled');
    expect(await canBind(listener.port)).toBe(true);
  });

  it('never causes an unhandled rejection when nobody awaits the callback yet', async () => {
    const clock = new ManualClock();
    // No outcome reporter either: nothing handles the callback promise until the end of the test.
    const { listener } = await start({ timeoutMs: 20, clock }, null);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      clock.advance(20);
      // Node reports an unhandled rejection once this turn's microtasks are done, before the next macrotask.
      await new Promise((done) => setImmediate(done));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect((await rejection(listener.callback)).code).toBe('timeout');
  });

  it('drops a request whose headers never finish, and keeps waiting', async () => {
    const { listener } = await start({ headersTimeoutMs: 100, requestTimeoutMs: 200 });
    const text = await rawSocket(listener.port, `GET /auth/callback?state=${STATE} HTTP/1.1\r\nHost: 127.0.0.1:${listener.port}\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).not.toContain(STATE);
    expect((await fetch(callbackUrl(listener, `code=${CODE}&state=${STATE}`))).status).toBe(200);
    await expect(listener.callback).resolves.toBeInstanceOf(URL);
  });

  describe('submitPastedUrl', () => {
    it("accepts this attempt's redirect and resolves the callback", async () => {
      const { listener } = await start();
      const pasted = `  ${callbackUrl(listener, `code=${CODE}&state=${STATE}&client_id=oaiapp_x`)}\n`;
      listener.submitPastedUrl(pasted);
      const url = await listener.callback;
      expect(url.searchParams.get('code')).toBe(CODE);
      expect(url.searchParams.get('client_id')).toBe('oaiapp_x');
      // One-shot here too.
      expectLoupeError(() => listener.submitPastedUrl(pasted), 'invalid_redirect');
      await listener.close();
      expect(await canBind(listener.port)).toBe(true);
    });

    it('accepts a pasted error redirect (the flow judges it)', async () => {
      const { listener } = await start();
      listener.submitPastedUrl(callbackUrl(listener, `error=access_denied&state=${STATE}`));
      expect((await listener.callback).searchParams.get('error')).toBe('access_denied');
    });

    it("rejects addresses that are not this attempt's redirect and keeps waiting", async () => {
      const { listener } = await start();
      const port = listener.port;
      const good = `code=${CODE}&state=${STATE}`;
      const wrongState = `wrong_${randomBytes(8).toString('hex')}`;
      const cases: Array<[string, RegExp]> = [
        ['not a url', /not a web address/],
        ['', /not a web address/],
        [`https://127.0.0.1:${port}/auth/callback?${good}`, /not a Loupe sign-in address/],
        [`http://localhost:${port}/auth/callback?${good}`, /127\.0\.0\.1/],
        [`http://[::1]:${port}/auth/callback?${good}`, /127\.0\.0\.1/],
        [`http://evil.example:${port}/auth/callback?${good}`, /127\.0\.0\.1/],
        [`http://127.0.0.1:${port === 65535 ? port - 1 : port + 1}/auth/callback?${good}`, new RegExp(`wrong port.*port ${port}`)],
        [`http://127.0.0.1/auth/callback?${good}`, /wrong port/],
        [`http://user:pw@127.0.0.1:${port}/auth/callback?${good}`, /not a Loupe sign-in address/],
        [`http://127.0.0.1:${port}/callback?${good}`, /wrong path/],
        [`http://127.0.0.1:${port}/auth/callback/?${good}`, /wrong path/],
        [`http://127.0.0.1:${port}/auth/callback?code=${CODE}`, /missing its sign-in details/],
        [`http://127.0.0.1:${port}/auth/callback?${good}&state=${STATE}`, /more than once/],
        [`http://127.0.0.1:${port}/auth/callback?code=${CODE}&state=${wrongState}`, /different sign-in attempt/],
        [`http://127.0.0.1:${port}/auth/callback?state=${STATE}`, /no sign-in result/],
      ];
      for (const [pasted, message] of cases) {
        const error = expectLoupeError(() => listener.submitPastedUrl(pasted), 'invalid_redirect');
        expect(error.message, pasted).toMatch(message);
        for (const secret of [CODE, STATE, wrongState]) expect(error.message).not.toContain(secret);
      }
      // Still waiting: a real callback still lands.
      expect((await fetch(callbackUrl(listener, good))).status).toBe(200);
      await expect(listener.callback).resolves.toBeInstanceOf(URL);
    });

    it('refuses a paste after the attempt was cancelled', async () => {
      const { listener } = await start();
      listener.cancel();
      expectLoupeError(() => listener.submitPastedUrl(callbackUrl(listener, `code=${CODE}&state=${STATE}`)), 'invalid_redirect');
      expect((await rejection(listener.callback)).code).toBe('cancelled');
    });
  });
});
