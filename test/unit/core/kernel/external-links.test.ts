import { describe, expect, it } from 'vitest';
import { allowedExternalUrl, isAllowedExternalUrl } from '../../../../electron/core/kernel/external-links';

describe('allowedExternalUrl', () => {
  it('returns the normalised href of an allowed page', () => {
    expect(allowedExternalUrl('https://help.openai.com/en/articles/1')).toBe('https://help.openai.com/en/articles/1');
    expect(allowedExternalUrl('https://chatgpt.com/settings')).toBe('https://chatgpt.com/settings');
    expect(allowedExternalUrl('HTTPS://Platform.OpenAI.com/usage?x=1#y')).toBe('https://platform.openai.com/usage?x=1#y');
    // Forms the parser accepts but a person would not read as the same link come back normalised, never raw.
    expect(allowedExternalUrl('https:help.openai.com/en')).toBe('https://help.openai.com/en');
    expect(allowedExternalUrl('https:\\\\help.openai.com\\en')).toBe('https://help.openai.com/en');
    expect(allowedExternalUrl('https://help.openai.com:443/a/../b')).toBe('https://help.openai.com/b');
  });

  it.each([
    ['a leading tab', '\thttps://help.openai.com/'],
    ['a leading space', ' https://help.openai.com/'],
    ['a newline inside', 'https://help.openai\n.com/'],
    ['a NUL', 'https://help.openai.com/\u0000'],
    ['a right-to-left override', 'https://help.openai.com/\u202Egnp.exe'],
    ['a zero-width space', 'https://help.openai.com/\u200B'],
    ['a byte order mark', '\uFEFFhttps://help.openai.com/'],
    ['credentials', 'https://user:pass@help.openai.com/'],
    ['a user name alone', 'https://evil@help.openai.com/'],
    ['a port', 'https://help.openai.com:8443/'],
    ['plain http', 'http://help.openai.com/'],
    ['another host', 'https://help.openai.com.evil.example/'],
    ['a path outside the prefix', 'https://chatgpt.com/auth/login'],
    ['a prefix look-alike', 'https://chatgpt.com/settingsX'],
    ['a dot-segment escape', 'https://chatgpt.com/settings/../auth'],
    ['an encoded dot-segment escape', 'https://chatgpt.com/settings/%2e%2e/auth'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a file: URL', 'file:///etc/passwd'],
    ['not a URL', 'help.openai.com'],
    ['an overlong URL', `https://help.openai.com/${'a'.repeat(3000)}`],
    ['a non-string', 42],
  ])('refuses %s', (_name, raw) => {
    expect(allowedExternalUrl(raw)).toBeNull();
    if (typeof raw === 'string') expect(isAllowedExternalUrl(raw)).toBe(false);
  });
});
