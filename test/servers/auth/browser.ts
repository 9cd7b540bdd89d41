import { DEFAULT_EMAIL, DEFAULT_PASSWORD } from './constants';

interface StoredCookie {
  name: string;
  value: string;
  path: string;
  origin: string;
}

/**
 * Just enough of a cookie store to carry oidc-provider's interaction, resume and session cookies
 * between requests. Path scoping matters: the interaction and resume cookies share a name across
 * concurrent attempts and are told apart only by path.
 */
export class CookieJar {
  private cookies: StoredCookie[] = [];

  store(url: URL, setCookieHeaders: string[]): void {
    for (const header of setCookieHeaders) {
      const [pair = '', ...attrs] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expired = false;
      for (const attr of attrs) {
        const [k = '', v = ''] = attr.split('=').map((s) => s.trim());
        const key = k.toLowerCase();
        if (key === 'path' && v.startsWith('/')) path = v;
        if (key === 'max-age' && Number(v) <= 0) expired = true;
        if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path && c.origin === url.origin));
      if (!expired) this.cookies.push({ name, value, path, origin: url.origin });
    }
  }

  header(url: URL): string {
    return (
      this.cookies
        .filter((c) => c.origin === url.origin && pathMatches(url.pathname, c.path))
        // RFC 6265 §5.4: longer paths first, so the most specific interaction cookie wins.
        .sort((a, b) => b.path.length - a.path.length)
        .map((c) => `${c.name}=${c.value}`)
        .join('; ')
    );
  }

  clear(): void {
    this.cookies = [];
  }
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

export interface BrowserOptions {
  email?: string;
  password?: string;
  decision?: 'approve' | 'deny';
  /** Leave the "Use my ChatGPT plan" box ticked (default) or untick it. */
  grantPlanUsage?: boolean;
  /** Replace the app name the consent page pre-fills from agent_name_hint. */
  agentName?: string;
  /** Pass the same jar to several calls to keep the auth server's login session, like one browser profile. */
  jar?: CookieJar | undefined;
  /** Receives the name of every page shown ('login', 'consent'), for asserting which screens appeared. */
  onPage?: (page: string) => void;
}

function formAction(html: string, formId: string): string {
  const form = new RegExp(`<form[^>]*id="${formId}"[^>]*>`).exec(html)?.[0] ?? '';
  const action = /action="([^"]*)"/.exec(form)?.[1];
  if (!action) throw new Error(`page has no form#${formId}`);
  return action.replaceAll('&amp;', '&');
}

function inputValue(html: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0];
  if (!tag) return undefined;
  return (/value="([^"]*)"/.exec(tag)?.[1] ?? '')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function textOf(html: string, id: string): string {
  const m = new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html);
  return m?.[1]?.trim() ?? '';
}

/**
 * Plays the person in the browser: follows the authorize URL through the login and consent pages
 * with plain fetch, and returns the redirect to the app's loopback callback without requesting it.
 * Throws if the server stops on an error page or rejects the credentials.
 */
export async function completeAuthorizationInBrowser(authorizeUrl: string, opts: BrowserOptions = {}): Promise<URL> {
  const jar = opts.jar ?? new CookieJar();
  const start = new URL(authorizeUrl);
  let url = start;
  let init: { method: string; body?: URLSearchParams } = { method: 'GET' };
  let loggedIn = false;

  for (let step = 0; step < 25; step += 1) {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    if (init.body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method: init.method, ...(init.body !== undefined ? { body: init.body } : {}), headers, redirect: 'manual' });
    jar.store(url, res.headers.getSetCookie());

    if (res.status >= 300 && res.status < 400) {
      await res.arrayBuffer();
      const location = res.headers.get('location');
      if (!location) throw new Error(`redirect without Location from ${url.pathname}`);
      const next = new URL(location, url);
      if (next.origin !== start.origin) return next;
      url = next;
      init = { method: 'GET' };
      continue;
    }

    const html = await res.text();
    const page = /data-page="([a-z]+)"/.exec(html)?.[1];
    if (page) opts.onPage?.(page);
    if (page === 'login') {
      if (loggedIn) throw new Error(`login rejected: ${textOf(html, 'login-error') || `HTTP ${res.status}`}`);
      loggedIn = true;
      url = new URL(formAction(html, 'login-form'), url);
      init = {
        method: 'POST',
        body: new URLSearchParams({
          email: opts.email ?? (inputValue(html, 'email') || DEFAULT_EMAIL),
          password: opts.password ?? DEFAULT_PASSWORD,
        }),
      };
      continue;
    }
    if (page === 'consent') {
      const body = new URLSearchParams({ decision: opts.decision ?? 'approve' });
      const agentName = opts.agentName ?? inputValue(html, 'agent_name');
      if (agentName !== undefined) body.set('agent_name', agentName);
      if (inputValue(html, 'plan_usage') !== undefined && opts.grantPlanUsage !== false) body.set('plan_usage', '1');
      url = new URL(formAction(html, 'consent-form'), url);
      init = { method: 'POST', body };
      continue;
    }
    const error = textOf(html, 'error') || html.slice(0, 200);
    const description = textOf(html, 'error-description');
    throw new Error(`authorization stopped at ${url.pathname} (HTTP ${res.status}): ${error}${description ? ` - ${description}` : ''}`);
  }
  throw new Error('authorization did not reach the app callback within 25 steps');
}
