/**
 * The double's safeStorage: after ready only, reporting the configured Linux backend. Ciphertext carries
 * the tag Chromium's os_crypt puts in front of it on Linux (v10: the hard-coded key, v11: a keyring key),
 * which may disagree with the backend name, as it can for real. With `keychain: 'silent'` every call stays
 * pending, as they do while the key provider does not answer.
 */
import type { Kernel } from './kernel';

export function createSafeStorage({ config, record, requireReady }: Kernel) {
  const tag = config.keyTag ?? (config.storageBackend === 'basic_text' ? 'v10' : 'v11');
  const silent = config.keychain === 'silent';
  const answer = <T>(value: () => T): Promise<T> => (silent ? new Promise<T>(() => {}) : Promise.resolve().then(value));
  // Reversible, so the vault round-trips; tagged, so a test (and the app) can tell which key was used.
  const safeStorage = {
    isAsyncEncryptionAvailable() {
      record('safeStorage.isAsyncEncryptionAvailable');
      requireReady('safeStorage.isAsyncEncryptionAvailable');
      return answer(() => true);
    },
    getSelectedStorageBackend() {
      record('safeStorage.getSelectedStorageBackend');
      requireReady('safeStorage.getSelectedStorageBackend');
      return config.storageBackend;
    },
    encryptStringAsync(plainText: string) {
      requireReady('safeStorage.encryptStringAsync');
      return answer(() => Buffer.concat([Buffer.from(tag, 'latin1'), Buffer.from(plainText, 'utf8').map((b) => b ^ 0x5a)]));
    },
    decryptStringAsync(cipherText: Buffer) {
      requireReady('safeStorage.decryptStringAsync');
      return answer(() => ({ result: Buffer.from(cipherText.subarray(3).map((b) => b ^ 0x5a)).toString('utf8'), shouldReEncrypt: false }));
    },
  };
  return safeStorage;
}
