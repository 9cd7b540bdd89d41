import { describe, expect, it } from 'vitest';
import { sleep, timeoutSignal } from '../../../../electron/core/kernel/deps';
import { ManualClock } from '../../../support/manual-clock';

describe('time through the clock', () => {
  it('sleep waits for the clock, not for real time', async () => {
    const clock = new ManualClock();
    let woke = false;
    const slept = sleep(clock, 300).then(() => (woke = true));
    clock.advance(299);
    await Promise.resolve();
    expect(woke).toBe(false);
    clock.advance(1);
    await slept;
    expect(woke).toBe(true);
  });

  it('timeoutSignal aborts with a TimeoutError once the clock passes the limit', () => {
    const clock = new ManualClock();
    const signal = timeoutSignal(clock, 1_000);
    clock.advance(999);
    expect(signal.aborted).toBe(false);
    clock.advance(1);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
  });
});
