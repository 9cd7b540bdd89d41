import { describe, expect, it } from 'vitest';
import { SHUTDOWN_GRACE_MS, createShutdown } from '../../../electron/shell/shutdown';
import { ManualClock } from '../../support/manual-clock';

describe('createShutdown', () => {
  it('records once, however many ways the app is told to end', async () => {
    let records = 0;
    const shutdown = createShutdown(
      async () => void records++,
      new ManualClock(0),
      () => {},
    );
    expect(shutdown.started).toBe(false);
    await Promise.all([shutdown.run(), shutdown.run()]);
    await shutdown.run();
    expect(records).toBe(1);
    expect(shutdown.started).toBe(true);
  });

  it('gives up waiting after the grace time, so Quit always quits', async () => {
    const clock = new ManualClock(0);
    const shutdown = createShutdown(
      () => new Promise(() => {}),
      clock,
      () => {},
    );
    let done = false;
    const running = shutdown.run().then(() => (done = true));
    clock.advance(SHUTDOWN_GRACE_MS - 1);
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    clock.advance(1);
    await running;
    expect(done).toBe(true);
  });

  it('reports a failing recorder and still finishes', async () => {
    const errors: unknown[] = [];
    await createShutdown(
      async () => Promise.reject(new Error('disk full')),
      new ManualClock(0),
      (e) => errors.push(e),
    ).run();
    expect(errors).toHaveLength(1);
  });
});
