import { expect, it } from 'vitest';
import { checkJsonShape } from '../../../../../electron/core/analysis/schema/schema-json-shape';

const nested = (depth: number): unknown => (depth === 0 ? {} : { a: nested(depth - 1) });

it('takes plain JSON of bounded depth, count and size', () => {
  expect(() => checkJsonShape({ type: 'object', properties: { a: { type: 'string' } } })).not.toThrow();
  expect(() => checkJsonShape(nested(63))).not.toThrow();
  expect(() => checkJsonShape(nested(70))).toThrow(/nested deeper than 64 levels/);
  expect(() => checkJsonShape(Array.from({ length: 50_001 }, () => 1))).toThrow(/more than 50000 values/);
  expect(() => checkJsonShape({ description: 'x'.repeat(250_001) })).toThrow(/larger than 250000 characters/);
});

it('refuses keys JavaScript gives a meaning to, and objects that are not plain JSON', () => {
  expect(() => checkJsonShape(JSON.parse('{"properties":{"__proto__":{"type":"string"}}}'))).toThrow(/“__proto__” can’t be used/);
  expect(() => checkJsonShape({ properties: { constructor: {} } })).toThrow(/at “properties”/);
  expect(() => checkJsonShape({ a: new Date() })).toThrow(/plain JSON/);
});
