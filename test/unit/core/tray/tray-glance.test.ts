import { describe, expect, it } from 'vitest';
import type { AppState } from '../../../../electron/contract';
import { accountGlance } from '../../../../electron/core/accounts/expiry-warning';
import { abilities } from '../../../../electron/core/accounts/readiness';
import { DEFAULT_SETTINGS } from '../../../../electron/core/settings/settings';
import { trayModel } from '../../../../electron/core/tray/tray-model';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const MIN = 60_000;

function state(minutesLeft: number, renewsInMinutes: number | null): AppState {
  const expiresAt = NOW + minutesLeft * MIN;
  const renewsAt = renewsInMinutes === null ? null : NOW + renewsInMinutes * MIN;
  const glance = accountGlance({ status: 'signed_in', expiresAt, renewsAt }, NOW, DEFAULT_SETTINGS.expiryWarningMinutes * MIN);
  return {
    app: { name: 'Loupe', version: '1.0.0', platform: 'linux', dev: false, testIssuer: null },
    accounts: [
      {
        id: 'a1',
        kind: 'chatgpt',
        label: 'me@example.com',
        email: 'me@example.com',
        status: 'signed_in',
        expiresAt,
        renewsAt,
        glance,
        planUsage: true,
        active: true,
      },
    ],
    account: {
      id: 'a1',
      kind: 'chatgpt',
      label: 'me@example.com',
      baseUrl: null,
      status: 'signed_in',
      email: 'me@example.com',
      name: 'Me',
      scopes: [],
      planUsage: true,
      issuedAt: NOW - 50 * MIN,
      expiresAt,
      canRefresh: renewsAt !== null,
      renewsAt,
      glance,
      lastRefreshAt: null,
      refreshing: false,
      problem: null,
      storage: 'keychain',
      showPlanWelcome: false,
      can: abilities(undefined, 'signed_in'),
    },
    signIn: { phase: 'idle', startedAt: null, deadline: null, browserOpened: false, reconsent: false, error: null },
    models: { status: 'idle', items: [], error: null, fetchedAt: null, selected: null },
    analysis: { staged: [], stagedPhotoCount: 0, jobs: [], presets: [], outputRoot: '/tmp' },
    settings: DEFAULT_SETTINGS,
    notices: [],
    links: { manageUsage: 'https://chatgpt.com/settings/usage' },
    usageLimit: null,
  };
}

const trayIcon = { fine: 'signed-in', expiring: 'expiring' } as const;

describe('the tray icon and the account pill agree (one rule, accounts/glance.ts)', () => {
  it.each([
    [3, 1, 'fine'],
    [3, null, 'expiring'],
    [45, null, 'fine'],
    [5, 6, 'expiring'],
  ] as const)('%s min left, renewing in %s min: %s', (left, renews, expected) => {
    const s = state(left, renews);
    expect(s.account.glance).toBe(expected);
    expect(trayModel(s, NOW).icon).toBe(trayIcon[expected]);
  });
});
