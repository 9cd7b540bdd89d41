import { describe, expect, it } from 'vitest';
import { decrypted, isWeakBackend } from '../../../../../electron/core/accounts/vault/keychain-backend';

describe('isWeakBackend', () => {
  it('on Linux only libsecret and KWallet encrypt with a secret the OS keeps', () => {
    for (const backend of ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']) expect(isWeakBackend('linux', backend), backend).toBe(false);
    for (const backend of ['basic_text', 'unknown', 'a_future_one']) expect(isWeakBackend('linux', backend), backend).toBe(true);
  });
  it('elsewhere the backend name is only a label', () => {
    expect(isWeakBackend('darwin', 'basic_text')).toBe(false);
    expect(isWeakBackend('win32', 'unknown')).toBe(false);
  });
});

describe('decrypted', () => {
  it('reads both answers of Cipher.decrypt', () => {
    expect(decrypted('plain')).toEqual({ plain: 'plain', reEncrypt: false });
    expect(decrypted({ result: 'plain', shouldReEncrypt: true })).toEqual({ plain: 'plain', reEncrypt: true });
  });
});
