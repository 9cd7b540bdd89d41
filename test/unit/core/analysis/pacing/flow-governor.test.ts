/**
 * The flow governor against a simulated server (issue #12), in simulated
 * time: the in-flight target follows rate × latency, a cap is a ceiling,
 * token limits are honoured. No sockets, no sleeps, no timing assertions.
 */
import { describe, expect, it } from 'vitest';
import { FlowGovernor } from '../../../../../electron/core/analysis/pacing/flow-governor';
import { memoryBound } from '../../../../../electron/core/analysis/pacing/little-law';
import { simulate } from '../../../../support/pacing-sim';

const governor = (cap?: number) => (now: () => number) => new FlowGovernor({ now, cap, initial: 4 });
const PHOTO = { bytes: 300_000 };
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
