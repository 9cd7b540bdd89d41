import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { realClock } from '../../../support/real-clock';
import { Discovery, StaticMetadata } from '../../../../electron/core/oauth/discovery';
import { resolveEndpoints } from '../../../../electron/core/oauth/endpoints';

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

describe('StaticMetadata', () => {
  it('serves the metadata as written, and a fresh copy once when the keys must be fetched again', async () => {
    const as = { issuer: 'https://login.example.com', token_endpoint: 'https://login.example.com/token' };
    const metadata = new StaticMetadata(as);
    const first = await metadata.get();
    expect(first).toBe(as);
    expect(metadata.forgetKeys({ ...as })).toBe(false);
    expect(metadata.forgetKeys(first)).toBe(true);
    const fresh = await metadata.get();
    expect(fresh).not.toBe(first);
    expect(fresh).toEqual(as);
    expect(metadata.forgetKeys(first)).toBe(false);
  });
});
