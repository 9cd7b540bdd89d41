import { describe, expect, it } from 'vitest';
import type { AppState } from '../../electron/contract';
import { trayModel } from '../../electron/core/tray-model';
import { DEFAULT_SETTINGS } from '../../electron/core/settings';

const base: AppState = {
  app: { name: 'Loupe', version: '1.0.0', platform: 'linux', dev: false, testIssuer: null },
  account: { status: 'signed_out' },
  settings: DEFAULT_SETTINGS,
  notices: [],
};

describe('trayModel', () => {
  it('offers Open and Quit, and says the person is signed out', () => {
    const model = trayModel(base);
    expect(model.icon).toBe('signed-out');
    expect(model.tooltip).toBe('Loupe — not signed in');
    const actions = model.menu.filter((i) => i.type === 'action').map((i) => (i.type === 'action' ? i.label : ''));
    expect(actions).toContain('Open Loupe');
    expect(actions.at(-1)).toBe('Quit Loupe');
  });
});
