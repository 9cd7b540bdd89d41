/**
 * The loopback listener's HTTP surface: the headers of every page it sends,
 * the Host check, and the raw answer to a request Node could not parse.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { PAGE_BAD_REQUEST, PAGE_CSP } from './callback-pages';

export const LOOPBACK_HOST = '127.0.0.1';

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': PAGE_CSP,
  Connection: 'close',
};

export function writePage(res: ServerResponse, status: number, body: Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...COMMON_HEADERS, ...extra, 'Content-Length': String(body.length) });
  res.end(body);
}

export function hostMatches(req: IncomingMessage, expectedHost: string): boolean {
  // rawHeaders, because Node keeps only the first of several Host headers in req.headers.
  const hosts: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === 'host') hosts.push(req.rawHeaders[i + 1]!);
  }
  // An exact Host defeats DNS rebinding: a page on another name that resolves to 127.0.0.1 can't reach us.
  return hosts.length === 1 && hosts[0] === expectedHost;
}

/** The bytes of a bad-request page for a request Node's parser refused (written to the socket by hand). */
export function clientErrorResponse(error: NodeJS.ErrnoException): Buffer {
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const headers = Object.entries({ ...COMMON_HEADERS, 'Content-Length': String(PAGE_BAD_REQUEST.length) })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return Buffer.concat([Buffer.from(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers}\r\n`, 'latin1'), PAGE_BAD_REQUEST]);
}
