/** The browser's way back through the loopback listener, seen from the core: strays, replays, timeout, cancel, busy port, pasted redirect. */
import { createServer } from 'node:net';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { completeAuthorizationInBrowser } from '../../servers/auth/auth-server';
import { createCoreFixture, signInThroughBrowser, waitForOpened, waitForState } from '../../support/core-fixture';
import { stack, fx, useSignInFixture, tokenCalls, canBind } from './sign-in-support';

useSignInFixture();

describe('Continue with ChatGPT: the callback', () => {
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
});
