/**
 * Issue #10 item 3: refresh at any token lifetime. A token that lives less than
 * the refresh margin must not make the session refresh in a loop, and during
 * an outage API requests must not each call the token endpoint.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthServerOptions } from '../../servers/auth/auth-server';
import { type StandIns, startStandIns } from '../../servers/stack';
import { type CoreFixture, createCoreFixture, signInThroughBrowser, waitForState } from '../../support/core-fixture';
import { ManualClock } from '../../support/manual-clock';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function signedIn(auth: AuthServerOptions, clock: ManualClock): Promise<{ stack: StandIns; fx: CoreFixture }> {
  const stack = await startStandIns({ auth });
  const fx = await createCoreFixture(stack, { clock });
  cleanups.push(
    () => stack.close(),
    () => fx.dispose(),
  );
  const { state } = await signInThroughBrowser(fx);
  expect(state.account.status).toBe('signed_in');
  return { stack, fx };
}

const refreshCalls = (stack: StandIns) => stack.auth.tokenCalls('refresh_token');

/** Moves the manual clock through `totalMs` in `stepMs` steps, letting every refresh that starts finish before the next step. */
async function live(fx: CoreFixture, clock: ManualClock, totalMs: number, stepMs: number): Promise<void> {
  for (let t = 0; t < totalMs; t += stepMs) {
    clock.advance(stepMs);
    await waitForState(fx.core, (s) => !s.account.refreshing);
  }
}

describe('short-lived tokens with the default two-minute margin', () => {
  it('5-second tokens: a bounded number of refreshes over a minute, and the session stays usable', async () => {
    const clock = new ManualClock();
    const { stack, fx } = await signedIn({ accessTokenTtl: 5 }, clock);
    await live(fx, clock, 60_000, 250);
    const calls = refreshCalls(stack);
    // Half of a 5 s lifetime: about one refresh every 2.5 s (24 a minute), never a loop.
    expect(calls).toBeGreaterThanOrEqual(20);
    expect(calls).toBeLessThanOrEqual(26);
    expect(fx.core.getState().account.status).toBe('signed_in');
    expect(fx.core.getState().account.expiresAt).toBeGreaterThan(clock.now());
  });

  it('60-second tokens: about two refreshes a minute', async () => {
    const clock = new ManualClock();
    const { stack, fx } = await signedIn({ accessTokenTtl: 60 }, clock);
    await live(fx, clock, 60_000, 1_000);
    const calls = refreshCalls(stack);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(3);
    expect(fx.core.getState().account.status).toBe('signed_in');
  });

  it('on-demand requests during a token-endpoint outage wait out the backoff', async () => {
    const clock = new ManualClock();
    const { stack, fx } = await signedIn({}, clock);
    stack.auth.faults.tokenStatus(503, 'down', 100, 'refresh_token');
    // Inside the margin but still valid: the first request tries, fails, and keeps the old token.
    clock.now = (
      (base: number) => () =>
        base
    )(fx.core.getState().account.expiresAt! - 60_000);
    const token = await fx.session.accessToken();
    expect(refreshCalls(stack)).toBe(1);
    for (let i = 0; i < 20; i++) expect(await fx.session.accessToken()).toBe(token);
    expect(refreshCalls(stack)).toBe(1);
  });

  it('after expiry during the outage, requests fail with the transient problem without calling the token endpoint', async () => {
    const clock = new ManualClock();
    const { stack, fx } = await signedIn({}, clock);
    stack.auth.faults.tokenStatus(503, 'down', 100, 'refresh_token');
    const expiresAt = fx.core.getState().account.expiresAt!;
    let now = expiresAt + 1_000;
    clock.now = () => now;
    await expect(fx.session.accessToken()).rejects.toMatchObject({ code: 'server_unavailable' });
    expect(refreshCalls(stack)).toBe(1);
    for (let i = 0; i < 10; i++)
      await expect(fx.session.accessToken()).rejects.toMatchObject({ code: 'server_unavailable', options: { retryable: true } });
    expect(refreshCalls(stack)).toBe(1);
    // Once the backoff has passed, the next request tries again.
    now += 7_000;
    stack.auth.faults.reset();
    await expect(fx.session.accessToken()).resolves.toEqual(expect.any(String));
    expect(refreshCalls(stack)).toBe(2);
  });
});
