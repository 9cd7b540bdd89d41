/** Requests that are not this attempt's callback are answered and ignored; the attempt keeps waiting. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { STATE, CODE, closeAfterEach, start, callbackUrl, raw, rawSocket, expectHardenedHeaders } from './loopback-support';

closeAfterEach();

describe('startLoopbackListener: stray requests', () => {
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

  it('drops a request whose headers never finish, and keeps waiting', async () => {
    const { listener } = await start({ headersTimeoutMs: 100, requestTimeoutMs: 200 });
    const text = await rawSocket(listener.port, `GET /auth/callback?state=${STATE} HTTP/1.1\r\nHost: 127.0.0.1:${listener.port}\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).not.toContain(STATE);
    expect((await fetch(callbackUrl(listener, `code=${CODE}&state=${STATE}`))).status).toBe(200);
    await expect(listener.callback).resolves.toBeInstanceOf(URL);
  });
});
