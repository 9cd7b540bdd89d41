/** The token estimate a request counts against a token limit, calibrated from each answer's usage. */
import { describe, expect, it } from 'vitest';
import { TokenEstimator } from '../../../../../electron/core/analysis/pacing/token-estimate';

describe('token estimate', () => {
  it('counts the image by its prepared size and detail, plus text and the learned answer length', () => {
    const t = new TokenEstimator();
    const shape = { model: 'gpt-4.1', detail: 'auto' as const, width: 1024, height: 768, textChars: 400 };
    const first = t.estimate(shape);
    expect(first).toBeGreaterThan(765 + 100);
    t.observe(shape, { input_tokens: 900, output_tokens: 60 });
    expect(Math.abs(t.estimate(shape) - (900 + 60))).toBeLessThanOrEqual(1);
    expect(t.estimate({ ...shape, detail: 'low' })).toBeLessThan(t.estimate(shape));
    // A longer answer is believed at once.
    t.observe(shape, { input_tokens: 900, output_tokens: 500 });
    expect(t.estimate(shape)).toBeGreaterThanOrEqual(900 + 500);
  });
});
