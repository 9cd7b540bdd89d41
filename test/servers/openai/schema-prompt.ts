// Prompted JSON: a schema or an example document found in ```json fences of the prompt text,
// answered in that shape.

import type { JsonSchema } from './json-schema.ts';
import { generateFromSchema, type GenContext } from './schema-gen.ts';

/**
 * Mirror an example document (as found in prompt text) into a fresh value of the same shape, so a
 * prompt like "reply as ```json {"description": "...", "tags": ["..."]}```" gets that shape back.
 */
export function generateFromExample(example: unknown, ctx: GenContext): unknown {
  return generateFromSchema(schemaFromExample(example), ctx);
}

function schemaFromExample(v: unknown): JsonSchema {
  if (Array.isArray(v)) return { type: 'array', items: v.length ? schemaFromExample(v[0]) : { type: 'string' }, minItems: Math.min(v.length, 1) };
  if (v === null) return { type: 'null' };
  if (typeof v === 'object') {
    const props: Record<string, JsonSchema> = {};
    for (const [k, x] of Object.entries(v)) props[k] = schemaFromExample(x);
    return { type: 'object', properties: props, required: Object.keys(props), additionalProperties: false };
  }
  if (typeof v === 'number') return { type: Number.isInteger(v) ? 'integer' : 'number' };
  if (typeof v === 'boolean') return { type: 'boolean' };
  return { type: 'string' };
}

export function looksLikeSchema(v: unknown): v is JsonSchema {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as JsonSchema;
  return (
    typeof o.$schema === 'string' ||
    ((typeof o.type === 'string' || Array.isArray(o.type)) &&
      ('properties' in o || 'items' in o || ['string', 'number', 'integer', 'boolean', 'array', 'object'].includes(String(o.type)))) ||
    (typeof o.properties === 'object' && o.properties !== null && Object.values(o.properties).every((p) => p && typeof p === 'object'))
  );
}

/** JSON blocks inside ```json fences (or bare ``` fences holding JSON) in prompt text. */
export function findFencedJson(text: string): unknown[] {
  const out: unknown[] = [];
  const re = /```(?:json|JSON)?[ \t]*\r?\n([\s\S]*?)```/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    try {
      out.push(JSON.parse(m[1]!));
    } catch {
      /* not JSON; ignore */
    }
  }
  return out;
}
