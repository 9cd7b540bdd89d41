/** The stand-in's answer generator and its strict-schema check (what OpenAI refuses). */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PHOTO_SCHEMA } from './photo-schema.ts';
import { generateFromSchema, type JsonSchema } from './schema-gen.ts';
import { strictSchemaProblem } from './strict-schema.ts';

describe('schema generator', () => {
  const schemas: JsonSchema[] = [
    PHOTO_SCHEMA,
    {
      type: 'object',
      additionalProperties: false,
      required: ['meta', 'items', 'when', 'id', 'maybe'],
      properties: {
        meta: { $ref: '#/$defs/Meta' },
        items: { type: 'array', minItems: 5, maxItems: 6, uniqueItems: true, items: { type: 'string', enum: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] } },
        when: { type: 'string', format: 'date-time' },
        id: { type: 'string', format: 'uuid' },
        maybe: { anyOf: [{ type: 'null' }, { type: 'integer', minimum: 10, maximum: 12 }] },
      },
      $defs: {
        Meta: {
          type: 'object',
          additionalProperties: false,
          required: ['title', 'short', 'score'],
          properties: {
            title: { type: 'string', minLength: 5 },
            short: { type: 'string', maxLength: 3 },
            score: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
          },
        },
      },
    },
    { type: 'object', properties: { name: { type: 'string' }, n: { type: 'integer', multipleOf: 5, minimum: 1, maximum: 19 } }, required: ['name'] },
  ];

  it.each(schemas.map((s, i) => [i, s] as const))('output of schema #%i validates', (_i, schema) => {
    const validator = z.fromJSONSchema(schema);
    for (let seed = 1; seed <= 25; seed++) {
      const value = generateFromSchema(schema, { seed, headline: 'A 640x480 JPEG photo.' });
      const r = validator.safeParse(value);
      expect(r.success, JSON.stringify({ value, issues: r.error?.issues })).toBe(true);
    }
  });

  it('is deterministic per seed and puts the headline in a string field', () => {
    const a = generateFromSchema(schemas[2]!, { seed: 7, headline: 'A 640x480 JPEG photo.' });
    expect(generateFromSchema(schemas[2]!, { seed: 7, headline: 'A 640x480 JPEG photo.' })).toEqual(a);
    expect((a as { name: string }).name).toBe('A 640x480 JPEG photo.');
  });

  it('flags schemas strict mode refuses', () => {
    expect(strictSchemaProblem(PHOTO_SCHEMA)).toBeNull();
    expect(strictSchemaProblem({ type: 'array', items: {} })?.[1]).toMatch(/must be a JSON Schema of 'type: "object"'/);
    expect(strictSchemaProblem({ type: 'object', additionalProperties: false, properties: { a: { type: 'string' } }, required: [] })).toEqual([
      [],
      "'required' is required to be supplied and to be an array including every key in properties. Missing 'a'.",
    ]);
  });
});
