/**
 * Issue #14, item 4: URLs are normalised before they are used. The system
 * browser only ever receives `new URL(input).href` of an allowed page, and
 * provider endpoints, API bases and issuers carrying credentials are refused.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodeDeps } from '../support/node-deps';
import { createNodeCipher } from '../support/node-cipher';
import { openJsonFileStore } from '../../electron/core/kernel/json-file-store';
import { Vault } from '../../electron/core/accounts/vault/vault';
import { resolveEndpoints } from '../../electron/core/oauth/endpoints';
import { checkProviderUrl } from '../../electron/core/oauth/provider-config';
import { dispatchCommand } from '../../electron/core/kernel/dispatch';
import { LoupeError } from '../../electron/core/kernel/errors';
import { allowedExternalUrl, isAllowedExternalUrl } from '../../electron/core/kernel/external-links';
import { type Core, createCore } from '../../electron/core/index';

let dir: string;
let core: Core;
const opened: string[] = [];
const fetched: string[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-urls-'));
  opened.length = 0;
  fetched.length = 0;
  core = await createCore(
    createNodeDeps(dir, {
      openExternal: async (url) => void opened.push(url),
      // Nothing here may reach the network: a refused URL must be refused before any request.
      fetch: async (input) => {
        fetched.push(String(input instanceof Request ? input.url : input));
        throw new TypeError('fetch failed');
      },
    }),
  );
});
afterEach(async () => {
  await core.dispose();
  await rm(dir, { recursive: true, force: true });
});

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

describe('app.openExternal', () => {
  it('hands the adapter the normalised href, never the raw string', async () => {
    for (const raw of ['https:help.openai.com/en', 'HTTPS://HELP.OPENAI.COM/en', 'https://help.openai.com/a b'.replace(' ', '%20')]) {
      const result = await dispatchCommand(core, 'app.openExternal', structuredClone({ url: raw }));
      expect(result, raw).toEqual({ ok: true, value: undefined });
    }
    expect(opened).toEqual(['https://help.openai.com/en', 'https://help.openai.com/en', 'https://help.openai.com/a%20b']);
    for (const url of opened) expect(url).toBe(new URL(url).href);
  });

  it('refuses control characters, bidi overrides and credentials without calling the adapter', async () => {
    for (const raw of [
      '\thttps://help.openai.com/',
      'https://help.openai.com/\u0000',
      'https://help.openai.com/\u202Eexe',
      'https://a:b@help.openai.com/',
    ]) {
      const result = await dispatchCommand(core, 'app.openExternal', { url: raw });
      expect(result, JSON.stringify(raw)).toMatchObject({ ok: false, error: { code: 'not_allowed' } });
    }
    expect(opened).toEqual([]);
  });
});

describe('credentials in provider URLs', () => {
  it('checkProviderUrl refuses a user name or password, and unreadable characters', () => {
    for (const raw of [
      'https://user:secret@api.example.com/v1',
      'https://user@api.example.com/v1',
      'http://:secret@127.0.0.1:8080/v1',
      'https://api.example.com/\u202Ev1',
      'https://api.exa mple.com/',
    ]) {
      let error: unknown;
      try {
        checkProviderUrl(raw, 'API base URL');
      } catch (e) {
        error = e;
      }
      expect(error, raw).toBeInstanceOf(LoupeError);
      expect((error as LoupeError).code).toBe('invalid_provider');
      expect((error as LoupeError).message).not.toContain('secret');
    }
    expect(checkProviderUrl('https://api.example.com/v1', 'API base URL').href).toBe('https://api.example.com/v1');
  });

  it('accounts.addApiKey refuses a base URL with credentials before any request, and never echoes them', async () => {
    const result = await dispatchCommand(core, 'accounts.addApiKey', {
      baseUrl: 'https://me:hunter2@api.example.com/v1',
      apiKey: 'sk-test-0123456789abcdef',
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_provider' } });
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(fetched).toEqual([]);
    expect(JSON.stringify(core.getState())).not.toContain('hunter2');
  });

  it('accounts.addCustom refuses an issuer, endpoint or API base with credentials before saving anything', async () => {
    const base = { label: 'Corp', clientId: 'loupe', scopes: 'openid', apiBase: 'https://api.example.com/v1' };
    const cases = [
      { ...base, issuer: 'https://u:p4ss@idp.example.com' },
      { ...base, authorizationEndpoint: 'https://idp.example.com/authorize', tokenEndpoint: 'https://u:p4ss@idp.example.com/token' },
      { ...base, issuer: 'https://idp.example.com', apiBase: 'https://u:p4ss@api.example.com/v1' },
    ];
    for (const input of cases) {
      const result = await dispatchCommand(core, 'accounts.addCustom', input);
      expect(result, JSON.stringify(input)).toMatchObject({ ok: false, error: { code: 'invalid_provider' } });
      expect(JSON.stringify(result)).not.toContain('p4ss');
    }
    expect(core.getState().accounts ?? []).toHaveLength(0);
    expect(fetched).toEqual([]);
  });

  it('development endpoint overrides with credentials are refused without quoting them', () => {
    for (const overrides of [{ issuer: 'https://u:s3cret@auth.example.com' }, { apiBase: 'http://u:s3cret@127.0.0.1:9/v1' }]) {
      let error: unknown;
      try {
        resolveEndpoints(overrides, { dev: true });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LoupeError);
      expect((error as LoupeError).message).not.toContain('s3cret');
    }
  });
});

describe('an API base saved with credentials before they were refused', () => {
  it('is never shown back with them', async () => {
    const key = Buffer.alloc(32, 7);
    const cipher = () => createNodeCipher({ key });
    const deps = () =>
      createNodeDeps(dir, {
        cipher: cipher(),
        openExternal: async () => {},
        fetch: async () => {
          throw new TypeError('fetch failed');
        },
      });
    await core.dispose();
    const vault = await Vault.open({
      now: () => 1_767_225_600_000,
      cipher: cipher(),
      store: (await openJsonFileStore(join(dir, 'vault.json'), () => 1_767_225_600_000)).store,
      allowWeakStorage: false,
      log: { info() {}, warn() {}, error() {} },
    });
    await vault.update((data) => ({
      ...data,
      accounts: [
        {
          id: 'old',
          kind: 'api_key',
          label: 'Old key',
          createdAt: 0,
          baseUrl: 'https://me:hunter2@api.example.com/v1',
          apiKey: 'sk-old-0123456789abcdef',
          useChatCompletions: false,
        },
      ],
      activeAccountId: 'old',
    }));
    core = await createCore(deps());
    const state = core.getState();
    expect(state.account.baseUrl).toBe('https://api.example.com/v1');
    expect(JSON.stringify(state)).not.toContain('hunter2');
  });
});
