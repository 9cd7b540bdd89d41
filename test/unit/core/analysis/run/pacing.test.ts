/**
 * Pacing at every rate (issue #12), in simulated time: the in-flight target
 * follows rate × latency, a server without rate headers draws few 429s,
 * token limits are honoured. No sockets, no sleeps, no timing assertions.
 */
import { describe, expect, it } from 'vitest';
import { FlowGovernor } from '../../../../../electron/core/analysis/pacing/flow-governor';
import { inFlightTarget, memoryBound, prefetchTarget } from '../../../../../electron/core/analysis/pacing/little-law';
import { readRateInfo } from '../../../../../electron/core/analysis/records/rate-headers';
import { RateLearner } from '../../../../../electron/core/analysis/pacing/rate-learner';
import { TokenEstimator } from '../../../../../electron/core/analysis/pacing/token-estimate';
import { simulate } from '../../../../support/pacing-sim';

const governor = (cap?: number) => (now: () => number) => new FlowGovernor({ now, cap, initial: 4 });
const PHOTO = { bytes: 300_000 };

describe("Little's law", () => {
  it('in flight is rate × latency with head-room, bounded by memory and the cap', () => {
    const base = { latencyMs: 1500, photoBytes: 300_000, memoryBudgetBytes: 1e12, fallback: 4 };
    expect(inFlightTarget({ ...base, ratePerMs: 10 / 1000 })).toBe(Math.ceil(15 * 1.2) + 2);
    expect(inFlightTarget({ ...base, ratePerMs: 100 / 1000 })).toBe(Math.ceil(150 * 1.2) + 2);
    expect(inFlightTarget({ ...base, ratePerMs: 100 / 1000, latencyMs: 3000 })).toBe(Math.ceil(300 * 1.2) + 2);
    expect(inFlightTarget({ ...base, ratePerMs: undefined })).toBe(4);
    expect(inFlightTarget({ ...base, ratePerMs: 100 / 1000, cap: 32 })).toBe(32);
    expect(inFlightTarget({ ...base, ratePerMs: 100 / 1000, memoryBudgetBytes: 60_000_000 })).toBe(memoryBound(300_000, 60_000_000));
    expect(memoryBound(300_000, 60_000_000)).toBe(50);
  });

  it('prefetches what is sent while one photo is prepared, never less than the parallel preparations', () => {
    expect(prefetchTarget(10 / 1000, 200, 3, 64)).toBe(2 + 3);
    expect(prefetchTarget(100 / 1000, 200, 3, 64)).toBe(20 + 3);
    expect(prefetchTarget(100 / 1000, 2000, 3, 64)).toBe(64);
    expect(prefetchTarget(undefined, 200, 3, 64)).toBe(3);
  });
});

describe('governor against a simulated server', () => {
  it.each([
    { rpm: 600, burst: 10, photos: 200 },
    { rpm: 6000, burst: 100, photos: 500 },
    { rpm: 60, burst: 2, photos: 40 },
  ])('with headers at $rpm/min: in flight follows rate × latency, near the rate bound, no 429 storm', ({ rpm, burst, photos }) => {
    const r = simulate(governor(), { rpm, burst, latencyMs: 1500 }, photos, () => PHOTO);
    const bound = (photos / rpm) * 60_000;
    const perMs = rpm / 60_000;
    expect(r.midLimit).toBeGreaterThanOrEqual(Math.min(Math.floor(perMs * 1500), memoryBound(PHOTO.bytes, 160 * 1024 * 1024)));
    expect(r.midLimit).toBeLessThanOrEqual(Math.ceil(perMs * 1500 * 1.5) + 3);
    expect(r.refused / (r.accepted + r.refused)).toBeLessThanOrEqual(0.05);
    expect(r.wallMs).toBeLessThanOrEqual(bound * 1.1 + 1500);
    expect(r.accepted).toBe(photos);
  });

  it('Automatic (no cap) goes past the old default ceiling of 64 when rate × latency needs it; a set ceiling holds', () => {
    const auto = simulate(governor(undefined), { rpm: 6000, burst: 100, latencyMs: 1500 }, 400, () => PHOTO);
    expect(auto.maxInFlight).toBeGreaterThan(64);
    const g = new FlowGovernor({ now: () => 0, cap: 8 });
    g.setCap(undefined);
    expect(g.cap).toBeUndefined();
    const capped = simulate(governor(64), { rpm: 6000, burst: 100, latencyMs: 1500 }, 400, () => PHOTO);
    expect(capped.maxInFlight).toBeLessThanOrEqual(64);
  });

  it('a cap from Settings is a ceiling on requests in flight', () => {
    const r = simulate(governor(8), { rpm: 6000, burst: 100, latencyMs: 1500 }, 200, () => PHOTO);
    expect(r.maxInFlight).toBeLessThanOrEqual(8);
    expect(r.accepted).toBe(200);
  });

  it.each([
    { rpm: 120, burst: 5, photos: 40 },
    { rpm: 120, burst: 5, photos: 200 },
    { rpm: 240, burst: 8, photos: 60 },
  ])(
    'without rate headers at $rpm/min ($photos photos): at most 5 % of requests draw a 429, and it stays near the bound',
    ({ rpm, burst, photos }) => {
      const r = simulate(governor(), { rpm, burst, latencyMs: 1500, headers: false }, photos, () => PHOTO);
      const bound = (photos / rpm) * 60_000;
      expect(r.accepted).toBe(photos);
      expect(r.refused / (r.accepted + r.refused)).toBeLessThanOrEqual(0.05);
      expect(r.wallMs).toBeLessThanOrEqual(bound * 1.15 + 1500);
    },
  );

  it('token limits are honoured: paced on x-ratelimit-*-tokens by each request’s estimate', () => {
    const cost = () => ({ tokens: 1000, bytes: 300_000 });
    const r = simulate(governor(), { rpm: 6000, burst: 100, tokensPerMinute: 60_000, tokenBurst: 6000, latencyMs: 1500 }, 60, cost);
    const tokenBound = ((60 * 1000) / 60_000) * 60_000;
    expect(r.accepted).toBe(60);
    expect(r.refused / (r.accepted + r.refused)).toBeLessThanOrEqual(0.05);
    expect(r.wallMs).toBeLessThanOrEqual(tokenBound * 1.15);
    // 1,000 tokens/s ÷ 1,000 per request = 1 request/s: Little's law wants ~2 in flight, not 150.
    expect(r.midLimit).toBeLessThanOrEqual(6);
  });
});

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

  it('reads x-ratelimit-*-tokens', () => {
    const h = new Headers({ 'x-ratelimit-limit-tokens': '60000', 'x-ratelimit-remaining-tokens': '59000', 'x-ratelimit-reset-tokens': '1s' });
    expect(readRateInfo(h, 0)).toMatchObject({ limitTokens: 60000, remainingTokens: 59000, resetTokensMs: 1000 });
  });
});
