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
import { dispatchCommand } from '../../electron/core/kernel/dispatch';
import { LoupeError } from '../../electron/core/kernel/errors';
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
