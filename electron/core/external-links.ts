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

export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  return ALLOWED.some((rule) => url.origin === rule.origin && url.pathname.startsWith(rule.pathPrefix));
}
