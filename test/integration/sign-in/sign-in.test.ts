import { describe, expect, it } from 'vitest';
import { SIWC_SCOPE } from '../../servers/auth/auth-server';
import { startStandIns } from '../../servers/stack';
import { createCoreFixture, readTree, signInThroughBrowser, waitForState } from '../../support/core-fixture';
import { stack, fx, useSignInFixture, tokenCalls } from './sign-in-support';

useSignInFixture();

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
