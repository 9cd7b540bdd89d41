import { describe, expect, it } from 'vitest';
import {
  NOTICE_KEYCHAIN_UNAVAILABLE,
  keychainUnavailableNotice,
  noKeychainNotice,
  vaultRecoveredNotice,
  weakBackendNotice,
} from '../../../../../electron/core/accounts/vault/vault-notices';

describe('the vault’s notices', () => {
  it('a keychain that refuses offers Retry and Reset, as the commands that do them', () => {
    const notice = keychainUnavailableNotice();
    expect(notice.id).toBe(NOTICE_KEYCHAIN_UNAVAILABLE);
    expect(notice.level).toBe('error');
    expect(notice.actions?.map((a) => a.command)).toEqual(['accounts.retryKeychain', 'accounts.resetVault']);
  });

  it('a damaged vault names where the old file was kept', () => {
    expect(vaultRecoveredNotice('/data/vault.json.corrupt-x').message).toContain('/data/vault.json.corrupt-x');
  });

  it('memory-only storage is one notice, however it came about, naming a weak backend in bounded words', () => {
    expect(noKeychainNotice().id).toBe(weakBackendNotice('basic_text').id);
    expect(weakBackendNotice('basic_text').message).toContain('"basic_text"');
    expect(weakBackendNotice('x'.repeat(500)).message).toContain(`"${'x'.repeat(40)}"`);
    expect(weakBackendNotice('x'.repeat(500)).message).not.toContain('x'.repeat(41));
  });
});
