import { expect, it } from 'vitest';
import { LoupeError } from '../../../../../electron/core/kernel/errors';
import { isObject, join, quote, refuse } from '../../../../../electron/core/analysis/schema/schema-refusal';

it('refuses on the customSchema field, naming the path when there is one', () => {
  const refused = (() => {
    try {
      refuse('properties.a', 'bad.');
    } catch (error) {
      return error;
    }
  })() as LoupeError;
  expect(refused).toBeInstanceOf(LoupeError);
  expect(refused).toMatchObject({ code: 'invalid_schema', message: 'Schema problem at “properties.a”: bad.', options: { field: 'customSchema' } });
  expect(() => refuse('', 'bad.')).toThrow(/^Schema problem: bad\.$/);
});

it('quotes names safely: bounded, control and bidi characters made visible', () => {
  expect(quote('plain')).toBe('plain');
  expect(quote('a\u0000b\u202ec')).toBe('a\ufffdb\ufffdc');
  expect(quote('x'.repeat(200))).toHaveLength(80);
  expect(quote('x'.repeat(200)).endsWith('…')).toBe(true);
  expect(quote('abcdef', 4)).toBe('abc…');
});

it('joins paths and knows a JSON object from a list or null', () => {
  expect(join('', 'a')).toBe('a');
  expect(join('a', 'b')).toBe('a.b');
  expect([{}, [], null, 'x'].map(isObject)).toEqual([true, false, false, false]);
});
