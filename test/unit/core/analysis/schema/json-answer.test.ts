/** Reading answers: JSON parsing and schema validation. */
import { describe, expect, it } from 'vitest';
import { parseJsonAnswer, readAnswer } from '../../../../../electron/core/analysis/schema/json-answer';

describe('reading answers', () => {
  it('parses JSON, fenced JSON and JSON after a sentence; reports the rest', () => {
    expect(parseJsonAnswer('{"a":1}')).toEqual({ value: { a: 1 } });
    expect(parseJsonAnswer('```json\n{"a":1}\n```')).toEqual({ value: { a: 1 } });
    expect(parseJsonAnswer('Here you go: {"a":1}')).toEqual({ value: { a: 1 } });
    expect(parseJsonAnswer('Sure! {"a":{"b":1}')).toHaveProperty('error');
    expect(parseJsonAnswer('   ')).toEqual({ error: 'The answer was empty.' });
    expect(readAnswer('plain words', null)).toEqual({});
  });
});
