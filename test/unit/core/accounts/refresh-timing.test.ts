import { describe, expect, it } from 'vitest';
import {
  MIN_REFRESH_INTERVAL_MS,
  effectiveMarginMs,
  isDueForRefresh,
  refreshDueAt,
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
