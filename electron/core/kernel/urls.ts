/** URL rules every domain shares: which servers Loupe may talk to, and one spelling of a base URL. */

/** 127.0.0.0/8, localhost and [::1]: the only hosts plain http is allowed for (stand-ins, local gateways). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

export type UrlProblem = 'invalid' | 'insecure';

/** https everywhere, plain http only on loopback; the caller words the refusal for its own field. */
export function checkSecureUrl(raw: string): URL | UrlProblem {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'invalid';
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return url;
  return 'insecure';
}

export const INSECURE_URL_RULE = 'must use https (plain http is allowed only for 127.0.0.1 or localhost)';

/** A base URL or issuer without its trailing slash (`https://api.openai.com/v1`), so paths append cleanly and issuers compare exactly. */
export function withoutTrailingSlash(url: string): string {
  return url.replace(/\/$/, '');
}
