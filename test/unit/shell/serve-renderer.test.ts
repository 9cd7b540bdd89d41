import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../electron/shell/csp';
import { createAppRequestHandler, registerAppScheme, serveRenderer } from '../../../electron/shell/serve-renderer';

const root = '/srv/renderer';
const files: Record<string, string> = {
  [join(root, 'index.html')]: '<!doctype html><title>Loupe</title>',
  [join(root, 'assets/app.js')]: 'console.log(1)',
};
const read = async (path: string) => {
  const body = files[path];
  if (body === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  return new TextEncoder().encode(body);
};
const handle = createAppRequestHandler(root, read);

describe('app:// protocol handler', () => {
  const cases: Array<[string, string, number]> = [
    ['GET', 'app://loupe/', 200],
    ['GET', 'app://loupe/index.html', 200],
    ['GET', 'app://loupe/assets/app.js', 200],
    ['GET', 'app://loupe/missing.js', 404],
    ['GET', 'app://loupe/../../etc/passwd', 404],
    ['GET', 'app://loupe/%2e%2e/%2e%2e/etc/passwd', 404],
    ['GET', 'app://loupe/assets/..%2f..%2f..%2fetc%2fpasswd', 404],
    ['GET', 'app://loupe/%00', 400],
    ['GET', 'app://loupe/%E0%A4%A', 400],
    ['GET', 'app://other/index.html', 404],
    ['POST', 'app://loupe/index.html', 405],
  ];

  it.each(cases)('%s %s → %i with the CSP header', async (method, url, status) => {
    const response = await handle(new Request(url, { method }));
    expect(response.status).toBe(status);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves files with their type', async () => {
    const html = await handle(new Request('app://loupe/'));
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('<title>Loupe</title>');
    const js = await handle(new Request('app://loupe/assets/app.js'));
    expect(js.headers.get('content-type')).toContain('javascript');
  });
});

describe('registering the app:// scheme', () => {
  it('is standard and secure (fetch and code cache), and nothing more privileged', () => {
    const registered: unknown[] = [];
    registerAppScheme({ registerSchemesAsPrivileged: (schemes) => void registered.push(...schemes) });
    expect(registered).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
  });

  it('serves the given folder through protocol.handle', async () => {
    let handler: ((request: Request) => Promise<Response> | Response) | undefined;
    serveRenderer({ handle: (scheme, fn) => void (scheme === 'app' && (handler = fn as typeof handler)) }, '/nonexistent-renderer-dir');
    expect(handler).toBeDefined();
    const response = await handler!(new Request('app://loupe/index.html'));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });
});
