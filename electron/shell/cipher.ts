import { safeStorage } from 'electron';
import type { Cipher } from '../core/kernel/deps';

/** Electron safeStorage (OS keychain) as the core's Cipher. */
export function createSafeStorageCipher(): Cipher {
  return {
    isAvailable: () => safeStorage.isAsyncEncryptionAvailable(),
    backend: () => (process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : process.platform === 'darwin' ? 'keychain' : 'dpapi'),
    encrypt: (plainText) => safeStorage.encryptStringAsync(plainText),
    decrypt: async (cipherText) => (await safeStorage.decryptStringAsync(cipherText)).result,
  };
}
