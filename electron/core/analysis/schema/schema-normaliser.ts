/**
 * Rewrites a lenient schema into what strict structured outputs accept
 * (strict-schema.ts), one node at a time: keywords dropped with a note,
 * constructs strict mode can't express refused, every property required and
 * the optional ones nullable. Each change is noted for the person.
 */
import { type JsonSchema, isObject, join, quote, refuse } from './schema-refusal';

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
/** Keywords strict mode rejects that only restate or annotate: dropped with a note. */
const DROPPED = new Set([
  '$schema',
  '$id',
  '$comment',
  'default',
  'examples',
  'minLength',
  'maxLength',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'readOnly',
  'writeOnly',
  'deprecated',
  'contentMediaType',
  'contentEncoding',
]);
/** Constructs strict mode can't express. */
const REFUSED = new Set([
  'allOf',
  'not',
  'if',
  'then',
  'else',
  'patternProperties',
  'dependentRequired',
  'dependentSchemas',
  'unevaluatedProperties',
  'unevaluatedItems',
  'prefixItems',
  'contains',
  'propertyNames',
  'additionalItems',
]);
const KNOWN = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  'oneOf',
  '$ref',
  '$defs',
  'definitions',
  'description',
  'title',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'pattern',
  'format',
]);

const MAX_DEPTH = 10;
const MAX_PROPERTIES = 5000;
const MAX_ENUM_VALUES = 1000;

export function typesOf(s: JsonSchema): string[] {
  if (typeof s.type === 'string') return [s.type];
  if (Array.isArray(s.type)) return s.type.filter((t): t is string => typeof t === 'string');
  return [];
}

/** Adds `null` to a property's allowed values (how strict mode spells "optional"). */
function nullable(s: JsonSchema): JsonSchema {
  const types = typesOf(s);
  if (types.includes('null')) return s;
  if (types.length) {
    const out: JsonSchema = { ...s, type: [...types, 'null'] };
    if (Array.isArray(s.enum) && !s.enum.includes(null)) out.enum = [...(s.enum as unknown[]), null];
    return out;
  }
  if (Array.isArray(s.anyOf)) return { ...s, anyOf: [...(s.anyOf as JsonSchema[]), { type: 'null' }] };
  return { anyOf: [s, { type: 'null' }] };
}

export class Normaliser {
  readonly changes: string[] = [];
  private properties = 0;
  private enumValues = 0;

  node(input: unknown, path: string, depth: number): JsonSchema {
    if (!isObject(input)) refuse(path, 'each schema must be a JSON object.');
    if (depth > MAX_DEPTH) refuse(path, `nesting is deeper than ${MAX_DEPTH} levels.`);
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(input)) {
      if (REFUSED.has(key)) refuse(path, `“${key}” isn’t supported by strict structured outputs.`);
      if (DROPPED.has(key)) {
        this.changes.push(`Removed “${key}” at ${quote(path) || 'the top level'} (not supported in strict mode).`);
        continue;
      }
      if (!KNOWN.has(key) && !key.startsWith('x-')) refuse(path, `unknown keyword “${quote(key)}”.`);
      out[key] = value;
    }

    if ('oneOf' in out) {
      // For object alternatives this is what strict mode offers; the person is told.
      out.anyOf = out.oneOf;
      delete out.oneOf;
      this.changes.push(`Changed “oneOf” to “anyOf” at ${quote(path) || 'the top level'}.`);
    }
    if ('$ref' in out && (typeof out.$ref !== 'string' || !out.$ref.startsWith('#')))
      refuse(path, 'only local “$ref”s (starting with “#”) are allowed.');

    let types = typesOf(out);
    if (out.type !== undefined && (types.length === 0 || types.length !== (Array.isArray(out.type) ? out.type.length : 1)))
      refuse(path, '“type” must be a type name or a list of them.');
    for (const t of types) if (!TYPES.has(t)) refuse(path, `unknown type “${quote(t)}”.`);
    if (!types.length && isObject(out.properties)) {
      out.type = 'object';
      types = ['object'];
    }

    if (out.enum !== undefined) {
      if (!Array.isArray(out.enum) || out.enum.length === 0) refuse(path, '“enum” must be a non-empty list.');
      this.enumValues += out.enum.length;
      if (this.enumValues > MAX_ENUM_VALUES) refuse(path, `more than ${MAX_ENUM_VALUES} enum values in total.`);
    }

    if (types.includes('object')) this.object(out, path, depth);
    if (types.includes('array')) {
      if (Array.isArray(out.items)) refuse(path, 'tuple-style “items” lists aren’t supported; use one schema for all items.');
      if (out.items === undefined) refuse(path, 'an array needs an “items” schema.');
      out.items = this.node(out.items, join(path, 'items'), depth + 1);
    }
    if (Array.isArray(out.anyOf)) {
      if (out.anyOf.length === 0) refuse(path, '“anyOf” must list at least one schema.');
      out.anyOf = out.anyOf.map((s, i) => this.node(s, join(path, `anyOf.${i}`), depth + 1));
    } else if (out.anyOf !== undefined) refuse(path, '“anyOf” must be a list.');
    for (const defs of ['$defs', 'definitions'] as const) {
      if (out[defs] === undefined) continue;
      if (!isObject(out[defs])) refuse(path, `“${defs}” must be an object.`);
      out[defs] = Object.fromEntries(Object.entries(out[defs]).map(([k, v]) => [k, this.node(v, join(path, `${defs}.${k}`), depth + 1)]));
    }
    if (!types.length && out.anyOf === undefined && out.$ref === undefined && out.enum === undefined && out.const === undefined) {
      refuse(path, 'every schema needs a “type” (or “anyOf”, “enum”, “const” or “$ref”).');
    }
    return out;
  }

  private object(out: JsonSchema, path: string, depth: number): void {
    const where = quote(path) || 'the top level';
    if (out.properties !== undefined && !isObject(out.properties)) refuse(path, '“properties” must be an object.');
    const properties = out.properties ?? {};
    if (isObject(out.additionalProperties)) {
      refuse(path, 'objects with free-form keys (“additionalProperties” as a schema) aren’t supported; list the keys under “properties”.');
    }
    if (out.additionalProperties !== false) {
      if (out.additionalProperties === true) this.changes.push(`Set “additionalProperties” to false at ${where}.`);
      out.additionalProperties = false;
    }
    if (out.required !== undefined && (!Array.isArray(out.required) || out.required.some((r) => typeof r !== 'string')))
      refuse(path, '“required” must be a list of property names.');
    const required = new Set((out.required as string[] | undefined) ?? []);
    for (const name of required)
      if (!Object.hasOwn(properties, name)) refuse(path, `“required” names “${quote(name)}”, which isn’t under “properties”.`);
    const next: JsonSchema = {};
    for (const [name, schema] of Object.entries(properties)) {
      this.properties++;
      if (this.properties > MAX_PROPERTIES) refuse(path, `more than ${MAX_PROPERTIES} properties in total.`);
      let property = this.node(schema, join(path, `properties.${name}`), depth + 1);
      if (!required.has(name)) {
        property = nullable(property);
        this.changes.push(`Made “${quote(join(path, name))}” required but nullable (strict mode requires every property).`);
      }
      next[name] = property;
    }
    out.properties = next;
    out.required = Object.keys(next);
  }
}
