import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, type SenderInfo, isAppUrl, isTrustedSender, mainWindowOptions } from '../../electron/shell/security';

const APP_WC = 7;
const mainFrame = (url: string) => ({ url, parent: null });
const event = (id: number, frame: SenderInfo['senderFrame']): SenderInfo => ({ sender: { id }, senderFrame: frame });

describe('isTrustedSender', () => {
  it('accepts the app window main frame on app://loupe', () => {
    expect(isTrustedSender(event(APP_WC, mainFrame('app://loupe/index.html')), APP_WC)).toBe(true);
  });
  it('rejects another window', () => {
    expect(isTrustedSender(event(8, mainFrame('app://loupe/index.html')), APP_WC)).toBe(false);
  });
  it('rejects a sub-frame even on the app origin', () => {
    expect(isTrustedSender(event(APP_WC, { url: 'app://loupe/index.html', parent: mainFrame('app://loupe/') }), APP_WC)).toBe(false);
  });
  it.each(['https://evil.example/', 'file:///etc/passwd', 'app://evil/index.html', 'http://127.0.0.1:5178/', 'app://loupe.evil/x', 'about:blank', 'not a url'])(
    'rejects a foreign origin %s',
    (url) => {
      expect(isTrustedSender(event(APP_WC, mainFrame(url)), APP_WC)).toBe(false);
    },
  );
  it('fails closed when senderFrame is null', () => {
    expect(isTrustedSender(event(APP_WC, null), APP_WC)).toBe(false);
  });
  it('fails closed when there is no app window', () => {
    expect(isTrustedSender(event(APP_WC, mainFrame('app://loupe/index.html')), undefined)).toBe(false);
  });
});

describe('isAppUrl', () => {
  it('matches only the app scheme and host', () => {
    expect(isAppUrl('app://loupe/assets/x.js')).toBe(true);
    expect(isAppUrl('app://loupe2/')).toBe(false);
    expect(isAppUrl('https://loupe/')).toBe(false);
  });
});

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

describe('CONTENT_SECURITY_POLICY', () => {
  const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  it('forbids remote script, eval and renderer network access', () => {
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:/);
  });
});
