/** Custom schemas normalised for strict structured outputs. */
import { describe, expect, it } from 'vitest';
import { compileValidator } from '../../../../../electron/core/analysis/schema/json-answer';
import { normaliseStrictSchema } from '../../../../../electron/core/analysis/schema/strict-schema';

describe('custom schemas for strict structured outputs', () => {
  it('normalises a lenient schema: closed objects, every property required, optional ones nullable', () => {
    const { schema, changes } = normaliseStrictSchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      properties: {
        title: { type: 'string', minLength: 1 },
        rating: { type: 'integer', enum: [1, 2, 3] },
        labels: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: true } },
        extra: { anyOf: [{ type: 'string' }, { type: 'number' }] },
      },
      required: ['title'],
    });
    expect(schema).toEqual({
      type: 'object',
      properties: {
        title: { type: 'string' },
        rating: { type: ['integer', 'null'], enum: [1, 2, 3, null] },
        labels: {
          type: ['array', 'null'],
          items: { type: 'object', properties: { name: { type: ['string', 'null'] } }, additionalProperties: false, required: ['name'] },
        },
        extra: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] },
      },
      required: ['title', 'rating', 'labels', 'extra'],
      additionalProperties: false,
    });
    expect(changes.join('\n')).toMatch(/Removed “\$schema”/);
    expect(changes.join('\n')).toMatch(/rating.*nullable/);
    const validate = compileValidator(schema);
    expect(validate({ title: 'x', rating: null, labels: null, extra: 2 })).toBeNull();
    expect(validate({ title: 'x', rating: 4, labels: null, extra: 2 })).toMatch(/rating/);
  });

  it('accepts the text.format wrapper and JSON text', () => {
    const wrapped = {
      name: 'thing',
      strict: true,
      schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false },
    };
    expect(normaliseStrictSchema(wrapped).schema).toEqual(wrapped.schema);
    expect(normaliseStrictSchema(JSON.stringify(wrapped.schema)).changes).toEqual([]);
  });

  it.each([
    ['not JSON', '{type: object', /valid JSON/],
    ['a top-level array', { type: 'array', items: { type: 'string' } }, /top level must be an object/],
    ['allOf', { type: 'object', properties: { a: { allOf: [{ type: 'string' }] } } }, /properties\.a.*allOf/],
    [
      'a free-form map',
      { type: 'object', properties: { m: { type: 'object', additionalProperties: { type: 'string' } } } },
      /properties\.m.*free-form/,
    ],
    ['an array without items', { type: 'object', properties: { list: { type: 'array' } } }, /properties\.list.*items/],
    ['tuple items', { type: 'object', properties: { t: { type: 'array', items: [{ type: 'string' }] } } }, /tuple/],
    ['a remote $ref', { type: 'object', properties: { r: { $ref: 'https://example.com/s.json' } } }, /local/],
    ['an unknown type', { type: 'object', properties: { d: { type: 'date' } } }, /unknown type “date”/],
    ['required naming a missing property', { type: 'object', properties: {}, required: ['ghost'] }, /ghost/],
  ])('refuses %s with the path', (_name, input, message) => {
    expect(() => normaliseStrictSchema(input)).toThrow(message);
    try {
      normaliseStrictSchema(input);
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_schema', options: { field: 'customSchema' } });
    }
  });

  it('refuses schemas nested too deep', () => {
    let inner: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 12; i++) inner = { type: 'object', properties: { x: inner }, required: ['x'], additionalProperties: false };
    expect(() => normaliseStrictSchema(inner)).toThrow(/deeper than 10/);
  });
});
