/**
 * Issue #10 item 8: a renderer cannot send tokens or photos elsewhere without
 * the person. Saving an API key for a non-OpenAI base URL, or a custom OAuth
 * provider, asks in a main-process dialog (CoreDeps.confirm) that names the
 * origins; custom issuers and endpoints on OpenAI's or ChatGPT's domains are
 * refused; the custom provider's authorize URL opens only after the yes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConfirmOptions } from '../../../electron/core/kernel/deps';
import { type StandIns, startStandIns } from '../../servers/stack';
import { recordingConfirm } from '../../support/confirm';
import { type CoreFixture, createCoreFixture, waitForOpened } from '../../support/core-fixture';
import { netFetchFailing } from '../../support/net-fetch';

const API_KEY = 'sk-test-valid-key-0123456789abcdef';
let stack: StandIns;
const fixtures: CoreFixture[] = [];

beforeAll(async () => {
  stack = await startStandIns({ auth: { staticClients: [{ client_id: 'gateway-public' }] }, api: { apiKeys: [API_KEY] } });
});
afterAll(async () => {
  await stack.close();
});
afterEach(async () => {
  while (fixtures.length) await fixtures.pop()!.dispose();
});

async function withConfirm(answer: (o: ConfirmOptions) => boolean, extra: Parameters<typeof createCoreFixture>[1] = {}) {
  const confirm = recordingConfirm(answer);
  const fx = await createCoreFixture(stack, { ...extra, deps: { ...extra.deps, confirm } });
  fixtures.push(fx);
  return { fx, confirm };
}

const apiRequests = () => stack.api.requests.length;

describe('API keys for another server', () => {
  it('declined: nothing saved and the key never leaves Loupe', async () => {
    const { fx, confirm } = await withConfirm(() => false);
    const before = apiRequests();
    const result = await fx.run('accounts.addApiKey', { baseUrl: stack.endpoints.apiBase, apiKey: API_KEY });
    expect(result.error?.code).toBe('not_confirmed');
    expect(confirm.asked).toHaveLength(1);
    expect(confirm.asked[0]!.origins).toEqual([new URL(stack.endpoints.apiBase).origin]);
    expect(confirm.asked[0]!.message).toContain(new URL(stack.endpoints.apiBase).origin);
    expect(apiRequests()).toBe(before);
    expect(fx.core.getState().accounts).toHaveLength(0);
  });

  it('confirmed: the key is checked and saved', async () => {
    const { fx, confirm } = await withConfirm(() => true);
    expect((await fx.run('accounts.addApiKey', { baseUrl: stack.endpoints.apiBase, apiKey: API_KEY })).ok).toBe(true);
    expect(confirm.asked).toHaveLength(1);
    expect(fx.core.getState().accounts).toHaveLength(1);
  });

  it("OpenAI's own API needs no confirmation", async () => {
    const { fx, confirm } = await withConfirm(() => false, { deps: { fetch: netFetchFailing((u) => u.startsWith('https://api.openai.com/')) } });
    const result = await fx.run('accounts.addApiKey', { apiKey: API_KEY });
    expect(confirm.asked).toHaveLength(0);
    expect(result.error?.code).not.toBe('not_confirmed');
  });
});

describe('custom OAuth providers', () => {
  const provider = () => ({
    label: 'Gateway',
    clientId: 'gateway-public',
    scopes: 'offline_access api',
    issuer: stack.endpoints.issuer,
    apiBase: stack.endpoints.apiBase,
  });

  it('declined: nothing saved, no browser opened', async () => {
    const { fx, confirm } = await withConfirm(() => false);
    const result = await fx.run('accounts.addCustom', provider());
    expect(result.error?.code).toBe('not_confirmed');
    expect(confirm.asked[0]!.origins).toEqual([new URL(stack.endpoints.issuer).origin, new URL(stack.endpoints.apiBase).origin]);
    expect(fx.opened).toHaveLength(0);
    expect(fx.core.getState().accounts).toHaveLength(0);
    expect(fx.core.getState().signIn.phase).toBe('idle');
  });

  it('the authorize URL opens only after the confirmation', async () => {
    let openedWhenAsked = -1;
    const { fx } = await withConfirm(() => {
      openedWhenAsked = fixtures.at(-1)!.opened.length;
      return true;
    });
    expect((await fx.run('accounts.addCustom', provider())).ok).toBe(true);
    expect(openedWhenAsked).toBe(0);
    expect(new URL(await waitForOpened(fx, 1)).searchParams.get('client_id')).toBe('gateway-public');
  });

  it.each([
    ['issuer', { issuer: 'https://auth.openai.com' }],
    ['issuer (ChatGPT)', { issuer: 'https://chatgpt.com' }],
    [
      'token endpoint',
      { issuer: undefined, authorizationEndpoint: 'https://login.example.com/authorize', tokenEndpoint: 'https://auth.openai.com/oauth/token' },
    ],
    [
      'authorization endpoint',
      { issuer: undefined, authorizationEndpoint: 'https://chat.openai.com/authorize', tokenEndpoint: 'https://login.example.com/token' },
    ],
    ['JWKS URL', { jwksUri: 'https://AUTH.OPENAI.COM./jwks' }],
  ])('refuses a %s on OpenAI’s or ChatGPT’s domains, before asking', async (_name, change) => {
    const { fx, confirm } = await withConfirm(() => true);
    const result = await fx.run('accounts.addCustom', { ...provider(), ...change });
    expect(result.error?.code).toBe('openai_domain_refused');
    expect(confirm.asked).toHaveLength(0);
    expect(fx.core.getState().accounts).toHaveLength(0);
    expect(fx.opened).toHaveLength(0);
  });
});

describe('a custom provider on OpenAI’s domains saved before the rule', () => {
  it('is refused at sign-in: no browser opens', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { randomBytes } = await import('node:crypto');
    const { Vault } = await import('../../../electron/core/accounts/vault/vault');
    const { AccountRepository } = await import('../../../electron/core/accounts/repository');
    const { openJsonFileStore } = await import('../../../electron/core/kernel/json-file-store');
    const { createNodeCipher } = await import('../../support/node-cipher');
    const dataDir = await mkdtemp(join(tmpdir(), 'loupe-legacy-'));
    const key = randomBytes(32);
    try {
      const vault = await Vault.open({
        now: () => 1_767_225_600_000,
        cipher: createNodeCipher({ key }),
        store: (await openJsonFileStore(join(dataDir, 'vault.json'), () => 1_767_225_600_000)).store,
        allowWeakStorage: false,
        log: { info() {}, warn() {}, error() {} },
      });
      await new AccountRepository(vault).add(
        {
          id: 'legacy',
          kind: 'custom',
          label: 'Legacy',
          provider: {
            issuer: 'https://auth.openai.com',
            clientId: 'x',
            clientAuthMethod: 'none',
            scopes: ['openid'],
            extraParams: {},
            apiBase: 'https://llm.example.com/v1',
            useChatCompletions: false,
          },
          subject: null,
          email: null,
          name: null,
          registeredAt: 0,
          lastRefreshAt: null,
        },
        { activate: true },
      );
      const fx = await createCoreFixture(stack, { dataDir, cipherKey: key });
      try {
        const result = await fx.run('auth.signIn', { accountId: 'legacy' });
        expect(result.error?.code).toBe('openai_domain_refused');
        expect(fx.opened).toHaveLength(0);
      } finally {
        await fx.dispose();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
