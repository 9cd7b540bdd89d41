/** Pacing a server without rate headers (issue #12): the rate learned from 429s, in simulated time. */
import { describe, expect, it } from 'vitest';
import { RateLearner } from '../../../../../electron/core/analysis/pacing/rate-learner';

describe('rate learner (no headers)', () => {
  it('measures the rate from accepted requests between two 429s and paces under it', () => {
    const learner = new RateLearner(0, { initialPerSecond: 4 });
    // True server: 2/s. Sent at 3/s from t=0, 429s at t=5 s and t=15 s with 20 accepted between.
    learner.refused(5000, 1000);
    for (let k = 0; k < 20; k++) learner.accepted(5000 + 1 + k * 500, 5000 + 2 + k * 500, 1500, true);
    learner.refused(15_000, 1000);
    // 20 accepted in 10 s is 2/s ± 0.1 (the bucket's fraction at either end); the estimate leans low.
    expect(learner.measuredRate! * 1000).toBeCloseTo(1.95, 5);
    expect(learner.rate * 1000).toBeLessThan(2);
    expect(learner.rate * 1000).toBeGreaterThan(1.85);
  });

  it('after a 429 it waits, then sends one at a time at the learned pace: no burst', () => {
    const learner = new RateLearner(0, { initialPerSecond: 4 });
    const pause = learner.refused(1000, 2000);
    expect(pause).toBe(2000);
    // At the end of the pause only what the pause refilled may go.
    let sent = 0;
    while (learner.waitMs(3000) === 0 && sent < 100) {
      learner.sent(3000);
      sent++;
    }
    expect(sent).toBeLessThanOrEqual(Math.max(1, Math.floor(2000 * learner.rate)));
  });
});
