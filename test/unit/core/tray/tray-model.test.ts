import { describe, expect, it } from 'vitest';
import type { AppState } from '../../../../electron/contract';
import { abilities } from '../../../../electron/core/accounts/readiness';
import { DEFAULT_SETTINGS } from '../../../../electron/core/settings/settings';
import { analysisProgress, formatRemaining, trayModel } from '../../../../electron/core/tray/tray-model';

const NOW = Date.parse('2026-11-21T12:00:00Z');

const base: AppState = {
  app: { name: 'Loupe', version: '1.0.0', platform: 'linux', dev: false, testIssuer: null },
  accounts: [],
  account: {
    id: null,
    kind: null,
    label: null,
    baseUrl: null,
    canRefresh: false,
    renewsAt: null,
    glance: 'signed_out',
    status: 'signed_out',
    email: null,
    name: null,
    scopes: [],
    planUsage: false,
    issuedAt: null,
    expiresAt: null,
    lastRefreshAt: null,
    refreshing: false,
    problem: null,
    storage: 'keychain',
    showPlanWelcome: false,
    can: abilities(undefined, 'signed_out'),
  },
  signIn: { phase: 'idle', startedAt: null, deadline: null, browserOpened: false, reconsent: false, error: null },
  models: { status: 'idle', items: [], error: null, fetchedAt: null, selected: null },
  analysis: { staged: [], stagedPhotoCount: 0, jobs: [], presets: [], outputRoot: '/home/me/Documents/Loupe' },
  settings: DEFAULT_SETTINGS,
  notices: [],
  links: { manageUsage: 'https://chatgpt.com/settings/usage' },
  usageLimit: null,
};

const signedIn = (minutesLeft: number, extra: Partial<AppState['account']> = {}): AppState => ({
  ...base,
  account: {
    ...base.account,
    id: 'a1',
    kind: 'chatgpt',
    label: 'name@example.com',
    canRefresh: true,
    status: 'signed_in',
    email: 'name@example.com',
    name: 'Name',
    planUsage: true,
    expiresAt: NOW + minutesLeft * 60_000,
    ...extra,
  },
});

const labels = (state: AppState) => trayModel(state, NOW).menu.flatMap((i) => (i.type === 'separator' ? [] : [i.label]));
const actions = (state: AppState) => trayModel(state, NOW).menu.flatMap((i) => (i.type === 'action' ? [i.id] : []));

describe('trayModel', () => {
  it('signed out: offers Continue with ChatGPT, Open and Quit', () => {
    const model = trayModel(base, NOW);
    expect(model.icon).toBe('signed-out');
    expect(model.tooltip).toBe('Loupe — not signed in');
    expect(labels(base)).toEqual(['Not signed in', 'Continue with ChatGPT…', 'Add photos…', 'Add folder…', 'Open Loupe', 'Quit Loupe']);
  });

  it('signed in: the account and the time left in the tooltip, Refresh now and Sign out in the menu', () => {
    const state = signedIn(42);
    const model = trayModel(state, NOW);
    expect(model.icon).toBe('signed-in');
    expect(model.tooltip).toBe('Loupe — name@example.com · token expires in 42 min');
    expect(actions(state)).toEqual(['refresh', 'sign-out', 'add-photos', 'add-folder', 'open', 'quit']);
    expect(labels(state)).toContain('Token expires in 42 min');
  });

  it('expiring soon below the configured warning (10 min by default)', () => {
    expect(trayModel(signedIn(10.5), NOW).icon).toBe('signed-in');
    expect(trayModel(signedIn(9), NOW).icon).toBe('expiring');
    const stricter = { ...signedIn(25), settings: { ...DEFAULT_SETTINGS, expiryWarningMinutes: 30 } };
    expect(trayModel(stricter, NOW).icon).toBe('expiring');
  });

  it('says when the token has expired', () => {
    expect(trayModel(signedIn(-1), NOW).tooltip).toBe('Loupe — name@example.com · token expired');
  });

  it('needs sign-in: red state and a way to sign in again', () => {
    const state: AppState = { ...base, account: { ...base.account, status: 'needs_sign_in', email: 'name@example.com' } };
    const model = trayModel(state, NOW);
    expect(model.icon).toBe('needs-sign-in');
    expect(model.tooltip).toBe('Loupe — name@example.com · sign in again');
    expect(actions(state)).toContain('sign-in');
  });

  it('busy while signing in or refreshing, with Cancel during sign-in', () => {
    const signingIn: AppState = { ...base, signIn: { ...base.signIn, phase: 'waiting', deadline: NOW + 600_000 } };
    expect(trayModel(signingIn, NOW).icon).toBe('busy');
    expect(actions(signingIn)).toEqual(['cancel-sign-in', 'add-photos', 'add-folder', 'open', 'quit']);
    expect(trayModel(signedIn(30, { refreshing: true }), NOW).icon).toBe('busy');
  });

  it('offers a switch-account submenu with the status and expiry of each account', () => {
    const state: AppState = {
      ...signedIn(42),
      accounts: [
        {
          id: 'a1',
          kind: 'chatgpt',
          label: 'name@example.com',
          email: 'name@example.com',
          status: 'signed_in',
          expiresAt: NOW + 42 * 60_000,
          renewsAt: null,
          glance: 'fine',
          planUsage: true,
          active: true,
        },
        {
          id: 'a2',
          kind: 'api_key',
          label: 'Work key',
          email: null,
          status: 'signed_in',
          expiresAt: null,
          renewsAt: null,
          glance: 'fine',
          planUsage: false,
          active: false,
        },
        {
          id: 'a3',
          kind: 'custom',
          label: 'Gateway',
          email: null,
          status: 'needs_sign_in',
          expiresAt: null,
          renewsAt: null,
          glance: 'needs_sign_in',
          planUsage: false,
          active: false,
        },
      ],
    };
    const submenu = trayModel(state, NOW).menu.find((i) => i.type === 'submenu');
    expect(submenu?.type === 'submenu' && submenu.items).toEqual([
      { type: 'action', id: 'switch-account', accountId: 'a1', label: 'name@example.com (42 min left)', enabled: true, checked: true },
      { type: 'action', id: 'switch-account', accountId: 'a2', label: 'Work key (ready)', enabled: true, checked: false },
      { type: 'action', id: 'switch-account', accountId: 'a3', label: 'Gateway (needs sign-in)', enabled: true, checked: false },
    ]);
    expect(trayModel(signedIn(42), NOW).menu.some((i) => i.type === 'submenu')).toBe(false);
  });

  it('shows "Analysing 12 / 94" while a job runs', () => {
    const job = (status: 'running' | 'done', done: number, total: number) =>
      ({
        status,
        counts: { total, done, failed: 0, skipped: 0, pending: total - done, inFlight: 0, unparsed: 0 },
      }) as AppState['analysis']['jobs'][number];
    const state: AppState = { ...signedIn(42), analysis: { ...base.analysis, jobs: [job('running', 12, 94), job('done', 5, 5)] } };
    expect(analysisProgress(state)).toEqual({ done: 12, total: 94 });
    const model = trayModel(state, NOW);
    expect(model.icon).toBe('busy');
    expect(model.tooltip).toBe('Loupe — Analysing 12 / 94');
    expect(labels(state)).toContain('Analysing 12 / 94');
    expect(analysisProgress(signedIn(42))).toBeNull();
  });

  it('formats the time left', () => {
    expect(formatRemaining(40_000)).toBe('40 s');
    expect(formatRemaining(42 * 60_000)).toBe('42 min');
    expect(formatRemaining(65 * 60_000)).toBe('1 h 5 min');
    expect(formatRemaining(120 * 60_000)).toBe('2 h');
  });
});

describe('trayModel: platform and updates', () => {
  it('macOS picks photos and folders in one dialog; Windows and Linux offer two items', () => {
    const mac: AppState = { ...base, app: { ...base.app, platform: 'darwin' } };
    expect(actions(mac)).toEqual(['sign-in', 'analyse', 'open', 'quit']);
    expect(actions({ ...base, app: { ...base.app, platform: 'win32' } })).toEqual(['sign-in', 'add-photos', 'add-folder', 'open', 'quit']);
  });
  it('offers "Restart to update" only once an update is downloaded', () => {
    expect(trayModel(base, NOW, { updateReady: null }).menu.some((i) => i.type === 'action' && i.id === 'restart-to-update')).toBe(false);
    const item = trayModel(base, NOW, { updateReady: { version: '1.2.0' } }).menu.find((i) => i.type === 'action' && i.id === 'restart-to-update');
    expect(item).toMatchObject({ label: 'Restart to update (1.2.0)', enabled: true });
  });
});
