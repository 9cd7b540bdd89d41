import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { PAGE_BAD_REQUEST, PAGE_CSP } from '../../../../electron/core/sign-in/callback-pages';
import { LOOPBACK_HOST, clientErrorResponse, hostMatches } from '../../../../electron/core/sign-in/loopback-http';

const request = (...rawHeaders: string[]) => ({ rawHeaders }) as unknown as IncomingMessage;

describe('hostMatches', () => {
  const expected = `${LOOPBACK_HOST}:4242`;
  it('exactly one Host header, exactly the listener’s (DNS rebinding)', () => {
    expect(hostMatches(request('Host', expected), expected)).toBe(true);
    expect(hostMatches(request('host', expected, 'Accept', '*/*'), expected)).toBe(true);
    expect(hostMatches(request('Host', 'localhost:4242'), expected)).toBe(false);
    expect(hostMatches(request('Host', 'evil.example'), expected)).toBe(false);
    expect(hostMatches(request('Host', expected, 'Host', 'evil.example'), expected)).toBe(false);
    expect(hostMatches(request('Accept', '*/*'), expected)).toBe(false);
  });
});

describe('clientErrorResponse', () => {
  it('answers a request Node could not parse with the bad-request page and the page headers', () => {
    const text = clientErrorResponse(Object.assign(new Error('x'), { code: 'HPE_INVALID_METHOD' })).toString('latin1');
    expect(text.startsWith('HTTP/1.1 400 Bad Request\r\n')).toBe(true);
    expect(text).toContain(`Content-Security-Policy: ${PAGE_CSP}\r\n`);
    expect(text).toContain('Cache-Control: no-store\r\n');
    expect(text).toContain(`Content-Length: ${PAGE_BAD_REQUEST.length}\r\n`);
    expect(text.endsWith(PAGE_BAD_REQUEST.toString('latin1'))).toBe(true);
  });

  it('a slow request is 408, oversized headers 431', () => {
    expect(clientErrorResponse(Object.assign(new Error('x'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' })).toString('latin1')).toMatch(/^HTTP\/1\.1 408 /);
    expect(clientErrorResponse(Object.assign(new Error('x'), { code: 'HPE_HEADER_OVERFLOW' })).toString('latin1')).toMatch(/^HTTP\/1\.1 431 /);
  });
});
