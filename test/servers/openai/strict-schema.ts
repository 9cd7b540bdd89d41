import { type JsonSchema, typesOf } from './json-schema.ts';

/**
 * The checks Structured Outputs' strict mode applies before running a request, so an app that
 * sends a non-strict-compatible schema fails here as it would against the real API.
 * Returns `null` when the schema is acceptable, otherwise [context path, detail].
 */
export function strictSchemaProblem(schema: JsonSchema): null | [string[], string] {
  if (typesOf(schema)[0] !== 'object' || Array.isArray(schema.type)) {
    return [[], `schema must be a JSON Schema of 'type: "object"', got 'type: "${String(schema.type)}"'.`];
  }
  const walk = (s: unknown, ctx: string[]): null | [string[], string] => {
    if (!s || typeof s !== 'object') return null;
    const o = s as JsonSchema;
    if (typesOf(o).includes('object') && !o.$ref && !o.anyOf) {
      if (o.additionalProperties !== false) return [ctx, "'additionalProperties' is required to be supplied and to be false."];
      const keys = Object.keys((o.properties as object) ?? {});
      const req = Array.isArray(o.required) ? (o.required as string[]) : null;
      const missing = keys.find((k) => !req?.includes(k));
      if (!req || missing !== undefined) {
        return [
          ctx,
          `'required' is required to be supplied and to be an array including every key in properties.${missing !== undefined ? ` Missing '${missing}'.` : ''}`,
        ];
      }
      const extra = req.find((k) => !keys.includes(k));
      if (extra !== undefined) return [ctx, `'required' includes an extra key '${extra}' not present in properties.`];
    }
    for (const [k, v] of Object.entries((o.properties as object) ?? {})) {
      const r = walk(v, [...ctx, 'properties', k]);
      if (r) return r;
    }
    if (o.items) {
      const r = walk(o.items, [...ctx, 'items']);
      if (r) return r;
    }
    for (const key of ['anyOf', '$defs', 'definitions'] as const) {
      const group = o[key];
      if (!group || typeof group !== 'object') continue;
      for (const [k, v] of Object.entries(group)) {
        const r = walk(v, [...ctx, key, k]);
        if (r) return r;
      }
    }
    return null;
  };
  return walk(schema, []);
}
