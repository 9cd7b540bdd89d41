import { describe, expect, it } from 'vitest';
import { UNSAFE_URL_CHARS, checkSecureUrl, isLoopbackHost, withoutTrailingSlash } from '../../../../electron/core/kernel/urls';

describe('isLoopbackHost', () => {
  it('127.0.0.0/8, localhost and [::1]; nothing that only looks like them', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['127.0.0.1.evil.example', 'localhost.example', '128.0.0.1', '10.0.0.1', '::1', '1270.0.0.1'])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});

describe('checkSecureUrl', () => {
  it('https anywhere, plain http on loopback only', () => {
    expect((checkSecureUrl('https://login.example.com/x') as URL).href).toBe('https://login.example.com/x');
    expect((checkSecureUrl('http://127.0.0.1:8080/v1') as URL).port).toBe('8080');
    expect(checkSecureUrl('http://login.example.com')).toBe('insecure');
    expect(checkSecureUrl('ftp://127.0.0.1')).toBe('insecure');
  });

  it('refuses credentials, and what is not a URL or hides characters', () => {
    expect(checkSecureUrl('https://me:pw@login.example.com')).toBe('credentials');
    expect(checkSecureUrl('https://me@login.example.com')).toBe('credentials');
    for (const raw of ['not a url', ' https://login.example.com', 'https://login.example.com/\u202E', 'https://login\u200B.example.com'])
      expect(checkSecureUrl(raw), JSON.stringify(raw)).toBe('invalid');
  });

  it('the unsafe characters are controls, spaces and invisible or direction marks, not ordinary text', () => {
    for (const ch of ['\u0000', '\t', ' ', '\u00a0', '\u200e', '\u2066', '\ufeff']) expect(UNSAFE_URL_CHARS.test(ch), JSON.stringify(ch)).toBe(true);
    for (const ch of ['a', '/', '%', 'é', '日']) expect(UNSAFE_URL_CHARS.test(ch), ch).toBe(false);
  });
});

describe('withoutTrailingSlash', () => {
  it('drops one trailing slash only', () => {
    expect(withoutTrailingSlash('https://api.openai.com/v1/')).toBe('https://api.openai.com/v1');
    expect(withoutTrailingSlash('https://auth.openai.com')).toBe('https://auth.openai.com');
  });
});
