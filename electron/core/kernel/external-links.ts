import { UNSAFE_URL_CHARS } from './urls';

/**
 * The only web destinations the renderer may open in the system browser.
 * Sign-in URLs never go through here: the auth flow opens those itself after
 * checking them against the discovered authorization endpoint.
 */
const ALLOWED: ReadonlyArray<{ origin: string; pathPrefix: string }> = [
  { origin: 'https://chatgpt.com', pathPrefix: '/settings' },
  { origin: 'https://help.openai.com', pathPrefix: '/' },
  { origin: 'https://platform.openai.com', pathPrefix: '/' },
  { origin: 'https://openai.com', pathPrefix: '/policies/' },
];

/** ChatGPT's usage settings: where a person enables plan usage or sees their limits (AppState.links.manageUsage). */
export const MANAGE_USAGE_URL = 'https://chatgpt.com/settings/usage';

/**
 * The normalised `href` to hand to the system browser when `raw` is an
 * allowed destination, else null. Callers pass on this value, never `raw`:
 * the allowlist judged the parsed URL, so the browser must get exactly that.
 */
export function allowedExternalUrl(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > 2048 || UNSAFE_URL_CHARS.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return null;
  const allowed = ALLOWED.some((rule) => url.origin === rule.origin && underPrefix(url.pathname, rule.pathPrefix));
  return allowed ? url.href : null;
}

/** `/settings` allows `/settings` and `/settings/…`, not `/settingsfoo`. */
function underPrefix(pathname: string, prefix: string): boolean {
  return prefix.endsWith('/') ? pathname.startsWith(prefix) : pathname === prefix || pathname.startsWith(`${prefix}/`);
}

/** Kept for callers that only ask; openers must use `allowedExternalUrl` and pass on what it returns. */
export function isAllowedExternalUrl(raw: string): boolean {
  return allowedExternalUrl(raw) !== null;
}
