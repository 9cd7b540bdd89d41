/**
 * Turning a model's text into a result. A paid answer is never thrown away:
 * when it isn't JSON, or isn't the JSON the schema asked for, the caller keeps
 * the raw text and a `parseError` a person can read.
 */
import { z } from 'zod';
import { bounded, fieldPath, quoteKey } from '../../kernel/errors';

export type Validator = (value: unknown) => string | null;

/** Builds a local validator from a JSON Schema with zod 4's `z.fromJSONSchema`. Throws when zod can't read the schema. */
export function compileValidator(schema: Record<string, unknown>): Validator {
  const type = z.fromJSONSchema(schema);
  return (value) => {
    const result = type.safeParse(value);
    if (result.success) return null;
    // The answer is the model's: its keys can be anything, of any length, so what is quoted is bounded.
    const issues = result.error.issues.slice(0, 5).map((issue) => {
      const where = issue.path.length ? fieldPath(issue.path) : '(top level)';
      const what =
        issue.code === 'unrecognized_keys'
          ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys
              .slice(0, 3)
              .map((k) => `“${quoteKey(k)}”`)
              .join(', ')}${issue.keys.length > 3 ? ` and ${issue.keys.length - 3} more` : ''}`
          : bounded(issue.message, 160);
      return `${where}: ${what}`;
    });
    const more = result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more)` : '';
    return `The answer doesn’t match the schema: ${issues.join('; ')}${more}.`;
  };
}

/**
 * Parses the JSON object in a model's answer. Prompted (non-structured)
 * answers sometimes arrive in a ```json fence or after a sentence of chat, so
 * those wrappers are tolerated; anything else is a parse error.
 */
export function parseJsonAnswer(text: string): { value: unknown } | { error: string } {
  const trimmed = text.trim();
  if (!trimmed) return { error: 'The answer was empty.' };
  const candidates = [trimmed];
  const fenced = /```(?:json)?\s*\n([\s\S]*?)\n?```/i.exec(trimmed);
  if (fenced?.[1]) candidates.push(fenced[1].trim());
  const first = trimmed.indexOf('{');
  const last = trimmed.lastIndexOf('}');
  if (first >= 0 && last > first) candidates.push(trimmed.slice(first, last + 1));
  let firstError = '';
  for (const candidate of candidates) {
    try {
      return { value: JSON.parse(candidate) as unknown };
    } catch (error) {
      firstError ||= error instanceof Error ? error.message : String(error);
    }
  }
  return { error: `The answer isn’t valid JSON (${bounded(firstError, 160)}).` };
}

export interface ReadAnswer {
  parsed?: unknown;
  parseError?: string;
}

/**
 * Deepest nesting an answer may have before it is checked. The checker
 * recurses once per level, and a recursive schema (a `$ref` back up the
 * tree) would otherwise let a model's answer choose how deep.
 */
export const MAX_ANSWER_DEPTH = 64;

/** Nesting depth of a parsed JSON value, found without recursion; stops counting past `limit`. */
export function jsonDepth(value: unknown, limit = MAX_ANSWER_DEPTH): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) if (typeof child === 'object' && child !== null) stack.push([child, level]);
  }
  return deepest;
}

/** JSON parse + schema check; `schema === null` means free text is the result. */
export function readAnswer(text: string, validate: Validator | null): ReadAnswer {
  if (!validate) return {};
  const parsed = parseJsonAnswer(text);
  if ('error' in parsed) return { parseError: parsed.error };
  if (jsonDepth(parsed.value) > MAX_ANSWER_DEPTH)
    return { parseError: `The answer is nested deeper than ${MAX_ANSWER_DEPTH} levels, more than Loupe checks.` };
  const problem = validate(parsed.value);
  return problem ? { parseError: problem } : { parsed: parsed.value };
}
