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

/** Longest message, field path and path segment that cross the boundary. */
export const MAX_MESSAGE_CHARS = 400;
export const MAX_FIELD_CHARS = 120;
const MAX_SEGMENT_CHARS = 40;

/** Cuts text to `max` characters (an ellipsis marks the cut), never splitting a surrogate pair. */
export function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** A field path as people read it: each key shortened, control and bidi characters made visible, the whole bounded. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return bounded(path.map((key) => quoteKey(String(key))).join('.'), MAX_FIELD_CHARS);
}

/** One key or name quoted in a message: bounded, with control and bidi characters replaced. */
export function quoteKey(key: string, max = MAX_SEGMENT_CHARS): string {
  // eslint-disable-next-line no-control-regex
  return bounded(key.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '\ufffd'), max);
}

/** The last guard at the boundary: whatever produced it, an error crosses with a short message and field. */
export function boundCommandError(error: CommandError): CommandError {
  // The code is from the contract's closed set; only the words can grow.
  const out: CommandError = { code: error.code, message: bounded(error.message, MAX_MESSAGE_CHARS) };
  if (error.field !== undefined) out.field = bounded(error.field, MAX_FIELD_CHARS);
  if (error.retryable) out.retryable = true;
  return out;
}
