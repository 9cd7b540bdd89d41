/**
 * `renewsAt` and `glance` as published in AppState: the time the view says is
 * the time the session really renews (one computation, accounts/renewal.ts),
 * and a session that renews itself is never "expiring" while one whose
 * renewal keeps failing is, once fewer than `expiryWarningMinutes` remain.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startStandIns } from '../../servers/stack';
import { createCoreFixture, signInThroughBrowser, waitForState } from '../../support/core-fixture';
import { ManualClock } from '../../support/manual-clock';
import { trayModel } from '../../../electron/core/tray/tray-model';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function signedIn(clock: ManualClock) {
  const stack = await startStandIns({});
  const fx = await createCoreFixture(stack, { clock });
  cleanups.push(
    () => stack.close(),
    () => fx.dispose(),
  );
  await signInThroughBrowser(fx);
  return { stack, fx };
}

describe('renewsAt and glance', () => {
  it('renewsAt is when the session really renews: the margin before expiry', async () => {
    const clock = new ManualClock();
    const { stack, fx } = await signedIn(clock);
    const { account, settings, accounts } = fx.core.getState();
    expect(account.renewsAt).toBe(account.expiresAt! - settings.refreshMarginSeconds * 1000);
    expect(account.glance).toBe('fine');
    expect(accounts.find((a) => a.active)).toMatchObject({ renewsAt: account.renewsAt, glance: 'fine' });

    ok(await fx.run('settings.update', { refreshMarginSeconds: 600 }));
    const renewsAt = fx.core.getState().account.renewsAt!;
    expect(renewsAt).toBe(account.expiresAt! - 600_000);
    // Inside the warning window but renewing itself: still fine, for the pill and the tray alike.
    clock.advance(renewsAt - clock.now() - 60_000);
    const near = fx.core.getState();
    expect(near.account.glance).toBe('fine');
    expect(trayModel(near, clock.now()).icon).toBe('signed-in');
    expect(stack.auth.tokenCalls('refresh_token')).toBe(0);
    clock.advance(60_001);
    await waitForState(fx.core, (s) => s.account.lastRefreshAt !== null && !s.account.refreshing);
    expect(stack.auth.tokenCalls('refresh_token')).toBe(1);
  });

  it('a failing renewal leaves no renewsAt, and the glance turns to expiring inside the warning window', async () => {
    const clock = new ManualClock();
    const { stack, fx } = await signedIn(clock);
    // A wide margin, so the session's own retries (after the backoff) are due and meet the outage too.
    ok(await fx.run('settings.update', { refreshMarginSeconds: 900 }));
    stack.auth.faults.tokenStatus(503, 'busy', 100, 'refresh_token');
    expect((await fx.run('auth.refreshNow')).error?.retryable).toBe(true);
    const failing = fx.core.getState();
    expect(failing.account.problem?.code).toBe('server_unavailable');
    expect(failing.account.renewsAt).toBeNull();
    const warningMs = failing.settings.expiryWarningMinutes * 60_000;
    const left = failing.account.expiresAt! - clock.now();
    expect(left).toBeGreaterThan(warningMs);
    expect(failing.account.glance).toBe('fine');
    // Only the clock moves (the backoff retries keep failing): the core republishes when the glance changes.
    clock.advance(left - warningMs + 1_000);
    const expiring = await waitForState(fx.core, (s) => s.account.glance === 'expiring' && !s.account.refreshing);
    expect(expiring.accounts.find((a) => a.active)?.glance).toBe('expiring');
    expect(trayModel(expiring, clock.now()).icon).toBe('expiring');
  });
});

function ok(result: { ok: boolean; error?: unknown }) {
  expect(result.error).toBeUndefined();
  return result;
}
