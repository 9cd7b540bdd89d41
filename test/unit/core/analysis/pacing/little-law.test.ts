/** Little's law (issue #12): requests in flight from rate × latency, bounded by memory and the cap; the prefetch depth. */
import { describe, expect, it } from 'vitest';
import { inFlightTarget, memoryBound, prefetchTarget } from '../../../../../electron/core/analysis/pacing/little-law';

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
