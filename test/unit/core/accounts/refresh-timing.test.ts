import { describe, expect, it } from 'vitest';
import {
  BACKOFF_MS,
  MIN_REFRESH_INTERVAL_MS,
  backoffDelay,
  dueForRefresh,
  effectiveMarginMs,
  isDueForRefresh,
  nextRefresh,
  refreshDueAt,
  refreshGate,
  renewalAt,
} from '../../../../electron/core/accounts/refresh-timing';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const MIN = 60_000;

describe('refresh timing rules', () => {
  const at = 1_000_000;
  it('bounds the margin by half the lifetime', () => {
    expect(effectiveMarginMs({ savedAt: at, expiresAt: at + 3_600_000 }, 120_000)).toBe(120_000);
    expect(effectiveMarginMs({ savedAt: at, expiresAt: at + 60_000 }, 120_000)).toBe(30_000);
    expect(effectiveMarginMs({ savedAt: at, expiresAt: at + 5_000 }, 900_000)).toBe(2_500);
  });
  it('never lets a refresh come due right after the last one, whatever expires_in said', () => {
    const tiny = { savedAt: at, expiresAt: at + 1 };
    expect(isDueForRefresh(tiny, 120_000, at)).toBe(false);
    expect(isDueForRefresh(tiny, 120_000, at + MIN_REFRESH_INTERVAL_MS)).toBe(true);
    expect(refreshDueAt(tiny, 120_000)).toBe(at + MIN_REFRESH_INTERVAL_MS);
    expect(refreshDueAt({ ...tiny, earliestRefreshAt: at + 10_000 }, 120_000)).toBe(at + 10_000);
  });
});

describe('renewalAt (the session schedule and the view share it)', () => {
  it('renews the margin before expiry, never before earliest_refresh_at, and not at all without a refresh token', () => {
    const saved = { savedAt: NOW, expiresAt: NOW + 60 * MIN };
    expect(renewalAt({ ...saved, refreshToken: 'r' }, 2 * MIN)).toBe(NOW + 58 * MIN);
    expect(renewalAt({ ...saved, refreshToken: 'r', earliestRefreshAt: NOW + 59 * MIN }, 2 * MIN)).toBe(NOW + 59 * MIN);
    expect(renewalAt(saved, 2 * MIN)).toBeNull();
    // A short-lived token: the margin is bounded by its lifetime, so renewal never loops.
    expect(renewalAt({ savedAt: NOW, expiresAt: NOW + MIN, refreshToken: 'r' }, 2 * MIN)).toBeGreaterThan(NOW);
    expect(renewalAt(undefined, 2 * MIN)).toBeNull();
  });
});

describe('dueForRefresh (before an API call)', () => {
  const hour = { savedAt: NOW, expiresAt: NOW + 60 * MIN, refreshToken: 'r' };
  it('is due inside the margin, never without a refresh token', () => {
    expect(dueForRefresh(hour, 2 * MIN, NOW + 57 * MIN)).toBe(false);
    expect(dueForRefresh(hour, 2 * MIN, NOW + 58 * MIN)).toBe(true);
    expect(dueForRefresh({ ...hour, refreshToken: undefined }, 2 * MIN, NOW + 61 * MIN)).toBe(false);
    expect(dueForRefresh(undefined, 2 * MIN, NOW)).toBe(false);
  });
});

describe('refreshGate (whether a refresh goes to the server)', () => {
  const hour = { savedAt: NOW, expiresAt: NOW + 60 * MIN, refreshToken: 'r' };
  it('goes when due, or when forced; otherwise nothing is due', () => {
    expect(refreshGate(hour, 2 * MIN, NOW + 10 * MIN, false)).toBe('not_due');
    expect(refreshGate(hour, 2 * MIN, NOW + 10 * MIN, true)).toBe('go');
    expect(refreshGate(hour, 2 * MIN, NOW + 59 * MIN, false)).toBe('go');
  });
  it('waits for earliest_refresh_at while the token works; past expiry, or forced, it is too early', () => {
    const told = { ...hour, earliestRefreshAt: NOW + 90 * MIN };
    expect(refreshGate(told, 2 * MIN, NOW + 59 * MIN, false)).toBe('not_due');
    expect(refreshGate(told, 2 * MIN, NOW + 59 * MIN, true)).toBe('too_early');
    expect(refreshGate(told, 2 * MIN, NOW + 61 * MIN, false)).toBe('too_early');
    expect(refreshGate(told, 2 * MIN, NOW + 90 * MIN, false)).toBe('go');
  });
});

describe('nextRefresh (the session timer)', () => {
  const tokens = { savedAt: NOW, expiresAt: NOW + 60 * MIN, refreshToken: 'r' };
  const pendingRefresh = { body: { access_token: 'a' }, receivedAt: NOW };
  it('renews when due; commits a saved answer at once; retries a failure at its time, forced', () => {
    expect(nextRefresh({ tokens }, null, 2 * MIN, NOW)).toEqual({ kind: 'refresh', at: NOW + 58 * MIN, reason: 'due' });
    expect(nextRefresh({ tokens, pendingRefresh }, null, 2 * MIN, NOW + 5)).toEqual({ kind: 'refresh', at: NOW + 5, reason: 'pending' });
    expect(nextRefresh({ pendingRefresh }, null, 2 * MIN, NOW + 5)).toEqual({ kind: 'refresh', at: NOW + 5, reason: 'pending' });
    expect(nextRefresh({ tokens, pendingRefresh }, NOW + 7_000, 2 * MIN, NOW)).toEqual({ kind: 'refresh', at: NOW + 7_000, reason: 'retry' });
  });
  it('a session with nothing to renew with ends at expiry, even while a failure waits for its retry', () => {
    const once = { ...tokens, refreshToken: undefined };
    expect(nextRefresh({ tokens: once }, null, 2 * MIN, NOW)).toEqual({ kind: 'expire', at: NOW + 60 * MIN });
    expect(nextRefresh({ tokens: once }, NOW + 7_000, 2 * MIN, NOW)).toEqual({ kind: 'expire', at: NOW + 60 * MIN });
  });
  it('no timer when signed out or when the grant is gone', () => {
    expect(nextRefresh({}, null, 2 * MIN, NOW)).toBeNull();
    expect(nextRefresh({ tokens, problem: { code: 'invalid_grant' } }, NOW, 2 * MIN, NOW)).toBeNull();
  });
});

describe('backoffDelay', () => {
  it('steps through the backoff, stays on the last step, within ±20 %', () => {
    expect(backoffDelay(1, () => 0.5)).toBe(BACKOFF_MS[0]);
    expect(backoffDelay(2, () => 0)).toBeCloseTo(BACKOFF_MS[1] * 0.8);
    expect(backoffDelay(3, () => 1)).toBeCloseTo(BACKOFF_MS[2] * 1.2);
    expect(backoffDelay(99, () => 0.5)).toBe(BACKOFF_MS.at(-1));
    expect(backoffDelay(0, () => 0.5)).toBe(BACKOFF_MS[0]);
  });
});
