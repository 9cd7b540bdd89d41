/** The governor: concurrency, pacing and backoff decisions. */
import { describe, expect, it } from 'vitest';
import { Governor } from '../../../../../electron/core/analysis/run/governor';

describe('governor', () => {
  const make = (cap = 16) => {
    let now = 1_000_000;
    const g = new Governor({ cap, initial: 4, now: () => now });
    return { g, advance: (ms: number) => (now += ms) };
  };
  const fill = (g: Governor) => {
    const seqs: number[] = [];
    while (g.canStart().ok) seqs.push(g.started());
    return seqs;
  };

  it('starts at 4, grows while the server reports room, never past the cap', () => {
    const { g } = make(6);
    expect(fill(g)).toHaveLength(4);
    expect(g.canStart()).toEqual({ ok: false, waitMs: Number.POSITIVE_INFINITY });
    g.admitted(1, { limitRequests: 600, remainingRequests: 50 });
    expect(g.limit).toBe(5);
    for (let i = 2; i <= 4; i++) g.admitted(i, { limitRequests: 600, remainingRequests: 50 });
    expect(g.limit).toBe(6);
  });

  it('does not grow when the budget is spent, and paces sends at the stated rate', () => {
    const { g, advance } = make();
    const seqs = fill(g);
    // 600/min = one request per 100 ms; the server says none are left.
    g.admitted(seqs[0]!, { limitRequests: 600, remainingRequests: 0 });
    expect(g.limit).toBe(4);
    g.finished(seqs[0]!);
    const wait = g.canStart();
    expect(wait.ok).toBe(false);
    // The three later requests still waiting for headers will take what refills first.
    expect((wait as { waitMs: number }).waitMs).toBeGreaterThan(300);
    advance((wait as { waitMs: number }).waitMs);
    expect(g.canStart().ok).toBe(true);
  });

  it('halves once per burst of 429s and pauses for retry-after', () => {
    const { g, advance } = make();
    for (let i = 1; i <= 4; i++) {
      const seq = g.started();
      g.admitted(seq, { remainingRequests: 100 });
      g.finished(seq);
    }
    const limit = g.limit;
    const seqs = fill(g);
    g.rateLimited(seqs[0]!, { retryAfterMs: 1000, remainingRequests: 0 });
    g.rateLimited(seqs[1]!, { retryAfterMs: 1000, remainingRequests: 0 });
    expect(g.limit).toBe(Math.floor(limit / 2));
    for (const seq of seqs) g.finished(seq);
    const decision = g.canStart();
    expect(decision.ok).toBe(false);
    expect((decision as { waitMs: number }).waitMs).toBeGreaterThanOrEqual(1000);
    advance(1100);
    expect(g.canStart().ok).toBe(true);
  });

  it('without rate headers: grows by one per admitted request until the first 429, then by 1/n', () => {
    const { g, advance } = make(64);
    const cycle = (times: number) => {
      let outstanding = fill(g);
      for (let i = 0; i < times; i++) {
        const seq = outstanding.shift()!;
        g.admitted(seq, {});
        g.finished(seq);
        outstanding = [...outstanding, ...fill(g)];
      }
      return outstanding;
    };
    const outstanding = cycle(12);
    expect(g.limit).toBe(16);
    g.rateLimited(outstanding[0]!, {});
    for (const seq of outstanding) g.finished(seq);
    expect(g.limit).toBe(8);
    // No retry-after: a one-second pause.
    expect(g.canStart().ok).toBe(false);
    advance(1100);
    for (const seq of cycle(8)) g.finished(seq);
    // Eight admissions at 1/n each add just under one whole request.
    expect(g.limit).toBe(8);
    for (const seq of cycle(8)) g.finished(seq);
    expect(g.limit).toBe(9);
  });
});
