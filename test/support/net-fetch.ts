/**
 * A fetch that fails the way Electron's `net.fetch` does: a plain Error whose
 * message is a Chromium net error code, not undici's TypeError.
 */
export function netFetchFailing(fails: (url: string) => boolean, message = 'net::ERR_CONNECTION_REFUSED'): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (fails(url)) throw new Error(message);
    return fetch(input, init);
  };
}
