import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Cipher } from '../../electron/core/kernel/deps';

/**
 * AES-256-GCM with an in-memory key: the Node stand-in for Electron's
 * safeStorage in tests and the harness. `backend` lets tests play Linux's
 * `basic_text` backend; `available: false` plays a machine with no keychain.
 */
export function createNodeCipher(options: { key?: Buffer; backend?: string; available?: boolean } = {}): Cipher {
  const key = options.key ?? randomBytes(32);
  // Plays a Linux keychain that really encrypts (libsecret), so the allowlist admits it.
  const backend = options.backend ?? 'gnome_libsecret';
  const available = options.available ?? true;
  return {
    isAvailable: async () => available,
    backend: () => backend,
    async encrypt(plainText) {
      if (!available) throw new Error('encryption unavailable');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from('LP1'), iv, cipher.getAuthTag(), body]);
    },
    async decrypt(data) {
      if (!available) throw new Error('encryption unavailable');
      if (data.length < 31 || data.subarray(0, 3).toString() !== 'LP1') throw new Error('not a Loupe cipher text');
      const iv = data.subarray(3, 15);
      const tag = data.subarray(15, 31);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data.subarray(31)), decipher.final()]).toString('utf8');
    },
  };
}
