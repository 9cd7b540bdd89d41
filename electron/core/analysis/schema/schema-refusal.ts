/**
 * How a person's schema is refused (strict-schema.ts): a LoupeError on the
 * `customSchema` field naming the path that holds the problem, with names and
 * paths quoted safely; plus the small helpers every check shares.
 */
import { LoupeError } from '../../kernel/errors';

export type JsonSchema = Record<string, unknown>;

/** Longest name or path quoted in a message. */
const MAX_QUOTED = 80;

export const isObject = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A name or path as quoted in a message: bounded, control and bidi characters made visible. */
export function quote(text: string, max = MAX_QUOTED): string {
  // eslint-disable-next-line no-control-regex
  const visible = text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '\ufffd');
  return visible.length > max ? `${visible.slice(0, max - 1)}…` : visible;
}

export function refuse(path: string, message: string): never {
  throw new LoupeError('invalid_schema', path ? `Schema problem at “${quote(path)}”: ${message}` : `Schema problem: ${message}`, {
    field: 'customSchema',
  });
}

export function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
