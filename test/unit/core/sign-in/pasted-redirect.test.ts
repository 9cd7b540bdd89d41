import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { STATE, CODE, closeAfterEach, start, callbackUrl, canBind, expectLoupeError, rejection } from './loopback-support';

closeAfterEach();

describe('startLoopbackListener: submitPastedUrl', () => {
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
