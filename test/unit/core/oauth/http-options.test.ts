import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { httpOptions } from '../../../../electron/core/oauth/http-options';
import { ManualClock } from '../../../support/manual-clock';

describe('httpOptions', () => {
  it('sends through the given fetch, allows plain http only when told, and times out on the given clock', async () => {
    const clock = new ManualClock();
    const seen: string[] = [];
    const fetchVia = (async (input: string | URL | Request) => {
      seen.push(String(input));
      return new Response('{}');
    }) as typeof fetch;
    const options = httpOptions({ allowInsecure: true, fetch: fetchVia, clock }, 5_000);
    expect(options[oauth.allowInsecureRequests]).toBe(true);
    expect(httpOptions({ allowInsecure: false, fetch: fetchVia, clock })[oauth.allowInsecureRequests]).toBe(false);

    await options[oauth.customFetch]('http://127.0.0.1:1/token', { method: 'POST', headers: {}, body: undefined, redirect: 'manual' });
    expect(seen).toEqual(['http://127.0.0.1:1/token']);

    const signal = options.signal();
    clock.advance(4_999);
    expect(signal.aborted).toBe(false);
    clock.advance(1);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
  });
});
