import { describe, expect, it } from 'vitest';
import type { TokenRules } from '../../../../electron/core/oauth/profile';
import type { VerifiedTokens } from '../../../../electron/core/oauth/token-response';
import {
  PendingRefreshSchema,
  TokenSetSchema,
  parseEarliestRefreshAt,
  pendingRefreshToken,
  tokenSetFrom,
} from '../../../../electron/core/oauth/token-set';

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

describe('tokenSetFrom', () => {
  const SIWC: TokenRules = { grantedScopeRequired: true, refreshTokenWithOfflineAccess: true, earliestRefreshAt: true };
  const PLAIN: TokenRules = { grantedScopeRequired: false, refreshTokenWithOfflineAccess: false, earliestRefreshAt: false };
  const verified = (over: Partial<VerifiedTokens> = {}): VerifiedTokens => ({
    accessToken: 'at-2',
    refreshToken: undefined,
    idToken: undefined,
    expiresIn: 3600,
    scopes: undefined,
    claims: undefined,
    raw: { access_token: 'at-2', token_type: 'bearer', expires_in: 3600, earliest_refresh_at: 1_800_000_000 },
    ...over,
  });
  const previous = { accessToken: 'at-1', refreshToken: 'rt-1', idToken: 'id-1', expiresAt: 1, scopes: ['openid'], savedAt: 0 };

  it('a code answer: its lifetime from when it arrived, the default scopes when none are named', () => {
    const tokens = tokenSetFrom(verified({ refreshToken: 'rt-2' }), { receivedAt: 5_000, rules: PLAIN, fallbackScopes: ['api'] });
    expect(tokens).toEqual({
      accessToken: 'at-2',
      refreshToken: 'rt-2',
      idToken: undefined,
      expiresAt: 5_000 + 3_600_000,
      scopes: ['api'],
      earliestRefreshAt: undefined,
      savedAt: 5_000,
    });
    expect(TokenSetSchema.parse(tokens)).toMatchObject({ accessToken: 'at-2', scopes: ['api'] });
  });

  it('a refresh answer that leaves out the refresh token, ID token and scope keeps the previous ones (RFC 6749 §6)', () => {
    const tokens = tokenSetFrom(verified(), { receivedAt: 9_000, rules: PLAIN, previous, fallbackScopes: [] });
    expect(tokens).toMatchObject({ accessToken: 'at-2', refreshToken: 'rt-1', idToken: 'id-1', scopes: ['openid'], savedAt: 9_000 });
    expect(
      tokenSetFrom(verified({ scopes: ['email'], refreshToken: 'rt-3' }), { receivedAt: 9_000, rules: PLAIN, previous, fallbackScopes: [] }),
    ).toMatchObject({ refreshToken: 'rt-3', scopes: ['email'] });
  });

  it('reads earliest_refresh_at only where the profile says the server sends it', () => {
    expect(tokenSetFrom(verified(), { receivedAt: 0, rules: SIWC, fallbackScopes: [] }).earliestRefreshAt).toBe(1_800_000_000_000);
    expect(tokenSetFrom(verified(), { receivedAt: 0, rules: PLAIN, fallbackScopes: [] }).earliestRefreshAt).toBeUndefined();
  });
});

describe('pendingRefreshToken', () => {
  it('is the rotated refresh token a saved answer carries, if any', () => {
    const pending = PendingRefreshSchema.parse({ body: { access_token: 'a', refresh_token: 'rt-new' }, receivedAt: 1 });
    expect(pendingRefreshToken(pending)).toBe('rt-new');
    expect(pendingRefreshToken({ body: { refresh_token: 42 }, receivedAt: 1 })).toBeUndefined();
    expect(pendingRefreshToken(undefined)).toBeUndefined();
  });
});
