import { expect, it } from 'vitest';
import { checkAnswer } from '../../../../../electron/core/analysis/api/checked-answer';
import { AnalysisError } from '../../../../../electron/core/analysis/records/analysis-error';
import { compileValidator } from '../../../../../electron/core/analysis/schema/json-answer';

const validate = compileValidator({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'], additionalProperties: false });
const usage = { input_tokens: 9, output_tokens: 3 };

it('reads a paid answer against the schema: parsed, or unparsed with the reason', () => {
  expect(checkAnswer('{"n":1}', validate, usage, null)).toEqual({ parsed: { n: 1 } });
  expect(checkAnswer('{"n":"one"}', validate, usage, null).parseError).toBeTruthy();
  expect(checkAnswer('I can’t see a number.', validate, usage, null).parseError).toBeTruthy();
  // Chat around the JSON is tolerated.
  expect(checkAnswer('Sure! {"n":1}', validate, usage, null)).toEqual({ parsed: { n: 1 } });
  // A free-text prompt without a schema: nothing to read.
  expect(checkAnswer('anything', null, usage, null)).toEqual({});
});

it('a failure of Loupe’s own while checking fails the photo once, keeping the answer, its usage and request id', () => {
  const throwing = () => {
    throw new RangeError('boom');
  };
  let error: unknown;
  try {
    checkAnswer('{"n":1}', throwing, usage, 'req_7');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(AnalysisError);
  expect((error as AnalysisError).details).toMatchObject({
    disposition: 'internal',
    cause: 'RangeError',
    partialText: '{"n":1}',
    usage,
    requestId: 'req_7',
  });
});
