import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completeAuthorizationInBrowser } from '../../servers/auth/auth-server';
import { type StandIns, startStandIns } from '../../servers/stack';
import {
  type CoreFixture,
  createCoreFixture,
  modelsOfflineFetch,
  readTree,
  signInThroughBrowser,
  waitForOpened,
  waitForState,
} from '../../support/core-fixture';
import { ManualClock } from '../../support/manual-clock';

const API_KEY = 'sk-test-valid-key-0123456789abcdef';
const CLIENT_SECRET = 'very-secret-client-secret-42';
const LABEL = 'Acme Gateway';

let stack: StandIns;
let fx: CoreFixture;

beforeAll(async () => {
  stack = await startStandIns({
    auth: {
      users: [
        { email: 'alice@example.com', name: 'Alice Example' },
        { email: 'bob@example.com', name: 'Bob' },
      ],
      staticClients: [
        { client_id: 'gateway-public' },
        { client_id: 'gateway-confidential', client_secret: CLIENT_SECRET },
        { client_id: 'gateway-norefresh', refreshTokens: false, accessTokenTtl: 120 },
      ],
    },
    api: { apiKeys: [API_KEY] },
  });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  stack.auth.faults.reset();
  fx = await createCoreFixture(stack);
});
afterEach(async () => {
  await fx.dispose();
});

/** Plays the person through the custom provider's pages and lets the browser hit Loupe's callback. */
async function finishBrowserSignIn(fixture: CoreFixture, index: number, email = 'alice@example.com') {
  const url = await waitForOpened(fixture, index);
  const callback = await completeAuthorizationInBrowser(url, { email });
  await fetch(callback);
  return waitForState(fixture.core, (s) => s.signIn.phase === 'idle');
}

describe('API key accounts', () => {
  it('checks the key by listing models, stores it encrypted, and lists API-shape models', async () => {
    const result = await fx.run('accounts.addApiKey', { label: 'Work key', baseUrl: stack.endpoints.apiBase, apiKey: API_KEY });
    expect(result.ok).toBe(true);
    const state = await waitForState(fx.core, (s) => s.models.status === 'ready');
    expect(state.account).toMatchObject({ kind: 'api_key', label: 'Work key', status: 'signed_in', baseUrl: stack.endpoints.apiBase });
    expect(state.accounts).toHaveLength(1);
    expect(state.models.items.length).toBeGreaterThan(0);
    const files = await readTree(fx.dataDir);
    const snapshots = fx.states.map((s) => JSON.stringify(s)).join('\n');
    expect(snapshots).not.toContain(API_KEY);
    expect(fx.logs.join('\n')).not.toContain(API_KEY);
    for (const f of files) expect(f.content.includes(API_KEY), f.path).toBe(false);
    expect(await fx.session.accessToken()).toBe(API_KEY);
  });

  it('a rejected key (401) saves nothing and says why', async () => {
    const result = await fx.run('accounts.addApiKey', { baseUrl: stack.endpoints.apiBase, apiKey: 'sk-test-wrong-key-000000' });
    expect(result.error?.code).toBe('invalid_api_key');
    expect(result.error?.message).toMatch(/rejected/);
    expect(fx.core.getState().accounts).toEqual([]);
    const files = await readTree(fx.dataDir);
    for (const f of files) expect(f.content.includes('sk-test-wrong-key-000000')).toBe(false);
  });

  it('a server that is down saves nothing and says so', async () => {
    const result = await fx.run('accounts.addApiKey', { baseUrl: 'http://127.0.0.1:9/v1', apiKey: API_KEY });
    expect(result.error).toMatchObject({ code: 'network_error', retryable: true });
    expect(fx.core.getState().accounts).toEqual([]);
  });

  it('refuses plain http to anything but loopback', async () => {
    const result = await fx.run('accounts.addApiKey', { baseUrl: 'http://llm.example.com/v1', apiKey: API_KEY });
    expect(result.error?.code).toBe('invalid_provider');
  });
});

describe('custom OAuth providers', () => {
  const base = () => ({ issuer: stack.endpoints.issuer, apiBase: stack.endpoints.apiBase });

  it('plain OAuth 2.0 (no openid): signs in without an ID token and lists models', async () => {
    const started = await fx.run('accounts.addCustom', { label: 'Gateway', clientId: 'gateway-public', scopes: 'offline_access api', ...base() });
    expect(started.ok).toBe(true);
    const url = new URL(await waitForOpened(fx, 1));
    expect(url.searchParams.get('client_id')).toBe('gateway-public');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.has('nonce')).toBe(false);
    expect(url.searchParams.has('resource')).toBe(false);
    const state = await finishBrowserSignIn(fx, 1);
    expect(state.signIn.error).toBeNull();
    expect(state.account).toMatchObject({ kind: 'custom', label: 'Gateway', status: 'signed_in', canRefresh: true, email: null });
    await waitForState(fx.core, (s) => s.models.status === 'ready' && s.models.items.length > 0);
    expect((await fx.run('auth.refreshNow')).ok).toBe(true);
  });

  it('OIDC mode: validates the ID token and shows who signed in', async () => {
    await fx.run('accounts.addCustom', {
      label: 'Gateway OIDC',
      clientId: 'gateway-public',
      scopes: 'openid email profile offline_access',
      ...base(),
    });
    const url = new URL(await waitForOpened(fx, 1));
    expect(url.searchParams.get('nonce')).toBeTruthy();
    const state = await finishBrowserSignIn(fx, 1);
    expect(state.account).toMatchObject({ kind: 'custom', status: 'signed_in', email: 'alice@example.com' });
  });

  it('rejects a forged ID token from a custom provider', async () => {
    stack.auth.faults.mutateTokenResponse(async (body, ctx) => ({
      ...body,
      id_token: await stack.auth.signIdToken(ctx.idTokenClaims!, { key: 'rogue' }),
    }));
    await fx.run('accounts.addCustom', { label: 'Gateway OIDC', clientId: 'gateway-public', scopes: 'openid email', ...base() });
    const state = await finishBrowserSignIn(fx, 1);
    expect(state.signIn.error?.code).toBe('invalid_id_token');
    expect(state.accounts.find((a) => a.label === 'Gateway OIDC')?.status).toBe('signed_out');
  });

  it('works with explicit endpoints instead of discovery', async () => {
    const issuer = stack.endpoints.issuer;
    const started = await fx.run('accounts.addCustom', {
      label: 'No discovery',
      authorizationEndpoint: `${issuer}/api/accounts/authorize`,
      tokenEndpoint: `${issuer}/api/accounts/oauth/token`,
      revocationEndpoint: `${issuer}/api/accounts/oauth/revoke`,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      clientId: 'gateway-public',
      scopes: 'openid email offline_access',
      apiBase: stack.endpoints.apiBase,
    });
    expect(started.ok).toBe(true);
    const discoveryBefore = stack.auth.requests.filter((r) => r.endpoint === 'discovery').length;
    const state = await finishBrowserSignIn(fx, 1);
    expect(state.account).toMatchObject({ kind: 'custom', status: 'signed_in', email: 'alice@example.com' });
    expect(stack.auth.requests.filter((r) => r.endpoint === 'discovery').length).toBe(discoveryBefore);
    expect(await fx.run('auth.signOut')).toMatchObject({ ok: true, value: { revoked: true } });
  });

  it('a confidential client authenticates with its secret, which never leaves the vault', async () => {
    await fx.run('accounts.addCustom', {
      label: 'Confidential',
      clientId: 'gateway-confidential',
      clientSecret: CLIENT_SECRET,
      scopes: 'openid offline_access',
      ...base(),
    });
    const state = await finishBrowserSignIn(fx, 1);
    expect(state.account.status).toBe('signed_in');
    // client_secret_basic: the secret travels in the Authorization header, never in the form body.
    const exchange = stack.auth.requests.filter((r) => r.endpoint === 'token').at(-1)!;
    expect(exchange.params.client_secret).toBeUndefined();
    expect(exchange.params.grant_type).toBe('authorization_code');
    expect((await fx.run('auth.refreshNow')).ok).toBe(true);
    expect(await fx.run('auth.signOut')).toMatchObject({ ok: true, value: { revoked: true } });
    const files = await readTree(fx.dataDir);
    const snapshots = fx.states.map((s) => JSON.stringify(s)).join('\n');
    expect(snapshots).not.toContain(CLIENT_SECRET);
    expect(fx.logs.join('\n')).not.toContain(CLIENT_SECRET);
    for (const f of files) expect(f.content.includes(CLIENT_SECRET), f.path).toBe(false);
  });

  it('a wrong client secret is reported as a configuration problem', async () => {
    await fx.run('accounts.addCustom', {
      label: 'Confidential',
      clientId: 'gateway-confidential',
      clientSecret: 'nope',
      scopes: 'openid',
      ...base(),
    });
    const state = await finishBrowserSignIn(fx, 1);
    expect(state.signIn.error?.code).toBe('invalid_client');
  });

  it('without refresh tokens, expiry moves the account to needs sign-in at the right time', async () => {
    const clock = new ManualClock();
    const local = await createCoreFixture(stack, { clock });
    try {
      await local.run('accounts.addCustom', { label: 'Short', clientId: 'gateway-norefresh', scopes: 'openid offline_access', ...base() });
      const state = await finishBrowserSignIn(local, 1);
      expect(state.account).toMatchObject({ status: 'signed_in', canRefresh: false });
      clock.advance(60_000);
      expect(local.core.getState().account.status).toBe('signed_in');
      clock.advance(61_000);
      const expired = await waitForState(local.core, (s) => s.account.status === 'needs_sign_in');
      expect(expired.account.problem?.code).toBe('session_expired');
    } finally {
      await local.dispose();
    }
  });

  it.each([
    ['a non-loopback http issuer', { issuer: 'http://login.example.com', apiBase: 'https://llm.example.com/v1' }],
    ['a non-loopback http API base', { issuer: 'https://login.example.com', apiBase: 'http://llm.example.com/v1' }],
    ['neither issuer nor endpoints', { apiBase: 'https://llm.example.com/v1' }],
  ])('refuses %s', async (_name, urls) => {
    const result = await fx.run('accounts.addCustom', { label: 'Bad', clientId: 'x', scopes: 'openid', ...urls });
    expect(result.error?.code).toBe('invalid_provider');
    expect(fx.core.getState().accounts).toEqual([]);
  });
});

describe('models per account', () => {
  it('keeps the last good list with its time when the server is unreachable, and honours vision overrides', async () => {
    let offline = false;
    const local = await createCoreFixture(stack, {
      deps: { fetch: modelsOfflineFetch(() => offline) },
    });
    try {
      await local.run('accounts.addApiKey', { baseUrl: stack.endpoints.apiBase, apiKey: API_KEY });
      const ready = await waitForState(local.core, (s) => s.models.status === 'ready');
      const fetchedAt = ready.models.fetchedAt;
      expect(ready.models.items.length).toBeGreaterThan(1);
      offline = true;
      await local.run('models.refresh');
      const state = local.core.getState().models;
      expect(state.status).toBe('error');
      expect(state.error?.code).toBe('network_error');
      expect(state.items).toEqual(ready.models.items);
      expect(state.fetchedAt).toBe(fetchedAt);

      const target = state.items.find((m) => m.visionSource !== 'server') ?? state.items[0]!;
      await local.run('models.setVision', { slug: target.slug, vision: !target.vision });
      expect(local.core.getState().models.items.find((m) => m.slug === target.slug)).toMatchObject({
        vision: !target.vision,
        visionSource: 'override',
      });
      await local.restart();
      expect(local.core.getState().models.items.find((m) => m.slug === target.slug)?.visionSource).toBe('override');
      await local.run('models.setVision', { slug: target.slug, vision: null });
      expect(local.core.getState().models.items.find((m) => m.slug === target.slug)?.visionSource).not.toBe('override');
    } finally {
      await local.dispose();
    }
  });

  it('a new account while another account’s list is still arriving gets its own list', async () => {
    // The ChatGPT account's list request is held at the door until the API key is in.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    let holdOne = true;
    const keyLists: string[] = [];
    const holdingFetch: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      const bearer = new Headers(init?.headers).get('authorization') ?? '';
      if (url.endsWith('/models') && bearer === `Bearer ${API_KEY}`) keyLists.push(url);
      if (holdOne && url.endsWith('/models') && bearer !== `Bearer ${API_KEY}`) {
        holdOne = false;
        held();
        await released;
      }
      return fetch(input, init);
    };
    const local = await createCoreFixture(stack, { deps: { fetch: holdingFetch } });
    try {
      await signInThroughBrowser(local);
      await holding;
      expect((await local.run('accounts.addApiKey', { label: 'Key', baseUrl: stack.endpoints.apiBase, apiKey: API_KEY })).ok).toBe(true);
      // The key's check listed its models once; its own list comes after the held one.
      expect(keyLists).toHaveLength(1);
      release();
      const state = await waitForState(local.core, (s) => s.account.kind === 'api_key' && s.models.status === 'ready' && s.models.selected !== null);
      expect(state.models.items.length).toBeGreaterThan(1);
      expect(keyLists).toHaveLength(2);
    } finally {
      release();
      await local.dispose();
    }
  });
});

describe('several accounts', () => {
  it('two ChatGPT accounts side by side, each with its own registration and expiry; switching follows', async () => {
    const clock = new ManualClock();
    const local = await createCoreFixture(stack, { clock });
    try {
      const first = await signInThroughBrowser(local, { email: 'alice@example.com' });
      expect(first.state.account.email).toBe('alice@example.com');
      const before = local.core.getState().account;
      // The second sign-in a minute later: its tokens expire a minute later than the first's.
      clock.advance(60_000);
      const second = await signInThroughBrowser(local, { email: 'bob@example.com' }, { newChatGptAccount: true } as never);
      expect(second.authorizeUrl.searchParams.get('client_id')).toBe('dynamic_agent_client');
      expect(second.state.account.email).toBe('bob@example.com');
      const accounts = local.core.getState().accounts;
      expect(accounts.map((a) => a.email).sort()).toEqual(['alice@example.com', 'bob@example.com']);
      const alice = accounts.find((a) => a.email === 'alice@example.com')!;
      const bob = accounts.find((a) => a.email === 'bob@example.com')!;
      expect(alice.expiresAt).toBe(before.expiresAt);
      expect(bob.expiresAt).not.toBe(alice.expiresAt);
      expect(bob.active).toBe(true);
      expect(new Set(stack.auth.clients().map((c) => c.clientId)).size).toBeGreaterThanOrEqual(2);

      expect((await local.run('accounts.switch', { accountId: alice.id })).ok).toBe(true);
      expect(local.core.getState().account.email).toBe('alice@example.com');
      const token = await local.session.accessToken();
      expect((await stack.auth.verifyAccessToken(token))?.sub).not.toBe(
        (
          await stack.auth.verifyAccessToken(
            await (async () => {
              await local.run('accounts.switch', { accountId: bob.id });
              return local.session.accessToken();
            })(),
          )
        )?.sub,
      );
    } finally {
      await local.dispose();
    }
  });

  it('a new ChatGPT sign-in that fails leaves the active account untouched', async () => {
    await signInThroughBrowser(fx, { email: 'alice@example.com' });
    stack.auth.faults.mutateTokenResponse(async (body, ctx) => ({
      ...body,
      id_token: await stack.auth.signIdToken({ ...ctx.idTokenClaims!, nonce: 'x' }),
    }));
    const { state } = await signInThroughBrowser(fx, { email: 'bob@example.com' }, { newChatGptAccount: true } as never);
    expect(state.signIn.error?.code).toBe('invalid_id_token');
    expect(state.account.email).toBe('alice@example.com');
    expect(state.accounts).toHaveLength(1);
  });

  it('forget deletes the registration; sign out keeps it', async () => {
    await signInThroughBrowser(fx);
    await fx.run('accounts.addApiKey', { baseUrl: stack.endpoints.apiBase, apiKey: API_KEY, label: 'Key' });
    const chatgpt = fx.core.getState().accounts.find((a) => a.kind === 'chatgpt')!;
    await fx.run('auth.signOut', { accountId: chatgpt.id });
    expect(fx.core.getState().accounts.find((a) => a.id === chatgpt.id)?.status).toBe('signed_out');
    expect((await fx.run('accounts.forget', { accountId: chatgpt.id })).ok).toBe(true);
    expect(fx.core.getState().accounts.map((a) => a.kind)).toEqual(['api_key']);
  });
});

/** Adds a custom provider named LABEL and signs in to it through its pages. */
async function signInToGateway(fixture: CoreFixture, clientId = 'gateway-public', scopes = 'openid email offline_access') {
  const started = await fixture.run('accounts.addCustom', {
    label: LABEL,
    clientId,
    scopes,
    issuer: stack.endpoints.issuer,
    apiBase: stack.endpoints.apiBase,
  });
  expect(started.ok).toBe(true);
  const state = await finishBrowserSignIn(fixture, 1);
  expect(state.account).toMatchObject({ kind: 'custom', label: LABEL, status: 'signed_in' });
}

/** The words are the provider's: its name, and never ChatGPT's. */
function expectProviderWords(message: string | undefined) {
  expect(message).toContain(LABEL);
  expect(message).not.toMatch(/ChatGPT/);
}

/**
 * A custom provider's session speaks of that provider, never of ChatGPT: a grant the provider
 * ended, a session that ran out, a renewal verified as someone else. A ChatGPT account keeps its words.
 */
describe("a custom provider's session names its provider", () => {
  it('a grant the provider revoked: the refresh, the account and the next API call say so in its name', async () => {
    await signInToGateway(fx);
    await stack.auth.revokeAllForUser('alice@example.com');
    const result = await fx.run('auth.refreshNow');
    expect(result.error?.code).toBe('invalid_grant');
    expectProviderWords(result.error?.message);
    const account = fx.core.getState().account;
    expect(account).toMatchObject({ status: 'needs_sign_in', problem: { code: 'invalid_grant' } });
    expectProviderWords(account.problem?.message);
    await expect(fx.session.accessToken()).rejects.toMatchObject({ code: 'invalid_grant', message: account.problem?.message });
  });

  it.each(['refresh_token_reused', 'refresh_token_invalidated', 'refresh_token_expired', 'token_expired', 'invalid_scope'])(
    'a refresh refused with %s ends the session in the provider’s name',
    async (code) => {
      await signInToGateway(fx);
      stack.auth.faults.tokenStatus(400, { error: code }, 1, 'refresh_token');
      const result = await fx.run('auth.refreshNow');
      expect(result.error?.code).toBe(code);
      expectProviderWords(result.error?.message);
      expect(fx.core.getState().account.status).toBe('needs_sign_in');
    },
  );

  it('a renewal verified as another person is refused in the provider’s name', async () => {
    await signInToGateway(fx);
    stack.auth.faults.mutateTokenResponse(async (body, ctx) => {
      expect(ctx.idTokenClaims, 'the stand-in sends an ID token on refresh for openid clients').toBeDefined();
      return { ...body, id_token: await stack.auth.signIdToken({ ...ctx.idTokenClaims!, sub: 'someone-else' }) };
    });
    const result = await fx.run('auth.refreshNow');
    expect(result.error?.code).toBe('account_mismatch');
    expectProviderWords(result.error?.message);
    expect(fx.core.getState().account.status).toBe('needs_sign_in');
  });

  it('a session without a refresh token that runs out names its provider', async () => {
    const clock = new ManualClock();
    const local = await createCoreFixture(stack, { clock });
    try {
      await signInToGateway(local, 'gateway-norefresh', 'openid offline_access');
      clock.advance(121_000);
      const expired = await waitForState(local.core, (s) => s.account.status === 'needs_sign_in');
      expect(expired.account.problem?.code).toBe('session_expired');
      expectProviderWords(expired.account.problem?.message);
    } finally {
      await local.dispose();
    }
  });

  it('a ChatGPT account keeps speaking of ChatGPT', async () => {
    await signInThroughBrowser(fx);
    await stack.auth.revokeAllForUser('alice@example.com');
    const result = await fx.run('auth.refreshNow');
    expect(result.error?.code).toBe('refresh_token_invalidated');
    expect(result.error?.message).toBe('Loupe was disconnected from your ChatGPT account (for example in ChatGPT settings). Please sign in again.');
  });
});
