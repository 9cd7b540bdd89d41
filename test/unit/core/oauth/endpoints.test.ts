import { describe, expect, it } from 'vitest';
import { resolveEndpoints } from '../../../../electron/core/oauth/endpoints';

describe('resolveEndpoints', () => {
  it('defaults to OpenAI in every build', () => {
    const e = resolveEndpoints({}, { dev: false });
    expect(e.issuer.href).toBe('https://auth.openai.com/');
    expect(e.apiBase.href).toBe('https://api.openai.com/v1');
    expect(e.testIssuer).toBeNull();
    expect(e.allowInsecure).toBe(false);
  });
  it('honours a loopback stand-in only in development builds', () => {
    const e = resolveEndpoints({ issuer: 'http://127.0.0.1:4444', apiBase: 'http://127.0.0.1:5555/v1' }, { dev: true });
    expect(e.testIssuer).toBe('http://127.0.0.1:4444');
    expect(e.allowInsecure).toBe(true);
    expect(() => resolveEndpoints({ issuer: 'http://127.0.0.1:4444' }, { dev: false })).toThrow(/development builds/);
  });
  it.each(['http://auth.example.com', 'http://10.0.0.5:80', 'ftp://127.0.0.1', 'not a url'])('refuses %s', (issuer) => {
    expect(() => resolveEndpoints({ issuer }, { dev: true })).toThrowError(expect.objectContaining({ code: 'invalid_configuration' }));
  });
  it('accepts an https issuer in development', () => {
    expect(resolveEndpoints({ issuer: 'https://login.example.com' }, { dev: true }).testIssuer).toBe('https://login.example.com');
  });
});
