import { describe, expect, it } from 'vitest';
import { LoupeError } from '../../../../../electron/core/kernel/errors';
import { AnalysisError, internalError, outputRefused, thrownName } from '../../../../../electron/core/analysis/records/analysis-error';

describe('AnalysisError', () => {
  it('is retryable exactly for the dispositions the scheduler retries', () => {
    const retryable = (disposition: ConstructorParameters<typeof AnalysisError>[2]['disposition']) =>
      new AnalysisError('server_error', 'm', { disposition }).options.retryable ?? false;
    expect(retryable('backoff')).toBe(true);
    expect(retryable('rate_limit')).toBe(true);
    for (const d of ['fail_item', 'internal', 'stop_job', 'aborted'] as const) expect(retryable(d)).toBe(false);
    expect(new AnalysisError('server_error', 'm', { disposition: 'backoff' })).toBeInstanceOf(LoupeError);
  });

  it('logs codes and ids, never the server’s message, the answer or the link', () => {
    const error = new AnalysisError('invalid_request', 'The server said: <prompt text>', {
      disposition: 'fail_item',
      status: 400,
      apiCode: 'invalid_image',
      param: 'input',
      requestId: 'req_1',
      partialText: 'secret answer',
      link: { label: 'l', url: 'https://x' },
    });
    expect(error.logFields()).toEqual({ code: 'invalid_request', status: 400, apiCode: 'invalid_image', param: 'input', requestId: 'req_1' });
  });
});

describe('internal errors', () => {
  it('names what was thrown, never its text', () => {
    expect(thrownName(new RangeError('the answer was …'))).toBe('RangeError');
    expect(thrownName(Object.assign(new Error('x'), { name: 'not a name!' }))).toBe('Error');
    expect(thrownName('a string')).toBe('string');
    expect(thrownName(undefined)).toBe('undefined');
  });

  it('fails the photo once, keeps what was paid, and says so', () => {
    const error = internalError(new TypeError('x'), 'reading the answer', { partialText: 'paid', usage: { input_tokens: 5, output_tokens: 1 } });
    expect(error.code).toBe('internal_error');
    expect(error.details).toMatchObject({
      disposition: 'internal',
      cause: 'TypeError',
      partialText: 'paid',
      usage: { input_tokens: 5, output_tokens: 1 },
    });
    expect(error.message).toBe(
      'Loupe failed while reading the answer (TypeError). The photo isn’t tried again, so nothing is paid for twice. The answer is kept in the photo’s result file.',
    );
    expect(internalError(new TypeError('x'), 'preparing').message).not.toMatch(/kept/);
    expect(error.logFields()).toMatchObject({ cause: 'TypeError' });
  });

  it('an output folder that refuses a write stops the job', () => {
    expect(outputRefused()).toMatchObject({ code: 'output_unwritable', details: { disposition: 'stop_job' } });
  });
});
