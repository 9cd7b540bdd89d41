import type { SafeStorage } from 'electron';
import type { Cipher, Clock } from '../core/kernel/deps';

/**
 * How long Loupe waits for the key provider. Electron's async safeStorage
 * answers only once the OS key provider has (the Linux Secret Service may sit
 * on an unlock prompt, or never answer when its daemon hangs), so an
 * unbounded wait would hold start-up before any window or tray exists. Past
 * this the call rejects with KeychainNotAnswering: the vault keeps its file
 * untouched and offers Retry (electron/core/accounts/vault.ts).
 */
export const KEYCHAIN_ANSWER_MS = 20_000;

export class KeychainNotAnswering extends Error {
  override readonly name = 'KeychainNotAnswering';
  constructor(what: string, ms: number) {
    super(`The keychain did not answer ${what} within ${Math.round(ms / 1000)} s.`);
  }
}

/**
 * What Chromium's os_crypt puts in front of Linux ciphertext. `v10` is the
 * key every Chromium knows (PBKDF2 of "peanuts", components/os_crypt/async/
 * browser/fallback_linux_key_provider.cc and posix_key_provider.cc); `v11`
 * is a key kept in the Secret Service or KWallet (os_crypt_linux.cc), `v12`
 * one from the desktop portal's secret. The backend name Electron reports is
 * the one it selected, not proof the key came from there: the tag is.
 */
export const LINUX_HARD_CODED_KEY_TAG = 'v10';

/** The tag a Linux ciphertext starts with, or null when it has none of the known shapes. */
export function linuxKeyTag(cipherText: Buffer): string | null {
  const tag = cipherText.subarray(0, 3).toString('latin1');
  return /^v1\d$/.test(tag) ? tag : null;
}

export interface SafeStorageCipher extends Cipher {
  /** Linux: the tag of the key the probe was encrypted with (null before the probe, or elsewhere). */
  keyTag(): string | null;
}

/**
 * Electron safeStorage (the OS keychain) as the core's Cipher. `backend()`
 * reports Linux's selected backend as Electron names it (`basic_text`,
 * `gnome_libsecret`, `kwallet`, `kwallet5`, `kwallet6`), so the core decides
 * which ones are strong; it is only meaningful after `ready`. On Linux a
 * backend that claims a keyring but encrypts with the hard-coded key is
 * reported as `basic_text`, so the core treats it as the weak storage it is.
 */
export function createSafeStorageCipher(
  safeStorage: SafeStorage,
  platform: NodeJS.Platform,
  clock: Pick<Clock, 'setTimeout'>,
  waitMs = KEYCHAIN_ANSWER_MS,
): SafeStorageCipher {
  const bounded = <T>(what: string, call: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = clock.setTimeout(() => reject(new KeychainNotAnswering(what, waitMs)), waitMs);
      call().then(
        (value) => {
          timer.cancel();
          resolve(value);
        },
        (error: unknown) => {
          timer.cancel();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  let tag: string | null = null;
  const selected = () => (platform === 'linux' ? safeStorage.getSelectedStorageBackend() : platform === 'darwin' ? 'keychain' : 'dpapi');
  const encrypt = (plainText: string) => bounded('an encryption', () => safeStorage.encryptStringAsync(plainText));
  return {
    async isAvailable() {
      const available = await bounded('whether encryption is available', () => safeStorage.isAsyncEncryptionAvailable());
      if (available && platform === 'linux' && tag === null) tag = linuxKeyTag(await encrypt('loupe keyring probe'));
      return available;
    },
    backend: () => (platform === 'linux' && tag === LINUX_HARD_CODED_KEY_TAG ? 'basic_text' : selected()),
    keyTag: () => tag,
    encrypt,
    // The whole result: `shouldReEncrypt` tells the core to save the vault again under the current key,
    // which on Linux includes a vault written with the hard-coded key while a keyring key is now in use.
    async decrypt(cipherText) {
      const result = await bounded('a decryption', () => safeStorage.decryptStringAsync(cipherText));
      const staleKey =
        platform === 'linux' && tag !== null && tag !== LINUX_HARD_CODED_KEY_TAG && linuxKeyTag(cipherText) === LINUX_HARD_CODED_KEY_TAG;
      return staleKey ? { ...result, shouldReEncrypt: true } : result;
    },
  };
}
