// Produces a JSON value that satisfies a JSON Schema, the way a model under Structured Outputs
// would. Deterministic for a given seed so tests can compare runs, and content-aware enough
// (image size in description-like fields, word lists for tags) that an app's parsing and
// display code sees plausible data rather than "string".

import { type JsonSchema, omit, resolveRef, typesOf } from './json-schema.ts';
import { COLORS, MOODS, Rng, WORDS, cap, pad2, uuidFrom } from './schema-rng.ts';

export type { JsonSchema } from './json-schema.ts';

export interface GenContext {
  /** PRNG seed, e.g. derived from the image bytes/dimensions. */
  seed: number;
  /** Text that should land in the first description-like string field (e.g. image size). */
  headline?: string;
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

export function generateFromSchema(schema: JsonSchema, ctx: GenContext): unknown {
  const marked = Generator.markFirstString(schema);
  return new Generator(marked, ctx).gen(marked, 'root', 0);
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
