/**
 * Serves the built renderer on app://loupe/. Electron's `protocol` is passed
 * in and files are read through an injected function, so the handler (and
 * the CSP on every response) is unit-tested in plain Node.
 */
import { readFile } from 'node:fs/promises';
import { extname, normalize, sep } from 'node:path';
import type { Protocol } from 'electron';
import { APP_HOST, APP_SCHEME } from '../contract';
import { CONTENT_SECURITY_POLICY } from './csp';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

type ResponseBody = ConstructorParameters<typeof Response>[0];

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export function createAppRequestHandler(root: string, readFile: (path: string) => Promise<Uint8Array>) {
  const rootDir = normalize(root.endsWith(sep) ? root : root + sep);
  const reply = (status: number, body: ResponseBody, type = 'text/plain; charset=utf-8') =>
    new Response(body, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': type } });

  return async function handle(request: Request): Promise<Response> {
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, 'Method not allowed');
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return reply(400, 'Bad request');
    }
    if (url.host !== APP_HOST) return reply(404, 'Not found');
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return reply(400, 'Bad request');
    }
    if (pathname.includes('\0')) return reply(400, 'Bad request');
    const relative = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
    const file = normalize(rootDir + relative);
    if (!file.startsWith(rootDir)) return reply(404, 'Not found');
    try {
      const body = await readFile(file);
      return reply(200, request.method === 'HEAD' ? null : (body as ResponseBody), MIME[extname(file)] ?? 'application/octet-stream');
    } catch {
      return reply(404, 'Not found');
    }
  };
}

/** Must run before `app` is ready: Chromium reads scheme privileges at start-up. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/** Serve the built renderer from `rendererDir` on app://loupe/ (after `ready`). */
export function serveRenderer(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  const handle = createAppRequestHandler(rendererDir, (path) => readFile(path));
  protocol.handle(APP_SCHEME, (request) => handle(request));
}
