import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startLoopbackListener } from '../../../../electron/core/sign-in/loopback';
import { ManualClock } from '../../../support/manual-clock';
import { realClock } from '../../../support/real-clock';
import {
  STATE,
  CODE,
  extraServers,
  closeAfterEach,
  start,
  callbackUrl,
  openSocket,
  canBind,
  rejection,
  expectHardenedHeaders,
  expectCspMatchesPage,
} from './loopback-support';

closeAfterEach();

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
});
