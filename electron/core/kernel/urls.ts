/** URL rules every domain shares: which servers Loupe may talk to, and one spelling of a base URL. */

/** 127.0.0.0/8, localhost and [::1]: the only hosts plain http is allowed for (stand-ins, local gateways). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Characters no URL Loupe uses ever contains: C0/C1 controls, whitespace
 * (the URL parser silently strips leading tabs, newlines and spaces) and the
 * invisible or direction-changing marks that make a link read as another one.
 */
export const UNSAFE_URL_CHARS =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  /[\u0000-\u0020\u007f-\u00a0\u00ad\u061c\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff\ufff9-\ufffb]/;

export type UrlProblem = 'invalid' | 'insecure' | 'credentials';

/** https everywhere, plain http only on loopback; the caller words the refusal for its own field. */
export function checkSecureUrl(raw: string): URL | UrlProblem {
  if (UNSAFE_URL_CHARS.test(raw)) return 'invalid';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'invalid';
  }
  // Credentials in a URL end up in logs, screens and Referer headers; tokens and keys travel elsewhere.
  if (url.username || url.password) return 'credentials';
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return url;
  return 'insecure';
}

export const INSECURE_URL_RULE = 'must use https (plain http is allowed only for 127.0.0.1 or localhost)';
export const CREDENTIALS_URL_RULE = 'must not contain a user name or password';

/** A base URL or issuer without its trailing slash (`https://api.openai.com/v1`), so paths append cleanly and issuers compare exactly. */
export function withoutTrailingSlash(url: string): string {
  return url.replace(/\/$/, '');
}
