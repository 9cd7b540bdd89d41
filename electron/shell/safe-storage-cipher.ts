import type { SafeStorage } from 'electron';
import type { Cipher } from '../core/kernel/deps';

/**
 * Electron safeStorage (the OS keychain) as the core's Cipher. `backend()`
 * reports Linux's selected backend as Electron names it (`basic_text`,
 * `gnome_libsecret`, `kwallet`, `kwallet5`, `kwallet6`), so the core decides
 * which ones are strong; it is only meaningful after `ready`.
 */
export function createSafeStorageCipher(safeStorage: SafeStorage, platform: NodeJS.Platform): Cipher {
  return {
    isAvailable: () => safeStorage.isAsyncEncryptionAvailable(),
    backend: () => (platform === 'linux' ? safeStorage.getSelectedStorageBackend() : platform === 'darwin' ? 'keychain' : 'dpapi'),
    encrypt: (plainText) => safeStorage.encryptStringAsync(plainText),
    // The whole result: `shouldReEncrypt` tells the core to save the vault again under the current key.
    decrypt: (cipherText) => safeStorage.decryptStringAsync(cipherText),
  };
}
