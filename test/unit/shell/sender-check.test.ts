import { describe, expect, it } from 'vitest';
import { type SenderInfo, isAppUrl, isTrustedSender } from '../../../electron/shell/sender-check';

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
  it.each([
    'https://evil.example/',
    'file:///etc/passwd',
    'app://evil/index.html',
    'http://127.0.0.1:5178/',
    'app://loupe.evil/x',
    'about:blank',
    'not a url',
  ])('rejects a foreign origin %s', (url) => {
    expect(isTrustedSender(event(APP_WC, mainFrame(url)), APP_WC)).toBe(false);
  });
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
