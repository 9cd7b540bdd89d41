import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode } from '../../../../electron/contract';
import { LoupeError, errorCode, logCode, toCommandError } from '../../../../electron/core/kernel/errors';

describe('error codes', () => {
  it('knows every code of every domain, and nothing else', () => {
    for (const code of Object.values(ERROR_CODES).flat()) expect(isErrorCode(code)).toBe(true);
    expect(isErrorCode('ENOENT')).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
  });

  it('errorCode reads a LoupeError and calls anything else internal', () => {
    expect(errorCode(new LoupeError('signed_out', 'Sign in first.'))).toBe('signed_out');
    expect(errorCode(Object.assign(new Error('secret'), { code: 'invalid_grant' }))).toBe('internal');
    expect(errorCode('boom')).toBe('internal');
  });

  it('logCode keeps a system error code for the log, never a message', () => {
    expect(logCode(Object.assign(new Error('/home/me/secret.jpg'), { code: 'ENOENT' }))).toBe('ENOENT');
    expect(logCode(new LoupeError('job_not_found', 'gone'))).toBe('job_not_found');
    expect(logCode(new Error('no code'))).toBeUndefined();
  });

  it('only a LoupeError message crosses the boundary', () => {
    expect(toCommandError(new LoupeError('invalid_provider', 'Bad URL.', { field: 'issuer' }))).toEqual({
      code: 'invalid_provider',
      message: 'Bad URL.',
      field: 'issuer',
    });
    expect(toCommandError(new Error('token=abc'))).toEqual({ code: 'internal', message: 'Something went wrong inside Loupe. Please try again.' });
  });
});
