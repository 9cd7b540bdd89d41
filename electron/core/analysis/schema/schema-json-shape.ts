/**
 * The raw JSON of a person's schema, checked without recursion before
 * anything else reads it (strict-schema.ts).
 */
import { join, refuse } from './schema-refusal';

/** Bounds on the raw JSON, checked iteratively before anything recurses into it. */
const MAX_JSON_DEPTH = 64;
const MAX_JSON_NODES = 50_000;
const MAX_SCHEMA_CHARS = 250_000;
/** Names JavaScript gives a meaning to: as a key they vanish into (or read from) the prototype. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Walks the raw JSON without recursion before anything else reads it: bounded
 * nesting, node count and size, and no key JavaScript treats specially.
 */
export function checkJsonShape(root: unknown): void {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: '', depth: 0 }];
  let nodes = 0;
  let chars = 0;
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    if (++nodes > MAX_JSON_NODES) refuse('', `it has more than ${MAX_JSON_NODES} values.`);
    if (typeof value === 'string') chars += value.length;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_JSON_DEPTH) refuse(path, `the JSON is nested deeper than ${MAX_JSON_DEPTH} levels.`);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], path: join(path, String(i)), depth: depth + 1 });
      continue;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) refuse(path, 'the schema must be plain JSON.');
    for (const key of Object.keys(value)) {
      if (RESERVED_NAMES.has(key)) refuse(path, `the name “${key}” can’t be used (JavaScript gives it a special meaning); rename it.`);
      chars += key.length;
      stack.push({ value: (value as Record<string, unknown>)[key], path: join(path, key), depth: depth + 1 });
    }
    if (chars > MAX_SCHEMA_CHARS) refuse('', `it is larger than ${MAX_SCHEMA_CHARS} characters.`);
  }
  if (chars > MAX_SCHEMA_CHARS) refuse('', `it is larger than ${MAX_SCHEMA_CHARS} characters.`);
}
