import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { realClock } from '../../../support/real-clock';
import { Discovery } from '../../../../electron/core/oauth/discovery';
import { resolveEndpoints } from '../../../../electron/core/oauth/endpoints';
import { parseEarliestRefreshAt, readTokenError, refreshFailureError } from '../../../../electron/core/oauth/token-errors';

describe('resolveEndpoints', () => {
  it('defaults to OpenAI in every build', () => {
    const e = resolveEndpoints({}, { dev: false });
    expect(e.issuer.href).toBe('https://auth.openai.com/');
    expect(e.apiBase.href).toBe('https://api.openai.com/v1');
    expect(e.testIssuer).toBeNull();
    expect(e.allowInsecure).toBe(false);
  });
  it('honours a loopback stand-in only in development builds', () => {
    const e = resolveEndpoints({ issuer: 'http://127.0.0.1:4444', apiBase: 'http://127.0.0.1:5555/v1' }, { dev: true });
    expect(e.testIssuer).toBe('http://127.0.0.1:4444');
    expect(e.allowInsecure).toBe(true);
    expect(() => resolveEndpoints({ issuer: 'http://127.0.0.1:4444' }, { dev: false })).toThrow(/development builds/);
  });
  it.each(['http://auth.example.com', 'http://10.0.0.5:80', 'ftp://127.0.0.1', 'not a url'])('refuses %s', (issuer) => {
    expect(() => resolveEndpoints({ issuer }, { dev: true })).toThrowError(expect.objectContaining({ code: 'invalid_configuration' }));
  });
  it('accepts an https issuer in development', () => {
    expect(resolveEndpoints({ issuer: 'https://login.example.com' }, { dev: true }).testIssuer).toBe('https://login.example.com');
  });
});

describe('Discovery', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  async function serve(handler: (count: number, base: string) => { status: number; body: unknown }) {
    let count = 0;
    let base = '';
    server = createServer((req, res) => {
      count++;
      const { status, body } = handler(count, base);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { base, calls: () => count };
  }
  const metadata = (base: string, overrides: Record<string, unknown> = {}) => ({
    issuer: base,
    authorization_endpoint: `${base}/api/accounts/authorize`,
    token_endpoint: `${base}/api/accounts/oauth/token`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    revocation_endpoint: `${base}/api/accounts/oauth/revoke`,
    ...overrides,
  });
  const discoveryFor = (base: string) => new Discovery(resolveEndpoints({ issuer: base }, { dev: true }), fetch, realClock);

  it('caches a valid document', async () => {
    const { base, calls } = await serve((_n, b) => ({ status: 200, body: metadata(b) }));
    const d = discoveryFor(base);
    expect((await d.get()).token_endpoint).toBe(`${base}/api/accounts/oauth/token`);
    await d.get();
    expect(calls()).toBe(1);
  });
  it('does not cache a failure: 500 then 200 works on the second call', async () => {
    const { base, calls } = await serve((n, b) => (n === 1 ? { status: 500, body: {} } : { status: 200, body: metadata(b) }));
    const d = discoveryFor(base);
    await expect(d.get()).rejects.toMatchObject({ code: 'discovery_failed', options: { retryable: true } });
    await expect(d.get()).resolves.toBeTruthy();
    expect(calls()).toBe(2);
  });
  it('rejects an issuer that differs by a trailing slash', async () => {
    const { base } = await serve((_n, b) => ({ status: 200, body: metadata(b, { issuer: `${b}/` }) }));
    await expect(discoveryFor(base).get()).rejects.toMatchObject({ code: 'issuer_mismatch' });
  });
  it('rejects an endpoint on another origin, and a missing revocation endpoint', async () => {
    const { base } = await serve((_n, b) => ({ status: 200, body: metadata(b, { token_endpoint: 'http://127.0.0.2:9/token' }) }));
    await expect(discoveryFor(base).get()).rejects.toThrow(/token endpoint/);
    server!.close();
    const second = await serve((_n, b) => ({ status: 200, body: metadata(b, { revocation_endpoint: undefined }) }));
    await expect(discoveryFor(second.base).get()).rejects.toThrow(/revocation endpoint/);
  });
});

describe('token endpoint errors', () => {
  const respond = (status: number, body: string, headers: Record<string, string> = {}) => new Response(body, { status, headers });
  it.each([
    ['RFC 6749 shape', respond(400, '{"error":"invalid_grant","error_description":"x"}'), 'invalid_grant'],
    ['nested shape', respond(400, '{"error":{"code":"refresh_token_reused","message":"x"}}'), 'refresh_token_reused'],
    ['top-level code', respond(400, '{"code":"refresh_token_expired"}'), 'refresh_token_expired'],
    ['non-JSON 400', respond(400, '<html>bad request</html>'), null],
    ['401 with WWW-Authenticate', respond(401, '', { 'www-authenticate': 'Bearer error="invalid_client"' }), 'invalid_client'],
  ])('reads the %s', async (_name, response, code) => {
    expect((await readTokenError(response)).code).toBe(code);
  });
  it('classifies terminal, config and transient failures', () => {
    expect(refreshFailureError({ status: 400, code: 'refresh_token_reused', requestId: null }).code).toBe('refresh_token_reused');
    expect(refreshFailureError({ status: 401, code: 'invalid_client', requestId: null }).code).toBe('invalid_client');
    const transient = refreshFailureError({ status: 502, code: null, requestId: null });
    expect(transient.code).toBe('server_unavailable');
    expect(transient.options.retryable).toBe(true);
    expect(refreshFailureError({ status: 400, code: null, requestId: null }).code).toBe('refresh_failed');
  });
});

describe('parseEarliestRefreshAt', () => {
  it('reads seconds, milliseconds, ISO strings; null and junk are absent', () => {
    expect(parseEarliestRefreshAt(1_800_000_000)).toBe(1_800_000_000_000);
    expect(parseEarliestRefreshAt(1_800_000_000_000)).toBe(1_800_000_000_000);
    expect(parseEarliestRefreshAt('2027-01-15T10:00:00Z')).toBe(Date.parse('2027-01-15T10:00:00Z'));
    expect(parseEarliestRefreshAt('1800000000')).toBe(1_800_000_000_000);
    expect(parseEarliestRefreshAt(null)).toBeUndefined();
    expect(parseEarliestRefreshAt('soon')).toBeUndefined();
    expect(parseEarliestRefreshAt(undefined)).toBeUndefined();
  });
});
