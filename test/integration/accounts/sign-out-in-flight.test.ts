/**
 * Signing out revokes the grant at the server before the tokens are deleted
 * here. An API call that meets the revoked token in between (its 401) must not
 * refresh with the revoked refresh token: that refresh would fail and leave
 * the account asking to "sign in again" instead of signed out.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Cipher } from '../../../electron/core/kernel/deps';
import { type StandIns, startStandIns } from '../../servers/stack';
import { type CoreFixture, createCoreFixture, signInThroughBrowser, waitForState } from '../../support/core-fixture';
import { createNodeCipher } from '../../support/node-cipher';
import { within } from '../../support/within';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A keychain whose next encryption waits until the test lets it go, and says when it started. */
function holdableCipher() {
  const inner = createNodeCipher({ key: randomBytes(32) });
  let hold: { entered: () => void; release: Promise<void> } | undefined;
  const cipher: Cipher = {
    ...inner,
    encrypt: async (plain) => {
      const held = hold;
      hold = undefined;
      if (held) {
        held.entered();
        await held.release;
      }
      return inner.encrypt(plain);
    },
  };
  /** Holds the next vault write; resolves `entered` once it is waiting. */
  const holdNext = () => {
    let release!: () => void;
    let entered!: () => void;
    const started = new Promise<void>((resolve) => (entered = resolve));
    hold = { entered, release: new Promise<void>((resolve) => (release = resolve)) };
    return { started, release };
  };
  return { cipher, holdNext };
}

describe('signing out while an API call meets the revoked token', () => {
  it('does not refresh with the revoked token: the account ends signed out, not asking to sign in again', async () => {
    const stack: StandIns = await startStandIns();
    const { cipher, holdNext } = holdableCipher();
    const fx: CoreFixture = await createCoreFixture(stack, { deps: { cipher } });
    cleanups.push(
      () => stack.close(),
      () => fx.dispose(),
    );
    await signInThroughBrowser(fx);
    await waitForState(fx.core, (s) => s.models.status !== 'loading');
    const token = await fx.session.accessToken();
    const refreshesBefore = stack.auth.tokenCalls('refresh_token');

    // The grant is revoked at the server; the write that deletes the tokens here is held.
    const write = holdNext();
    const signedOut = fx.run('auth.signOut');
    await write.started;
    expect(stack.auth.requests.filter((r) => r.endpoint === 'revoke')).toHaveLength(1);

    // An API call answered 401 meanwhile asks the session for a fresh token.
    // Refused at once: a refresh would wait for the held write and then find the grant gone.
    await expect(within(fx.session.afterUnauthorized(token), 5_000, 'the answer to a 401 during sign-out')).rejects.toMatchObject({
      code: 'signed_out',
    });
    write.release();

    expect(await signedOut).toMatchObject({ ok: true, value: { revoked: true } });
    expect(stack.auth.tokenCalls('refresh_token')).toBe(refreshesBefore);
    expect(fx.core.getState().account).toMatchObject({ status: 'signed_out', problem: null });
  });
});
