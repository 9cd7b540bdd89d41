/**
 * The vault's one encrypted blob in the `vault` store: reading it tells a
 * keychain that refuses apart from a file that is corrupt, and writing it
 * replaces the whole blob at once.
 */
import { z } from 'zod';
import type { Cipher, KeyValueStore } from '../../kernel/deps';
import { decrypted } from './keychain-backend';
import { type VaultData, VaultDataSchema } from './vault-schema';

export const STORE_KEY = 'vault';

export type VaultRead =
  { kind: 'none' } | { kind: 'ok'; data: VaultData; reEncrypt: boolean } | { kind: 'locked' } | { kind: 'corrupt'; reEncrypt: boolean };

export async function readVaultFile(cipher: Cipher, store: KeyValueStore): Promise<VaultRead> {
  const stored = store.get(STORE_KEY);
  if (stored === undefined) return { kind: 'none' };
  const envelope = z.object({ v: z.literal(1), data: z.string() }).safeParse(stored);
  if (!envelope.success) return { kind: 'corrupt', reEncrypt: false };
  let plain: string;
  let reEncrypt: boolean;
  try {
    if (!(await cipher.isAvailable())) return { kind: 'locked' };
    const result = decrypted(await cipher.decrypt(Buffer.from(envelope.data.data, 'base64')));
    plain = result.plain;
    reEncrypt = result.reEncrypt;
  } catch {
    // safeStorage throws the same way for a locked keychain, a denied
    // prompt and a key it no longer has: none proves the file is bad.
    return { kind: 'locked' };
  }
  try {
    return { kind: 'ok', data: VaultDataSchema.parse(JSON.parse(plain)), reEncrypt };
  } catch {
    return { kind: 'corrupt', reEncrypt };
  }
}

export async function writeVaultFile(cipher: Cipher, store: KeyValueStore, data: VaultData): Promise<void> {
  const encrypted = await cipher.encrypt(JSON.stringify(data));
  await store.set(STORE_KEY, { v: 1, data: encrypted.toString('base64') });
}
