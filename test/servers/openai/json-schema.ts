// What the answer generator and the strict-schema check read from a JSON Schema.

export type JsonSchema = Record<string, unknown>;

export function resolveRef(root: JsonSchema, ref: string): JsonSchema {
  if (!ref.startsWith('#')) return {};
  const parts = ref
    .slice(1)
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let cur: unknown = root;
  for (const p of parts) cur = (cur as Record<string, unknown> | undefined)?.[p];
  return (cur as JsonSchema) ?? {};
}

export function typesOf(s: JsonSchema): string[] {
  const t = s.type;
  if (Array.isArray(t)) return t as string[];
  if (typeof t === 'string') return [t];
  if (s.properties) return ['object'];
  if (s.items) return ['array'];
  return [];
}

export function omit(o: JsonSchema, k: string): JsonSchema {
  const { [k]: _drop, ...rest } = o;
  return rest;
}
