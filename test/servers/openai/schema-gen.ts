// Produces a JSON value that satisfies a JSON Schema, the way a model under Structured Outputs
// would. Deterministic for a given seed so tests can compare runs, and content-aware enough
// (image size in description-like fields, word lists for tags) that an app's parsing and
// display code sees plausible data rather than "string".

export type JsonSchema = Record<string, unknown>;

export interface GenContext {
  /** PRNG seed, e.g. derived from the image bytes/dimensions. */
  seed: number;
  /** Text that should land in the first description-like string field (e.g. image size). */
  headline?: string;
}

const WORDS = [
  'landscape',
  'portrait',
  'sunset',
  'mountain',
  'river',
  'city',
  'street',
  'forest',
  'beach',
  'dog',
  'cat',
  'family',
  'architecture',
  'night',
  'snow',
  'flowers',
  'food',
  'car',
  'bridge',
  'sky',
  'clouds',
  'lake',
  'market',
  'garden',
  'window',
  'reflection',
  'bicycle',
  'harbor',
  'desert',
  'field',
];
const COLORS = ['blue', 'green', 'amber', 'grey', 'red', 'white', 'black', 'teal', 'ochre', 'violet'];
const MOODS = ['calm', 'cheerful', 'moody', 'serene', 'dramatic', 'nostalgic'];

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    // xorshift32: tiny and good enough for picking words.
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 0x100000000;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.next() * a.length)]!;
  }
}

export function hashSeed(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const s = String(p);
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff;
  }
  return h >>> 0;
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema {
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

function typesOf(s: JsonSchema): string[] {
  const t = s.type;
  if (Array.isArray(t)) return t as string[];
  if (typeof t === 'string') return [t];
  if (s.properties) return ['object'];
  if (s.items) return ['array'];
  return [];
}

class Generator {
  private rng: Rng;
  private headlineUsed = false;
  constructor(
    private root: JsonSchema,
    private ctx: GenContext,
  ) {
    this.rng = new Rng(ctx.seed);
  }

  gen(s: JsonSchema | boolean | undefined, name: string, depth: number): unknown {
    if (s === true || s === undefined) return this.str(name, {});
    if (s === false) return null;
    if (depth > 24) return null;
    if (typeof s.$ref === 'string') return this.gen({ ...resolveRef(this.root, s.$ref), ...omit(s, '$ref') }, name, depth + 1);
    if ('const' in s) return s.const;
    if (Array.isArray(s.enum) && s.enum.length) {
      const nonNull = s.enum.filter((v) => v !== null);
      return this.rng.pick(nonNull.length ? nonNull : s.enum);
    }
    for (const k of ['anyOf', 'oneOf'] as const) {
      const alts = s[k];
      if (Array.isArray(alts) && alts.length) {
        const nonNull = (alts as JsonSchema[]).filter((a) => !(typesOf(a).length === 1 && typesOf(a)[0] === 'null'));
        return this.gen((nonNull[0] ?? alts[0]) as JsonSchema, name, depth + 1);
      }
    }
    if (Array.isArray(s.allOf) && s.allOf.length) {
      const merged: JsonSchema = { ...omit(s, 'allOf') };
      for (const part of s.allOf as JsonSchema[]) {
        const p = typeof part.$ref === 'string' ? resolveRef(this.root, part.$ref) : part;
        Object.assign(merged, p, {
          properties: { ...((merged.properties as object) ?? {}), ...((p.properties as object) ?? {}) },
          required: [...((merged.required as string[]) ?? []), ...((p.required as string[]) ?? [])],
        });
      }
      return this.gen(merged, name, depth + 1);
    }
    const types = typesOf(s);
    // Nullable fields (`type: ["string","null"]`) get the informative branch.
    const type = types.find((t) => t !== 'null') ?? types[0] ?? 'string';
    switch (type) {
      case 'object':
        return this.obj(s, depth);
      case 'array':
        return this.arr(s, name, depth);
      case 'integer':
        return this.num(s, name, true);
      case 'number':
        return this.num(s, name, false);
      case 'boolean':
        return this.rng.next() < 0.5;
      case 'null':
        return null;
      default:
        return this.str(name, s);
    }
  }

  private obj(s: JsonSchema, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const props = (s.properties ?? {}) as Record<string, JsonSchema>;
    for (const [k, sub] of Object.entries(props)) out[k] = this.gen(sub, k, depth + 1);
    // Required keys without a property schema still have to appear.
    for (const k of (s.required as string[] | undefined) ?? []) if (!(k in out)) out[k] = this.str(k, {});
    return out;
  }

  private arr(s: JsonSchema, name: string, depth: number): unknown[] {
    const min = typeof s.minItems === 'number' ? s.minItems : 0;
    const max = typeof s.maxItems === 'number' ? s.maxItems : Math.max(min, 5);
    const n = Math.min(max, Math.max(min, this.rng.int(2, 4)));
    const item = (s.items ?? {}) as JsonSchema;
    const out: unknown[] = [];
    const seen = new Set<string>();
    const singular = name.replace(/ies$/, 'y').replace(/s$/, '');
    const enumVals = Array.isArray(item.enum) ? (item.enum as unknown[]) : null;
    for (let i = 0; i < n; i++) {
      let v = this.gen(item, singular, depth + 1);
      if (s.uniqueItems || typeof v === 'string') {
        // Tags repeat easily with a small word list; keep them distinct as a model would, without
        // leaving an enum or a format.
        let key = JSON.stringify(v);
        if (seen.has(key) && enumVals) {
          const unused = enumVals.find((e) => !seen.has(JSON.stringify(e)));
          if (unused !== undefined) v = unused;
        }
        for (let tries = 0; seen.has(JSON.stringify(v)) && tries < 20; tries++) v = this.gen(item, singular, depth + 1);
        key = JSON.stringify(v);
        if (seen.has(key) && typeof v === 'string' && !enumVals && !item.format && !item.pattern) v = `${v}-${i + 1}`;
        key = JSON.stringify(v);
        if (seen.has(key) && s.uniqueItems && out.length >= min) break;
        seen.add(key);
      }
      out.push(v);
    }
    return out;
  }

  private num(s: JsonSchema, name: string, integer: boolean): number {
    let lo =
      typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + (integer ? 1 : 1e-6) : undefined;
    let hi =
      typeof s.maximum === 'number' ? s.maximum : typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum - (integer ? 1 : 1e-6) : undefined;
    const n = name.toLowerCase();
    if (lo === undefined && hi === undefined) {
      if (/confidence|probability|score|ratio/.test(n) && !integer) [lo, hi] = [0, 1];
      else if (/count|number|num_|people|faces|persons/.test(n)) [lo, hi] = [0, 6];
      else if (/year/.test(n)) [lo, hi] = [1990, 2025];
      else if (/rating|stars/.test(n)) [lo, hi] = [1, 5];
      else [lo, hi] = [0, 100];
    }
    lo ??= Math.min(0, hi!);
    hi ??= lo + 100;
    if (integer) {
      lo = Math.ceil(lo);
      hi = Math.floor(hi);
    }
    let v = integer ? this.rng.int(lo, hi) : Math.round((lo + this.rng.next() * (hi - lo)) * 100) / 100;
    if (!integer) v = Math.min(hi, Math.max(lo, v));
    if (typeof s.multipleOf === 'number' && s.multipleOf > 0) {
      const m = s.multipleOf;
      v = Math.ceil(lo / m) * m;
      if (v > hi) v = Math.floor(hi / m) * m;
      v = Number(v.toFixed(10));
    }
    return v;
  }

  private str(name: string, s: JsonSchema): string {
    const n = name.toLowerCase();
    let v: string;
    switch (s.format) {
      case 'date-time':
        v = new Date(Date.UTC(2024, this.rng.int(0, 11), this.rng.int(1, 28), this.rng.int(0, 23), this.rng.int(0, 59)))
          .toISOString()
          .replace('.000', '');
        break;
      case 'date':
        v = `2024-${pad2(this.rng.int(1, 12))}-${pad2(this.rng.int(1, 28))}`;
        break;
      case 'time':
        v = `${pad2(this.rng.int(0, 23))}:${pad2(this.rng.int(0, 59))}:00`;
        break;
      case 'email':
        v = `${this.rng.pick(WORDS)}@example.com`;
        break;
      case 'uri':
      case 'url':
        v = `https://example.com/${this.rng.pick(WORDS)}`;
        break;
      case 'uuid':
        v = uuidFrom(this.rng);
        break;
      case 'hostname':
        v = `${this.rng.pick(WORDS)}.example.com`;
        break;
      case 'ipv4':
        v = `192.0.2.${this.rng.int(1, 254)}`;
        break;
      default: {
        const long = LONG_FIELD.test(n);
        if (!this.headlineUsed && this.ctx.headline && (long || s.__first === true)) {
          this.headlineUsed = true;
          v = this.ctx.headline;
        } else if (long) {
          v = `A ${this.rng.pick(MOODS)} scene with a ${this.rng.pick(WORDS)} and a ${this.rng.pick(WORDS)} under ${this.rng.pick(COLORS)} light.`;
        } else if (/colou?r/.test(n)) v = this.rng.pick(COLORS);
        else if (/mood|tone|feeling|emotion/.test(n)) v = this.rng.pick(MOODS);
        else if (/title|name|label|heading/.test(n)) v = `${cap(this.rng.pick(MOODS))} ${this.rng.pick(WORDS)}`;
        else if (/lang/.test(n)) v = 'en';
        else if (/location|place|city|country/.test(n)) v = this.rng.pick(['Lisbon', 'Kyoto', 'Oslo', 'Quebec', 'Valparaíso']);
        else if (/date/.test(n)) v = `2024-${pad2(this.rng.int(1, 12))}-${pad2(this.rng.int(1, 28))}`;
        else if (/^id$|_id$|uuid/.test(n)) v = uuidFrom(this.rng);
        else v = this.rng.pick(WORDS);
      }
    }
    const min = typeof s.minLength === 'number' ? s.minLength : 0;
    const max = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
    while (v.length < min) v += ` ${this.rng.pick(WORDS)}`;
    if (v.length > max) v = [...v].slice(0, max).join('');
    return v.length >= min ? v : v.padEnd(min, 'x');
  }

  /** Mark the first plain string field so the headline has a home when nothing is description-like. */
  static markFirstString(root: JsonSchema): JsonSchema {
    const plainString = (o: JsonSchema): boolean => typesOf(o).includes('string') && !o.enum && !o.format && !('const' in o);
    const find = (s: unknown, depth: number, pred: (name: string, o: JsonSchema) => boolean): JsonSchema | null => {
      if (!s || typeof s !== 'object' || depth > 10) return null;
      const o = s as JsonSchema;
      for (const [k, v] of Object.entries((o.properties as object) ?? {})) {
        if (v && typeof v === 'object' && pred(k, v as JsonSchema)) return v as JsonSchema;
        const r = find(v, depth + 1, pred);
        if (r) return r;
      }
      return o.items ? find(o.items, depth + 1, pred) : null;
    };
    if (find(root, 0, (k, o) => LONG_FIELD.test(k.toLowerCase()) && plainString(o))) return root;
    const copy = structuredClone(root);
    const first = plainString(copy) ? copy : find(copy, 0, (_k, o) => plainString(o));
    if (first) first.__first = true;
    return copy;
  }
}

const LONG_FIELD = /desc|caption|summary|alt|analysis|explanation|text|notes|comment|reason|content/;

function omit(o: JsonSchema, k: string): JsonSchema {
  const { [k]: _drop, ...rest } = o;
  return rest;
}
const pad2 = (n: number): string => String(n).padStart(2, '0');
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
function uuidFrom(rng: Rng): string {
  const h = Array.from({ length: 32 }, () => Math.floor(rng.next() * 16).toString(16)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

export function generateFromSchema(schema: JsonSchema, ctx: GenContext): unknown {
  const marked = Generator.markFirstString(schema);
  return new Generator(marked, ctx).gen(marked, 'root', 0);
}

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

/** A valid-JSON answer that breaks the schema the way a sloppy model does. */
export function violateSchema(schema: JsonSchema | null, valid: unknown): unknown {
  if (valid && typeof valid === 'object' && !Array.isArray(valid)) {
    const out: Record<string, unknown> = { ...(valid as Record<string, unknown>) };
    const required = ((schema?.required as string[] | undefined) ?? Object.keys(out)).filter((k) => k in out);
    if (required[0] !== undefined) delete out[required[0]];
    const other = Object.keys(out)[0];
    if (other !== undefined) out[other] = typeof out[other] === 'string' ? 42 : 'not the right type';
    out.unexpected_field = true;
    return out;
  }
  if (Array.isArray(valid)) return { items: valid };
  return { unexpected: valid };
}
