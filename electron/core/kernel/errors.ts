import type { CommandError, ErrorCode } from '../../contract';

/**
 * An error meant for the person using Loupe: a stable code plus a message that
 * is safe to show. Anything thrown that is not a LoupeError becomes a generic
 * `internal` error at the IPC boundary, because its message may carry secrets.
 */
export class LoupeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { retryable?: boolean; field?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LoupeError';
  }

  toCommandError(): CommandError {
    const error: CommandError = { code: this.code, message: this.message };
    if (this.options.retryable) error.retryable = true;
    if (this.options.field) error.field = this.options.field;
    return error;
  }
}

/** The code of anything thrown: a LoupeError's own, else `internal` (never a library's message or code). */
export function errorCode(error: unknown): ErrorCode {
  return error instanceof LoupeError ? error.code : 'internal';
}

/** For log fields only: a LoupeError's code, or a Node system error's (`ENOENT`); never a message. */
export function logCode(error: unknown): string | undefined {
  if (error instanceof LoupeError) return error.code;
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

export function toCommandError(error: unknown): CommandError {
  if (error instanceof LoupeError) return error.toCommandError();
  return { code: 'internal', message: 'Something went wrong inside Loupe. Please try again.' };
}
