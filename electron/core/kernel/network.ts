/**
 * One answer to "did this request fail before any HTTP status arrived?",
 * shared by sign-in, refresh and analysis. Node's fetch (undici) rejects with
 * a TypeError; Electron's `net.fetch` rejects with a plain Error whose message
 * is a Chromium net error (`net::ERR_CONNECTION_REFUSED`, `net::ERR_TIMED_OUT`,
 * `net::ERR_NAME_NOT_RESOLVED`, …). Both mean "the network", never "the server
 * said no", so both are retried rather than shown as a refusal.
 */
const CHROMIUM_NET_ERROR = /^net::ERR_[A-Z0-9_]+/;

export function isNetworkError(error: unknown): boolean {
  if (error instanceof TypeError) return true;
  if (error instanceof Error) {
    if (CHROMIUM_NET_ERROR.test(error.message)) return true;
    // A timeout from AbortSignal.timeout() is a DOMException named TimeoutError.
    if (error.name === 'TimeoutError') return true;
  }
  return false;
}
