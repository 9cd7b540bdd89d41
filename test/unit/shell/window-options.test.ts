import { describe, expect, it } from 'vitest';
import { mainWindowOptions } from '../../../electron/shell/window-options';

describe('mainWindowOptions', () => {
  it('locks the renderer down', () => {
    const prefs = mainWindowOptions({ preloadPath: '/p.cjs', dev: false }).webPreferences;
    expect(prefs).toMatchObject({
      preload: '/p.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
  });
  it('allows devtools only in development', () => {
    expect(mainWindowOptions({ preloadPath: '/p.cjs', dev: true }).webPreferences?.devTools).toBe(true);
  });
});
