import { describe, expect, it } from 'vitest';
import { accountGlance, GlanceWatch, nextGlanceChange } from '../../../../electron/core/accounts/expiry-warning';
import { ManualClock } from '../../../support/manual-clock';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const MIN = 60_000;
const WARN = 10 * MIN;

describe('accountGlance', () => {
  const signedIn = (minutesLeft: number, renewsInMinutes: number | null) => ({
    status: 'signed_in' as const,
    expiresAt: NOW + minutesLeft * MIN,
    renewsAt: renewsInMinutes === null ? null : NOW + renewsInMinutes * MIN,
  });

  it('a session that renews itself in time is fine however close expiry is', () => {
    expect(accountGlance(signedIn(3, 1), NOW, WARN)).toBe('fine');
    expect(accountGlance(signedIn(60, 58), NOW, WARN)).toBe('fine');
  });

  it('is expiring only when it won’t renew in time and fewer than the warning minutes remain', () => {
    expect(accountGlance(signedIn(9, null), NOW, WARN)).toBe('expiring');
    expect(accountGlance(signedIn(11, null), NOW, WARN)).toBe('fine');
    // A renewal the server put off until after expiry does not count.
    expect(accountGlance(signedIn(5, 6), NOW, WARN)).toBe('expiring');
    expect(accountGlance(signedIn(25, null), NOW, 30 * MIN)).toBe('expiring');
  });

  it('signed out, needs sign-in and API keys', () => {
    expect(accountGlance(undefined, NOW, WARN)).toBe('signed_out');
    expect(accountGlance({ status: 'signed_out', expiresAt: null, renewsAt: null }, NOW, WARN)).toBe('signed_out');
    expect(accountGlance({ status: 'needs_sign_in', expiresAt: null, renewsAt: null }, NOW, WARN)).toBe('needs_sign_in');
    expect(accountGlance({ status: 'signed_in', expiresAt: null, renewsAt: null }, NOW, WARN)).toBe('fine');
  });

  it('knows when the glance next changes with time alone, and republishes then', () => {
    const accounts = [{ status: 'signed_in' as const, expiresAt: NOW + 30 * MIN, renewsAt: null }];
    expect(nextGlanceChange(accounts, NOW, WARN)).toBe(NOW + 20 * MIN);
    expect(nextGlanceChange(accounts, NOW + 25 * MIN, WARN)).toBe(NOW + 30 * MIN);
    const clock = new ManualClock(NOW);
    let published = 0;
    const watch = new GlanceWatch(clock, () => published++);
    watch.update(accounts, WARN);
    watch.update(accounts, WARN); // same time: one timer
    expect(clock.pending()).toBe(1);
    clock.advance(20 * MIN - 1);
    expect(published).toBe(0);
    clock.advance(2);
    expect(published).toBe(1);
    expect(accountGlance(accounts[0], clock.now(), WARN)).toBe('expiring');
    watch.dispose();
  });
});
