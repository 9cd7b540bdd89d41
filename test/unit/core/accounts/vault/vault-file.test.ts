import { describe, expect, it } from 'vitest';
import { STORE_KEY, readVaultFile, writeVaultFile } from '../../../../../electron/core/accounts/vault/vault-file';
import { EMPTY_VAULT } from '../../../../../electron/core/accounts/vault/vault-schema';
import type { Cipher } from '../../../../../electron/core/kernel/deps';
import { memoryStore } from '../../../../support/memory-store';
import { createNodeCipher } from '../../../../support/node-cipher';

const vault = { ...EMPTY_VAULT, activeAccountId: 'x' };

describe('the vault file', () => {
  it('writes one encrypted blob and reads it back', async () => {
    const cipher = createNodeCipher();
    const store = memoryStore();
    await writeVaultFile(cipher, store, vault);
    expect(store.data[STORE_KEY]).toMatchObject({ v: 1, data: expect.any(String) });
    expect(JSON.stringify(store.data)).not.toContain('activeAccountId');
    expect(await readVaultFile(cipher, store)).toEqual({ kind: 'ok', data: vault, reEncrypt: false });
  });

  it('nothing saved is none', async () => {
    expect(await readVaultFile(createNodeCipher(), memoryStore())).toEqual({ kind: 'none' });
  });

  it('a keychain that is locked or refuses says nothing about the file: locked', async () => {
    const store = memoryStore();
    await writeVaultFile(createNodeCipher(), store, vault);
    expect(await readVaultFile(createNodeCipher({ available: false }), store)).toEqual({ kind: 'locked' });
    // Another key: safeStorage throws the same way as for a denied prompt.
    expect(await readVaultFile(createNodeCipher(), store)).toEqual({ kind: 'locked' });
  });

  it('a blob of another shape, or one that decrypts to something not a vault, is corrupt', async () => {
    const cipher = createNodeCipher();
    expect(await readVaultFile(cipher, memoryStore({ [STORE_KEY]: 'plain text' }))).toEqual({ kind: 'corrupt', reEncrypt: false });
    const notAVault = (await cipher.encrypt('{"version": 7}')).toString('base64');
    expect(await readVaultFile(cipher, memoryStore({ [STORE_KEY]: { v: 1, data: notAVault } }))).toEqual({ kind: 'corrupt', reEncrypt: false });
  });

  it('passes on the keychain’s wish to encrypt afresh', async () => {
    const inner = createNodeCipher();
    const store = memoryStore();
    await writeVaultFile(inner, store, vault);
    const rotated: Cipher = { ...inner, decrypt: async (data) => ({ result: (await inner.decrypt(data)) as string, shouldReEncrypt: true }) };
    expect(await readVaultFile(rotated, store)).toEqual({ kind: 'ok', data: vault, reEncrypt: true });
  });
});
