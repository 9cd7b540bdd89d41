/**
 * Checks a person's JSON Schema before a job starts, so a schema the API
 * would refuse in strict structured-output mode fails in the form, not 200
 * photos later. A lenient schema is normalised the way OpenAI's docs suggest:
 * every object gets `additionalProperties: false`, every property becomes
 * required, and properties that were optional become nullable. Constructs
 * strict mode cannot express are refused with the path that holds them.
 */
import { LoupeError } from '../../kernel/errors';
import { compileValidator } from './json-answer';

export type JsonSchema = Record<string, unknown>;

export interface NormalisedSchema {
  schema: JsonSchema;
  /** What was changed, in plain words, for the person to review. */
  changes: string[];
}

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
/** Bounds on the raw JSON, checked iteratively before anything recurses into it. */
const MAX_JSON_DEPTH = 64;
const MAX_JSON_NODES = 50_000;
const MAX_SCHEMA_CHARS = 250_000;
/** Names JavaScript gives a meaning to: as a key they vanish into (or read from) the prototype. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
/** Longest name or path quoted in a message. */
const MAX_QUOTED = 80;

const isObject = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A name or path as quoted in a message: bounded, control and bidi characters made visible. */
export function quote(text: string, max = MAX_QUOTED): string {
  // eslint-disable-next-line no-control-regex
  const visible = text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '\ufffd');
  return visible.length > max ? `${visible.slice(0, max - 1)}…` : visible;
}

function refuse(path: string, message: string): never {
  throw new LoupeError('invalid_schema', path ? `Schema problem at “${quote(path)}”: ${message}` : `Schema problem: ${message}`, {
    field: 'customSchema',
  });
}

/**
 * Walks the raw JSON without recursion before anything else reads it: bounded
 * nesting, node count and size, and no key JavaScript treats specially.
 */
function checkJsonShape(root: unknown): void {
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

/** Where a local `$ref` points: the root (`#`) or one of `$defs` (`#/$defs/name`), the forms answers are checked with. */
function refTarget(root: JsonSchema, ref: string, path: string): { key: string; schema: JsonSchema } {
  if (ref === '#') return { key: '#', schema: root };
  const match = /^#\/\$defs\/([^/]+)$/.exec(ref);
  if (!match) refuse(path, `“$ref” “${quote(ref)}” isn’t supported; use “#” or “#/$defs/<name>”.`);
  let name: string;
  try {
    name = decodeURIComponent(match[1]!).replace(/~1/g, '/').replace(/~0/g, '~');
  } catch {
    refuse(path, `“$ref” “${quote(ref)}” isn’t a valid reference.`);
  }
  const defs = root.$defs;
  const schema = isObject(defs) && Object.hasOwn(defs, name) ? defs[name] : undefined;
  if (!isObject(schema)) refuse(path, `“$ref” “${quote(ref)}” points at nothing: there is no “$defs.${quote(name)}”.`);
  return { key: `#/$defs/${name}`, schema };
}

/** The `$ref`s a schema reaches without first passing through an object's properties or an array's items. */
function unguardedRefs(schema: JsonSchema): string[] {
  const refs: string[] = [];
  const stack: unknown[] = [schema];
  while (stack.length) {
    const node = stack.pop();
    if (!isObject(node)) continue;
    if (typeof node.$ref === 'string') refs.push(node.$ref);
    if (Array.isArray(node.anyOf)) stack.push(...(node.anyOf as unknown[]));
  }
  return refs;
}

/**
 * Every `$ref` must resolve, and following them must reach a property or an
 * item before coming back: `a → b → a` describes no value at all, and
 * checking an answer against it would never end.
 */
function checkRefs(root: JsonSchema): void {
  // Every `$ref` anywhere in the schema resolves.
  const stack: Array<{ node: unknown; path: string }> = [{ node: root, path: '' }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (Array.isArray(node)) {
      node.forEach((child, i) => stack.push({ node: child, path: join(path, String(i)) }));
      continue;
    }
    if (!isObject(node)) continue;
    if (typeof node.$ref === 'string') refTarget(root, node.$ref, path);
    for (const key of ['properties', '$defs', 'definitions'] as const) {
      const map = node[key];
      if (isObject(map)) for (const [name, child] of Object.entries(map)) stack.push({ node: child, path: join(path, `${key}.${name}`) });
    }
    for (const key of ['items', 'anyOf'] as const) if (node[key] !== undefined) stack.push({ node: node[key], path: join(path, key) });
  }
  // No loop of references that never reaches a property or an item.
  const edges = (key: string, schema: JsonSchema): string[] => unguardedRefs(schema).map((ref) => refTarget(root, ref, key).key);
  const state = new Map<string, 'open' | 'done'>();
  const targets: Array<[string, JsonSchema]> = [
    ['#', root],
    ...(isObject(root.$defs) ? Object.entries(root.$defs).map(([n, s]) => [`#/$defs/${n}`, s as JsonSchema] as [string, JsonSchema]) : []),
  ];
  for (const [start, startSchema] of targets) {
    if (state.has(start)) continue;
    // Iterative depth-first search; `trail` is the current chain of references.
    const trail: Array<{ key: string; next: string[] }> = [{ key: start, next: edges(start, startSchema) }];
    state.set(start, 'open');
    while (trail.length) {
      const top = trail[trail.length - 1]!;
      const nextKey = top.next.pop();
      if (nextKey === undefined) {
        state.set(top.key, 'done');
        trail.pop();
        continue;
      }
      const seen = state.get(nextKey);
      if (seen === 'open') {
        const loop = [...trail.slice(trail.findIndex((t) => t.key === nextKey)).map((t) => t.key), nextKey];
        refuse('', `its “$ref”s form a loop (${quote(loop.join(' → '), 200)}) that never reaches a property or an item.`);
      }
      if (seen === 'done') continue;
      state.set(nextKey, 'open');
      const schema = nextKey === '#' ? root : ((root.$defs as JsonSchema)[nextKey.slice('#/$defs/'.length)] as JsonSchema);
      trail.push({ key: nextKey, next: edges(nextKey, schema) });
    }
  }
}

function typesOf(s: JsonSchema): string[] {
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

class Normaliser {
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

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Accepts the schema as an object or JSON text, or wrapped the way
 * `text.format` carries it (`{ name, schema, strict }`).
 */
export function normaliseStrictSchema(input: unknown): NormalisedSchema {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch (error) {
      refuse('', `it isn’t valid JSON (${error instanceof Error ? error.message : 'parse error'}).`);
    }
  }
  if (!isObject(value)) refuse('', 'the schema must be a JSON object.');
  checkJsonShape(value);
  if (isObject(value.schema) && value.type === undefined && value.properties === undefined) value = value.schema;
  const root = value as JsonSchema;
  const rootTypes = typesOf(root);
  if (rootTypes.length ? rootTypes.length !== 1 || rootTypes[0] !== 'object' : !isObject(root.properties)) {
    refuse('', 'the top level must be an object schema (“type”: “object”), because Loupe writes one JSON object per photo.');
  }
  if (root.anyOf !== undefined || root.oneOf !== undefined) refuse('', 'the top level can’t be an “anyOf”.');
  const normaliser = new Normaliser();
  const schema = normaliser.node(root, '', 0);
  checkRefs(schema);
  try {
    compileValidator(schema);
  } catch (error) {
    refuse('', `Loupe can’t check answers against it (${error instanceof Error ? error.message.slice(0, 200) : 'unknown problem'}).`);
  }
  return { schema, changes: normaliser.changes };
}
