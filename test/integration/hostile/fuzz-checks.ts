/** What the fuzz (fuzz.test.ts) asserts about every result, every opened URL and the prototypes. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { allowedExternalUrl } from '../../../electron/core/kernel/external-links';
import { UNSAFE_URL_CHARS, isLoopbackHost } from '../../../electron/core/kernel/urls';
import type { CoreFixture } from '../../support/core-fixture';

const MAX_MESSAGE = 500;

/** Every error code Loupe's own code can produce, read from its source, plus the boundary's own. */
export function knownCodes(): Set<string> {
  const root = fileURLToPath(new URL('../../../electron/core', import.meta.url));
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []));
  const codes = new Set(['internal', 'invalid_input', 'unknown_command']);
  for (const file of files(root)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:LoupeError|AnalysisError|OAuthFailure|[A-Za-z]+Error)\(\s*'([a-z][a-z0-9_]*)'/g))
      codes.add(m[1]!);
    for (const m of readFileSync(file, 'utf8').matchAll(/\bcode:\s*'([a-z][a-z0-9_]*)'/g)) codes.add(m[1]!);
  }
  return codes;
}

export const prototypeSnapshot = () =>
  [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) => Object.getOwnPropertyNames(p).sort().join(','));

export function assertResult(result: unknown, where: string, codes: Set<string>): void {
  expect(typeof result === 'object' && result !== null, `${where}: not an object`).toBe(true);
  const res = result as Record<string, unknown>;
  if (res.ok === true) {
    expect(Object.keys(res).sort(), where).toEqual(['ok', 'value']);
    return;
  }
  expect(res.ok, where).toBe(false);
  expect(Object.keys(res).sort(), where).toEqual(['error', 'ok']);
  const error = res.error as Record<string, unknown>;
  expect(typeof error.code, where).toBe('string');
  expect(codes.has(error.code as string), `${where}: unknown error code ${String(error.code)}`).toBe(true);
  expect(typeof error.message, where).toBe('string');
  expect((error.message as string).length, `${where}: message too long`).toBeLessThanOrEqual(MAX_MESSAGE);
  expect(error.message, where).not.toBe('');
  if ('field' in error) expect(typeof error.field === 'string' && error.field.length <= 200, `${where}: field`).toBe(true);
  if ('retryable' in error) expect(error.retryable, where).toBe(true);
  for (const key of Object.keys(error)) expect(['code', 'message', 'field', 'retryable'], `${where}: extra key ${key}`).toContain(key);
}

/** Every URL handed to the system browser: normalised, no credentials or hidden characters, an allowed page or a sign-in page. */
export function assertOpened(fx: CoreFixture): void {
  for (const url of fx.opened) {
    expect(UNSAFE_URL_CHARS.test(url), url).toBe(false);
    const parsed = new URL(url);
    expect(parsed.href, 'opened a URL that was not normalised').toBe(url);
    expect(parsed.username + parsed.password).toBe('');
    const signIn = parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname));
    expect(allowedExternalUrl(url) === url || (signIn && parsed.searchParams.has('code_challenge')), `unsafe URL opened: ${url.slice(0, 200)}`).toBe(
      true,
    );
  }
}
