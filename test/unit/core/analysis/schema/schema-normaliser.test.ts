import { describe, expect, it } from 'vitest';
import { Normaliser, typesOf } from '../../../../../electron/core/analysis/schema/schema-normaliser';

describe('Normaliser', () => {
  it('makes every property required, the optional ones nullable, and closes objects — saying what it changed', () => {
    const n = new Normaliser();
    const out = n.node(
      { type: 'object', $schema: 'x', properties: { a: { type: 'string' }, b: { type: 'integer', enum: [1, 2] } }, required: ['a'] },
      '',
      0,
    );
    expect(out).toEqual({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: ['integer', 'null'], enum: [1, 2, null] } },
      required: ['a', 'b'],
      additionalProperties: false,
    });
    expect(n.changes).toEqual([
      'Removed “$schema” at the top level (not supported in strict mode).',
      'Made “b” required but nullable (strict mode requires every property).',
    ]);
  });

  it('spells oneOf as anyOf and infers an object from its properties', () => {
    const n = new Normaliser();
    expect(n.node({ properties: { x: { oneOf: [{ type: 'string' }, { type: 'number' }] } }, required: ['x'] }, '', 0)).toEqual({
      type: 'object',
      properties: { x: { anyOf: [{ type: 'string' }, { type: 'number' }] } },
      required: ['x'],
      additionalProperties: false,
    });
    expect(n.changes).toEqual(['Changed “oneOf” to “anyOf” at properties.x.']);
  });

  it('refuses what strict mode cannot express, naming where', () => {
    const refused = (schema: unknown) => () => new Normaliser().node(schema, '', 0);
    expect(refused({ type: 'object', properties: { a: { allOf: [] } } })).toThrow(/at “properties.a”: “allOf” isn’t supported/);
    expect(refused({ type: 'array' })).toThrow(/needs an “items” schema/);
    expect(refused({ type: 'object', additionalProperties: { type: 'string' } })).toThrow(/free-form keys/);
    expect(refused({ type: 'thing' })).toThrow(/unknown type “thing”/);
    expect(refused({ type: 'object', properties: {}, required: ['ghost'] })).toThrow(/names “ghost”/);
    expect(refused({ wat: 1, type: 'string' })).toThrow(/unknown keyword “wat”/);
    expect(refused({ description: 'no type' })).toThrow(/needs a “type”/);
  });
});

it('reads a schema’s types, one or a list', () => {
  expect(typesOf({ type: 'string' })).toEqual(['string']);
  expect(typesOf({ type: ['string', 'null', 3] })).toEqual(['string', 'null']);
  expect(typesOf({})).toEqual([]);
});
