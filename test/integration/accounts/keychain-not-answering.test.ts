/**
 * A key provider that never answers (Electron's isAsyncEncryptionAvailable
 * stays pending until the Linux Secret Service does; the shell bounds the
 * wait and rejects): the vault opens in memory with a "not answering" notice
 * offering Retry, leaves the saved file exactly as it was, and Retry brings
 * the saved sign-ins back once the keychain answers.
 */
import { describe, expect, it } from 'vitest';
import { Vault } from '../../../electron/core/accounts/vault/vault';
import { NOTICE_KEYCHAIN_UNAVAILABLE } from '../../../electron/core/accounts/vault/vault-notices';
import type { Cipher } from '../../../electron/core/kernel/deps';
import { memoryStore } from '../../support/memory-store';
import { createNodeCipher } from '../../support/node-cipher';

const silent = { info() {}, warn() {}, error() {} };

function silentThenAnswering() {
  const inner = createNodeCipher({ backend: 'gnome_libsecret' });
  const control = { answering: false };
  const notAnswering = () => Promise.reject(new Error('The keychain did not answer within 20 s.'));
  const cipher: Cipher = {
    isAvailable: () => (control.answering ? inner.isAvailable() : notAnswering()),
    backend: () => inner.backend(),
    encrypt: (plain) => (control.answering ? inner.encrypt(plain) : notAnswering()),
    decrypt: (data) => (control.answering ? inner.decrypt(data) : notAnswering()),
  };
  return { cipher, inner, control };
}

describe('a keychain that does not answer', () => {
  it('opens in memory with a "not answering" notice (Retry, Reset), the saved file untouched; Retry restores it once it answers', async () => {
    const { cipher, inner, control } = silentThenAnswering();
    // A vault saved earlier, while the keychain answered.
    const store = memoryStore();
    control.answering = true;
    const earlier = await Vault.open({ now: () => 0, cipher, store, allowWeakStorage: false, log: silent, platform: 'linux' });
    await earlier.update((d) => ({ ...d, activeAccountId: 'acct-1' }));
    const saved = structuredClone(store.data);
    expect(saved.vault).toBeDefined();

    control.answering = false;
    const vault = await Vault.open({ now: () => 0, cipher, store, allowWeakStorage: false, log: silent, platform: 'linux' });
    expect(vault.mode).toBe('memory');
    expect(vault.keychainUnavailable).toBe(true);
    const notice = vault.notices.find((n) => n.id === NOTICE_KEYCHAIN_UNAVAILABLE);
    expect(notice?.message).toMatch(/not answering/);
    expect(notice?.message).toMatch(/Nothing was lost/);
    expect(notice?.actions?.map((a) => a.command)).toEqual(['accounts.retryKeychain', 'accounts.resetVault']);
    expect(store.data).toEqual(saved);

    // Retry while it still does not answer: refused with the retryable code, nothing written.
    await expect(vault.retryKeychain()).rejects.toMatchObject({ code: 'keychain_unavailable' });
    expect(store.data).toEqual(saved);

    control.answering = true;
    expect(await vault.retryKeychain()).toBe('keychain');
    expect(vault.data().activeAccountId).toBe('acct-1');
    expect(vault.notices.some((n) => n.id === NOTICE_KEYCHAIN_UNAVAILABLE)).toBe(false);
    expect(await inner.isAvailable()).toBe(true);
  });
});
