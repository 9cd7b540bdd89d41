/**
 * Which safeStorage backends count as a keychain, and the two shapes of its
 * decrypt answer.
 */

/** safeStorage backends on Linux that encrypt with a secret the OS keeps (not a hard-coded key). */
export const SECURE_LINUX_BACKENDS: ReadonlySet<string> = new Set(['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']);

/** Whether this backend stores with a key anyone can know (Linux `basic_text`, `unknown`, anything new). */
export function isWeakBackend(platform: string, backend: string): boolean {
  return platform === 'linux' && !SECURE_LINUX_BACKENDS.has(backend);
}

/** Accepts both Cipher.decrypt shapes (see deps.ts). */
export function decrypted(value: string | { result: string; shouldReEncrypt: boolean }): { plain: string; reEncrypt: boolean } {
  return typeof value === 'string' ? { plain: value, reEncrypt: false } : { plain: value.result, reEncrypt: value.shouldReEncrypt };
}
