/**
 * The options every oauth4webapi request here is sent with: through the
 * adapter's fetch (Electron's net.fetch in the app, so system proxies apply),
 * with a timeout on the injected clock, and plain http only when the server is
 * a loopback stand-in.
 */
import * as oauth from 'oauth4webapi';
import { type Clock, timeoutSignal } from '../kernel/deps';

/** How requests reach a server; an OAuthProfile is one. */
export interface HttpVia {
  /** Plain-http loopback stand-in: oauth4webapi must be told to allow it. */
  allowInsecure: boolean;
  fetch: typeof fetch;
  clock: Clock;
}

/** oauth4webapi's request options (its `customFetch`, `allowInsecureRequests` and `signal`). */
export type HttpOptions = {
  // oauth4webapi's options are fetch's RequestInit with `body` possibly undefined.
  [oauth.customFetch]: (url: string, options: oauth.CustomFetchOptions<string, unknown>) => Promise<Response>;
  [oauth.allowInsecureRequests]: boolean;
  signal: () => AbortSignal;
};

/** The options for one request, with its own timeout. */
export function httpOptions(via: HttpVia, timeoutMs = 15_000): HttpOptions {
  return {
    [oauth.customFetch]: (url, options) => via.fetch(url, options as RequestInit),
    [oauth.allowInsecureRequests]: via.allowInsecure,
    signal: () => timeoutSignal(via.clock, timeoutMs),
  };
}
