import { describe, expect, it } from 'vitest';
import { parseEarliestRefreshAt } from '../../../../electron/core/oauth/token-set';

describe('parseEarliestRefreshAt', () => {
  it('reads seconds, milliseconds, ISO strings; null and junk are absent', () => {
    expect(parseEarliestRefreshAt(1_800_000_000)).toBe(1_800_000_000_000);
    expect(parseEarliestRefreshAt(1_800_000_000_000)).toBe(1_800_000_000_000);
    expect(parseEarliestRefreshAt('2027-01-15T10:00:00Z')).toBe(Date.parse('2027-01-15T10:00:00Z'));
    expect(parseEarliestRefreshAt('1800000000')).toBe(1_800_000_000_000);
    expect(parseEarliestRefreshAt(null)).toBeUndefined();
    expect(parseEarliestRefreshAt('soon')).toBeUndefined();
    expect(parseEarliestRefreshAt(undefined)).toBeUndefined();
  });
});
