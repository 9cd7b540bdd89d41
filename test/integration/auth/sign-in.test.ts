import { createServer } from 'node:net';
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SIWC_SCOPE, completeAuthorizationInBrowser } from '../../servers/auth/auth-server';
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

let stack: StandIns;
let fx: CoreFixture;
let codeCallsBefore = 0;
let apiRequestsBefore = 0;

beforeAll(async () => {
  stack = await startStandIns();
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  stack.auth.faults.reset();
  stack.api.faults.reset();
  fx = await createCoreFixture(stack, { options: { signInTimeoutMs: 60_000 } });
  codeCallsBefore = stack.auth.tokenCalls('authorization_code');
  apiRequestsBefore = stack.api.requests.length;
});
afterEach(async () => {
  await fx.dispose();
});

/** Code exchanges made by this test. */
const tokenCalls = () => stack.auth.tokenCalls('authorization_code') - codeCallsBefore;

describe('Continue with ChatGPT', () => {
  it('signs in end to end: registration, tokens, identity, models', async () => {
    const { authorizeUrl, callback, page, state } = await signInThroughBrowser(fx);

    const q = authorizeUrl.searchParams;
    expect(q.get('client_id')).toBe('dynamic_agent_client');
    expect(q.get('agent_name_hint')).toBe('Loupe');
    expect(q.get('ext_agent_host_id')).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(q.get('scope')).toBe(SIWC_SCOPE);
    expect(q.get('resource')).toBe('https://api.openai.com/v1');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('response_type')).toBe('code');
    expect(q.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/callback$/);
    expect(q.has('prompt')).toBe(false);
    expect(q.has('id_token_hint')).toBe(false);
    expect(callback.searchParams.get('client_id')).toMatch(/^oaiapp_/);
    expect(page.status).toBe(200);

    expect(state.signIn.error).toBeNull();
    expect(state.account).toMatchObject({
      status: 'signed_in',
      email: 'alice@example.com',
      name: 'Alice Example',
      planUsage: true,
      showPlanWelcome: true,
    });
    expect(state.account.expiresAt).toBeGreaterThan(Date.now() + 3_000_000);

    // The exchange used the issued client id, the byte-identical redirect URI and the resource indicator.
    const exchange = stack.auth.requests.filter((r) => r.endpoint === 'token').at(-1)!;
    expect(exchange.params.client_id).toBe(callback.searchParams.get('client_id'));
    expect(exchange.params.redirect_uri).toBe(q.get('redirect_uri'));
    expect(exchange.params.resource).toBe('https://api.openai.com/v1');

    const models = await waitForState(fx.core, (s) => s.models.status === 'ready');
    expect(models.models.items.length).toBeGreaterThan(0);
    expect(models.models.items.map((m) => m.slug)).not.toContain('gpt-internal-preview');
    const modelsRequest = stack.api.requests.find((r) => r.path.endsWith('/models'));
    expect(modelsRequest?.auth).toBe('oauth');
  });

  it('keeps every token out of the data dir files, AppState and the renderer', async () => {
    await signInThroughBrowser(fx);
    await waitForState(fx.core, (s) => s.models.status === 'ready');
    await fx.run('auth.refreshNow');
    expect(fx.secrets.size).toBeGreaterThanOrEqual(6);
    const files = await readTree(fx.dataDir);
    expect(files.map((f) => f.path).some((p) => p.endsWith('vault.json'))).toBe(true);
    const snapshots = fx.states.map((s) => JSON.stringify(s)).join('\n');
    const logs = fx.logs.join('\n');
    expect(fx.logs.length).toBeGreaterThan(0);
    for (const secret of fx.secrets) {
      expect(snapshots.includes(secret), 'a token reached AppState').toBe(false);
      expect(logs.includes(secret), 'a token reached the log').toBe(false);
      for (const file of files) expect(file.content.includes(secret), `a token reached ${file.path}`).toBe(false);
    }
  });

  it('reuses the issued client id on the next sign-in to the same account', async () => {
    const first = await signInThroughBrowser(fx);
    const issued = first.callback.searchParams.get('client_id');
    expect((await fx.run('auth.signOut')).ok).toBe(true);
    const second = await signInThroughBrowser(fx);
    const q = second.authorizeUrl.searchParams;
    expect(q.get('client_id')).toBe(issued);
    expect(q.has('agent_name_hint')).toBe(false);
    expect(q.get('ext_agent_host_id')).toBe(first.authorizeUrl.searchParams.get('ext_agent_host_id'));
    expect(q.get('login_hint')).toBe('alice@example.com');
    expect(second.callback.searchParams.has('client_id')).toBe(false);
    expect(second.state.account.status).toBe('signed_in');
    expect(stack.auth.clients().filter((c) => c.clientId === issued)).toHaveLength(1);
  });

  it('a callback with the wrong state gets 400 and the attempt keeps waiting', async () => {
    await fx.run('auth.signIn');
    const url = await waitForOpened(fx, 1);
    const callback = await completeAuthorizationInBrowser(url);
    const forged = new URL(callback);
    forged.searchParams.set('state', 'x'.repeat(43));
    expect((await fetch(forged)).status).toBe(400);
    expect(fx.core.getState().signIn.phase).toBe('waiting');
    expect(tokenCalls()).toBe(0);
    await fetch(callback);
    const state = await waitForState(fx.core, (s) => s.signIn.phase === 'idle');
    expect(state.account.status).toBe('signed_in');
  });

  it('a wrong Host header gets 404 and the attempt keeps waiting', async () => {
    await fx.run('auth.signIn');
    const url = await waitForOpened(fx, 1);
    const callback = await completeAuthorizationInBrowser(url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: callback.port, path: callback.pathname + callback.search, headers: { host: `localhost:${callback.port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(404);
    expect(fx.core.getState().signIn.phase).toBe('waiting');
    await fetch(callback);
    expect((await waitForState(fx.core, (s) => s.signIn.phase === 'idle')).account.status).toBe('signed_in');
  });

  it('a replayed callback is refused and nothing is exchanged twice', async () => {
    const { callback } = await signInThroughBrowser(fx);
    expect(tokenCalls()).toBe(1);
    const replay = await fetch(callback).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(replay === 'refused' || replay === 404 || replay === 410).toBe(true);
    expect(tokenCalls()).toBe(1);
  });

  it('rejects a callback whose iss is not the issuer (RFC 9207), without a token request', async () => {
    stack.auth.faults.mutateCallback((u) => {
      u.searchParams.set('iss', 'http://127.0.0.1:1/evil');
      return u;
    });
    const { state } = await signInThroughBrowser(fx);
    expect(state.signIn.error?.code).toBe('invalid_callback');
    expect(state.account.status).toBe('signed_out');
    expect(tokenCalls()).toBe(0);
  });

  it('a first registration without an issued client id is incomplete: no token request', async () => {
    stack.auth.faults.mutateCallback((u) => {
      u.searchParams.delete('client_id');
      return u;
    });
    const { state } = await signInThroughBrowser(fx);
    expect(state.signIn.error?.code).toBe('registration_incomplete');
    expect(tokenCalls()).toBe(0);
  });

  it('never accepts dynamic_agent_client as the issued id', async () => {
    stack.auth.faults.mutateCallback((u) => {
      u.searchParams.set('client_id', 'dynamic_agent_client');
      return u;
    });
    const { state } = await signInThroughBrowser(fx);
    expect(state.signIn.error?.code).toBe('invalid_callback');
    expect(tokenCalls()).toBe(0);
  });

  it('a re-sign-in answered for another client id is rejected and changes nothing', async () => {
    const first = await signInThroughBrowser(fx);
    await fx.run('auth.signOut');
    stack.auth.faults.mutateCallback((u) => {
      u.searchParams.set('client_id', 'oaiapp_someoneelse');
      return u;
    });
    const { state, authorizeUrl } = await signInThroughBrowser(fx);
    expect(state.signIn.error?.code).toBe('client_mismatch');
    expect(authorizeUrl.searchParams.get('client_id')).toBe(first.callback.searchParams.get('client_id'));
    expect(state.account.email).toBe('alice@example.com');
  });

  it('a re-sign-in as a different person is account_mismatch and keeps the old account', async () => {
    const other = await startStandIns({ auth: { users: [{ email: 'alice@example.com' }, { email: 'bob@example.com', name: 'Bob' }] } });
    const local = await createCoreFixture(other);
    try {
      await signInThroughBrowser(local, { email: 'alice@example.com' });
      await local.run('auth.signOut');
      const { state } = await signInThroughBrowser(local, { email: 'bob@example.com' });
      expect(state.signIn.error?.code).toBe('account_mismatch');
      expect(state.account.email).toBe('alice@example.com');
      expect(state.account.status).toBe('signed_out');
    } finally {
      await local.dispose();
      await other.close();
    }
  });

  const forged: Array<[string, (claims: Record<string, unknown>) => Record<string, unknown>, { key?: 'rogue'; alg?: 'HS256' | 'none' }]> = [
    ['a wrong nonce', (c) => ({ ...c, nonce: 'not-the-nonce' }), {}],
    ['a wrong audience', (c) => ({ ...c, aud: ['oaiapp_other'] }), {}],
    ['two audiences without azp', (c) => ({ ...c, aud: [...(c.aud as string[]), 'oaiapp_other'] }), {}],
    ['a wrong issuer', (c) => ({ ...c, iss: 'http://127.0.0.1:1' }), {}],
    ['an expired token', (c) => ({ ...c, exp: Math.floor(Date.now() / 1000) - 10 }), {}],
    ['a signature by an unknown key', (c) => c, { key: 'rogue' }],
    ['an HS256 signature', (c) => c, { alg: 'HS256' }],
    ['alg none', (c) => c, { alg: 'none' }],
  ];
  it.each(forged)('rejects an ID token with %s', async (_name, change, signing) => {
    stack.auth.faults.mutateTokenResponse(async (body, ctx) => ({
      ...body,
      id_token: await stack.auth.signIdToken(change(ctx.idTokenClaims!), signing),
    }));
    const { state } = await signInThroughBrowser(fx);
    expect(state.signIn.error?.code).toBe('invalid_id_token');
    expect(state.account.status).toBe('signed_out');
    const files = await readTree(fx.dataDir);
    expect(files.some((f) => f.content.includes('oaiapp_'))).toBe(false);
  });

  it('accepts an ID token 4 s past exp (5 s tolerance)', async () => {
    stack.auth.faults.mutateTokenResponse(async (body, ctx) => ({
      ...body,
      id_token: await stack.auth.signIdToken({ ...ctx.idTokenClaims!, exp: Math.floor(Date.now() / 1000) - 3 }),
    }));
    const { state } = await signInThroughBrowser(fx);
    expect(state.account.status).toBe('signed_in');
  });

  it.each([
    ['no scope', (b: Record<string, unknown>) => ({ ...b, scope: undefined })],
    ['token_type mac', (b: Record<string, unknown>) => ({ ...b, token_type: 'mac' })],
    ['expires_in 0', (b: Record<string, unknown>) => ({ ...b, expires_in: 0 })],
    ['no refresh token despite offline_access', (b: Record<string, unknown>) => ({ ...b, refresh_token: undefined })],
  ])('refuses a token response with %s', async (_name, change) => {
    stack.auth.faults.mutateTokenResponse((body) => JSON.parse(JSON.stringify(change(body))) as Record<string, unknown>);
    const { state } = await signInThroughBrowser(fx);
    expect(state.signIn.error?.code).toBe('invalid_token_response');
    expect(state.account.status).toBe('signed_out');
  });

  it('without the plan scope: signed in, plan usage off, no model call; re-consent enables it', async () => {
    const { state } = await signInThroughBrowser(fx, { grantPlanUsage: false });
    expect(state.account).toMatchObject({ status: 'signed_in', planUsage: false, showPlanWelcome: false });
    expect(state.account.scopes).not.toContain('chatgpt.tokens.use.direct');
    expect((await fx.run('models.refresh')).error?.code).toBe('plan_usage_disabled');
    expect(stack.api.requests.length - apiRequestsBefore).toBe(0);

    const again = await signInThroughBrowser(fx, { grantPlanUsage: true }, { reconsent: true });
    expect(again.authorizeUrl.searchParams.get('prompt')).toBe('consent');
    expect(again.authorizeUrl.searchParams.get('scope')).toBe(SIWC_SCOPE);
    expect(again.state.account.planUsage).toBe(true);
    await waitForState(fx.core, (s) => s.models.status === 'ready');
  });

  it('declined consent: nothing exchanged, a clear message, still signed out', async () => {
    const { state, page } = await signInThroughBrowser(fx, { decision: 'deny' });
    expect(page.status).toBe(200);
    expect(state.signIn.error).toMatchObject({ code: 'access_denied' });
    expect(state.signIn.error?.message).toMatch(/declined/);
    expect(state.account.status).toBe('signed_out');
    expect(tokenCalls()).toBe(0);
  });

  it('gives up after the timeout and frees the port', async () => {
    const local = await createCoreFixture(stack, { options: { signInTimeoutMs: 300 } });
    try {
      await local.run('auth.signIn');
      const url = new URL(await waitForOpened(local, 1));
      const port = Number(new URL(url.searchParams.get('redirect_uri')!).port);
      const state = await waitForState(local.core, (s) => s.signIn.phase === 'idle');
      expect(state.signIn.error?.code).toBe('timeout');
      await expect(canBind(port)).resolves.toBe(true);
    } finally {
      await local.dispose();
    }
  });

  it('cancel stops the attempt at once: port freed, no token request', async () => {
    await fx.run('auth.signIn');
    const url = new URL(await waitForOpened(fx, 1));
    const redirect = new URL(url.searchParams.get('redirect_uri')!);
    expect(fx.core.getState().signIn.phase).toBe('waiting');
    expect(fx.core.getState().signIn.deadline).toBeGreaterThan(Date.now());
    await fx.run('auth.cancelSignIn');
    const state = await waitForState(fx.core, (s) => s.signIn.phase === 'idle');
    expect(state.signIn.error).toBeNull();
    await expect(canBind(Number(redirect.port))).resolves.toBe(true);
    expect(tokenCalls()).toBe(0);
  });

  it('a fixed port that is busy gives callback_port_unavailable', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      expect((await fx.run('settings.update', { callbackPort: port })).ok).toBe(true);
      const result = await fx.run('auth.signIn');
      expect(result.error?.code).toBe('callback_port_unavailable');
      expect(result.error?.message).toContain(String(port));
      expect(fx.core.getState().signIn.phase).toBe('idle');
    } finally {
      blocker.close();
    }
  });

  it('when the browser cannot open: copy the link, then paste the final redirect URL', async () => {
    const local = await createCoreFixture(stack, {
      deps: {
        openExternal: async (url) => {
          local.opened.push(url);
          throw new Error('no browser');
        },
      },
    });
    try {
      await local.run('auth.signIn');
      await waitForState(local.core, (s) => s.signIn.phase === 'waiting' && !s.signIn.browserOpened);
      expect((await local.run('auth.copySignInLink')).ok).toBe(true);
      expect(local.copied).toEqual([local.opened[0]]);
      const callback = await completeAuthorizationInBrowser(local.copied[0]!);

      const wrong = new URL(callback);
      wrong.hostname = 'localhost';
      const refused = await local.run('auth.submitRedirectUrl', { url: wrong.href });
      expect(refused.error?.code).toBe('invalid_redirect');
      expect(local.core.getState().signIn.phase).toBe('waiting');

      expect((await local.run('auth.submitRedirectUrl', { url: callback.href })).ok).toBe(true);
      const state = await waitForState(local.core, (s) => s.signIn.phase === 'idle');
      expect(state.account.status).toBe('signed_in');
    } finally {
      await local.dispose();
    }
  });

  it('shows a model-list failure inline and recovers on Retry', async () => {
    let failModels = true;
    const local = await createCoreFixture(stack, {
      deps: { fetch: modelsOfflineFetch(() => failModels) },
    });
    try {
      await signInThroughBrowser(local);
      const failed = await waitForState(local.core, (s) => s.models.status === 'error');
      expect(failed.models.error).toMatchObject({ code: 'network_error', retryable: true });
      failModels = false;
      expect((await local.run('models.refresh')).ok).toBe(true);
      const ready = local.core.getState().models;
      expect(ready.status).toBe('ready');
      expect(ready.selected).toBe(ready.items.find((m) => m.vision)?.slug);
      const other = ready.items.find((m) => m.slug !== ready.selected)!;
      expect((await local.run('models.select', { slug: other.slug })).ok).toBe(true);
      expect((await local.run('models.select', { slug: 'not-a-model' })).error?.code).toBe('unknown_model');
      await local.restart();
      await waitForState(local.core, (s) => s.models.status === 'ready');
      expect(local.core.getState().models.selected).toBe(other.slug);
    } finally {
      await local.dispose();
    }
  });

  it('saves the issued client id before the code exchange, and reuses it after a failed exchange', async () => {
    stack.auth.faults.tokenStatus(400, { error: 'invalid_grant' }, 1, 'authorization_code');
    const first = await signInThroughBrowser(fx);
    expect(first.state.signIn.error?.code).toBe('invalid_grant');
    const issued = first.callback.searchParams.get('client_id');
    const second = await signInThroughBrowser(fx);
    expect(second.authorizeUrl.searchParams.get('client_id')).toBe(issued);
    expect(second.authorizeUrl.searchParams.has('agent_name_hint')).toBe(false);
    expect(second.state.account.status).toBe('signed_in');
  });
});

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
