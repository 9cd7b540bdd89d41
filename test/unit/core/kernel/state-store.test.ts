import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Core, createCore } from '../../../../electron/core/index';
import { dispatchCommand } from '../../../../electron/core/kernel/dispatch';
import { PUBLISH_THROTTLE_MS, StateStore } from '../../../../electron/core/kernel/state-store';
import { ManualClock } from '../../../support/manual-clock';
import { createNodeDeps } from '../../../support/node-deps';

/** A snapshot of two non-analysis domains, changed by hand. */
function accountsAndSettings() {
  const clock = new ManualClock();
  const truth = { account: { status: 'signed_out', refreshing: false }, settings: { theme: 'system' } };
  const store = new StateStore<typeof truth>(clock);
  store.start(() => ({ account: { ...truth.account }, settings: { ...truth.settings } }));
  const published: Array<typeof truth> = [];
  store.subscribe((s) => published.push(s));
  return { clock, truth, store, published };
}

describe('StateStore: one throttle for every domain', () => {
  it('publishes the first change at once', () => {
    const { truth, store, published } = accountsAndSettings();
    truth.account.status = 'signed_in';
    store.invalidate();
    expect(published.map((s) => s.account.status)).toEqual(['signed_in']);
    expect(store.get().account.status).toBe('signed_in');
  });

  it('folds the changes of one window into a single publish at its end, with the latest state', () => {
    const { clock, truth, store, published } = accountsAndSettings();
    truth.account.refreshing = true;
    store.invalidate();
    for (const theme of ['light', 'dark', 'light', 'dark']) {
      truth.settings.theme = theme;
      store.invalidate();
    }
    truth.account.refreshing = false;
    store.invalidate();
    expect(published).toHaveLength(1);
    clock.advance(PUBLISH_THROTTLE_MS - 1);
    expect(published).toHaveLength(1);
    clock.advance(1);
    expect(published).toHaveLength(2);
    expect(published[1]).toEqual({ account: { status: 'signed_out', refreshing: false }, settings: { theme: 'dark' } });
    // Nothing changed in the next window: nothing more is published.
    clock.advance(PUBLISH_THROTTLE_MS * 5);
    expect(published).toHaveLength(2);
  });

  it('keeps at most one publish per window under a steady stream of changes', () => {
    const { clock, truth, store, published } = accountsAndSettings();
    for (let ms = 0; ms < 1_000; ms += 10) {
      truth.settings.theme = `t${ms}`;
      store.invalidate();
      clock.advance(10);
    }
    expect(published.length).toBeLessThanOrEqual(1_000 / PUBLISH_THROTTLE_MS + 1);
    expect(published.length).toBeGreaterThanOrEqual(1_000 / PUBLISH_THROTTLE_MS);
  });

  it('publishes at once again after a quiet window', () => {
    const { clock, truth, store, published } = accountsAndSettings();
    store.invalidate();
    clock.advance(PUBLISH_THROTTLE_MS);
    truth.account.status = 'needs_sign_in';
    store.invalidate();
    expect(published.map((s) => s.account.status)).toEqual(['signed_out', 'needs_sign_in']);
  });

  it('flush publishes a folded change now, and nothing when nothing waits', () => {
    const { clock, truth, store, published } = accountsAndSettings();
    store.invalidate();
    store.flush();
    expect(published).toHaveLength(1);
    truth.account.status = 'signed_in';
    store.invalidate();
    expect(published).toHaveLength(1);
    store.flush();
    expect(published.map((s) => s.account.status)).toEqual(['signed_out', 'signed_in']);
    // The flushed change is not published a second time when the window ends.
    clock.advance(PUBLISH_THROTTLE_MS * 2);
    expect(published).toHaveLength(2);
  });

  it('dispose drops a folded change', () => {
    const { clock, store, published } = accountsAndSettings();
    store.invalidate();
    store.invalidate();
    store.dispose();
    clock.advance(PUBLISH_THROTTLE_MS * 2);
    expect(published).toHaveLength(1);
    expect(clock.pending()).toBe(0);
  });
});

describe('the core: commands answer with their state', () => {
  let dir: string | undefined;
  let core: Core | undefined;
  afterEach(async () => {
    await core?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a settings change inside a throttle window reaches subscribers before the command answers', async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-state-'));
    const clock = new ManualClock();
    core = await createCore(createNodeDeps(dir, { clock }));
    const seen: number[] = [];
    core.subscribe((s) => seen.push(s.settings.expiryWarningMinutes));
    expect((await dispatchCommand(core, 'settings.update', { expiryWarningMinutes: 15 })).ok).toBe(true);
    // The second change falls inside the window the first one opened; time does not move.
    expect((await dispatchCommand(core, 'settings.update', { expiryWarningMinutes: 20 })).ok).toBe(true);
    expect(seen.at(-1)).toBe(20);
  });
});
