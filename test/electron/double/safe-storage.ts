/** The double's safeStorage: after ready only, reporting the configured Linux backend. */
import type { Kernel } from './kernel';

export function createSafeStorage({ config, record, requireReady }: Kernel) {
  // Reversible, so the vault round-trips; prefixed, so a test can tell it was used.
  const safeStorage = {
    async isAsyncEncryptionAvailable() {
      requireReady('safeStorage.isAsyncEncryptionAvailable');
      return true;
    },
    getSelectedStorageBackend() {
      record('safeStorage.getSelectedStorageBackend');
      requireReady('safeStorage.getSelectedStorageBackend');
      return config.storageBackend;
    },
    async encryptStringAsync(plainText: string) {
      requireReady('safeStorage.encryptStringAsync');
      return Buffer.concat([Buffer.from('dbl1'), Buffer.from(plainText, 'utf8').map((b) => b ^ 0x5a)]);
    },
    async decryptStringAsync(cipherText: Buffer) {
      requireReady('safeStorage.decryptStringAsync');
      return { result: Buffer.from(cipherText.subarray(4).map((b) => b ^ 0x5a)).toString('utf8'), shouldReEncrypt: false };
    },
  };
  return safeStorage;
}
