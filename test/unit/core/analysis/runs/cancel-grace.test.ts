import { describe, expect, it } from 'vitest';
import { CancelGrace } from '../../../../../electron/core/analysis/runs/cancel-grace';
import { ManualClock } from '../../../../support/manual-clock';

describe('CancelGrace', () => {
  it('cancels for good only when the grace period ends without an undo', async () => {
    const clock = new ManualClock(1_000);
    const finalised: string[] = [];
    const grace = new CancelGrace(clock, 6_000, async (id) => void finalised.push(id));
    expect(grace.begin('j1', true)).toBe(true);
    expect(grace.until('j1')).toBe(7_000);
    clock.advance(5_999);
    expect(finalised).toEqual([]);
    clock.advance(1);
    expect(finalised).toEqual(['j1']);
    expect(grace.until('j1')).toBeNull();
    expect(grace.undo('j1')).toBeUndefined();
  });

  it('undo within the window keeps the job and says whether it was running', () => {
    const clock = new ManualClock(0);
    const finalised: string[] = [];
    const grace = new CancelGrace(clock, 6_000, async (id) => void finalised.push(id));
    grace.begin('j1', true);
    grace.begin('j2', false);
    clock.advance(3_000);
    expect(grace.undo('j1')).toEqual({ wasActive: true });
    expect(grace.undo('j2')).toEqual({ wasActive: false });
    clock.advance(10_000);
    expect(finalised).toEqual([]);
  });

  it('quitting finalises pending cancels; no grace period means cancel at once', async () => {
    const clock = new ManualClock(0);
    const finalised: string[] = [];
    const grace = new CancelGrace(clock, 6_000, async (id) => void finalised.push(id));
    grace.begin('j1', true);
    await grace.finishAll();
    expect(finalised).toEqual(['j1']);
    expect(new CancelGrace(clock, 0, async () => {}).begin('j2', true)).toBe(false);
  });
});
