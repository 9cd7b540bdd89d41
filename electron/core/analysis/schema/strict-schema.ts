/**
 * Checks a person's JSON Schema before a job starts, so a schema the API
 * would refuse in strict structured-output mode fails in the form, not 200
 * photos later. A lenient schema is normalised the way OpenAI's docs suggest:
 * every object gets `additionalProperties: false`, every property becomes
 * required, and properties that were optional become nullable. Constructs
 * strict mode cannot express are refused with the path that holds them.
 */
import { compileValidator } from './json-answer';
import { checkJsonShape } from './schema-json-shape';
import { Normaliser, typesOf } from './schema-normaliser';
import { checkRefs } from './schema-refs';
import { type JsonSchema, isObject, refuse } from './schema-refusal';

export type { JsonSchema } from './schema-refusal';

export interface NormalisedSchema {
  schema: JsonSchema;
  /** What was changed, in plain words, for the person to review. */
  changes: string[];
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
