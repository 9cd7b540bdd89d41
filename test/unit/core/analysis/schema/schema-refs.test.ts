import { expect, it } from 'vitest';
import { checkRefs } from '../../../../../electron/core/analysis/schema/schema-refs';

it('takes references to the root and to $defs that resolve', () => {
  expect(() =>
    checkRefs({
      type: 'object',
      properties: { node: { $ref: '#/$defs/node' }, self: { anyOf: [{ $ref: '#' }, { type: 'null' }] } },
      $defs: { node: { type: 'object', properties: { next: { $ref: '#/$defs/node' } } } },
    }),
  ).not.toThrow();
});

it('refuses a reference that points at nothing, or in a form answers are not checked with', () => {
  expect(() => checkRefs({ type: 'object', properties: { a: { $ref: '#/$defs/missing' } } })).toThrow(/points at nothing/);
  expect(() => checkRefs({ type: 'object', properties: { a: { $ref: '#/definitions/x' } } })).toThrow(/isn’t supported/);
  expect(() => checkRefs({ type: 'object', properties: { a: { $ref: '#/$defs/%E0%A4%A' } } })).toThrow(/isn’t a valid reference/);
});

it('refuses references that loop without reaching a property or an item', () => {
  expect(() => checkRefs({ type: 'object', properties: {}, $defs: { a: { $ref: '#/$defs/b' }, b: { anyOf: [{ $ref: '#/$defs/a' }] } } })).toThrow(
    /“\$ref”s form a loop \(#\/\$defs\/a → #\/\$defs\/b → #\/\$defs\/a\)/,
  );
});
