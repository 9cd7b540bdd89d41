/** The notices the vault raises about where sign-ins are kept. */
import type { Notice } from '../../../contract';

export const NOTICE_KEYCHAIN_UNAVAILABLE = 'vault-keychain-unavailable';

export function keychainUnavailableNotice(): Notice {
  return {
    id: NOTICE_KEYCHAIN_UNAVAILABLE,
    level: 'error',
    message:
      'Loupe could not open your saved sign-ins: the keychain is unavailable or refused access. Your saved file was left untouched. Unlock the keychain and choose Retry, or Reset to sign in again from scratch.',
    actions: [
      { label: 'Retry', command: 'accounts.retryKeychain' },
      { label: 'Reset', command: 'accounts.resetVault' },
    ],
  };
}

/** The key provider never answered (a Secret Service waiting on an unlock prompt, or hung): same actions, its own words. */
export function keychainNotAnsweringNotice(): Notice {
  return {
    ...keychainUnavailableNotice(),
    message:
      'The keychain is not answering, so Loupe has not opened your saved sign-ins. Nothing was lost: the saved file is untouched. Unlock your keyring (or restart its service) and choose Retry.',
  };
}

export function vaultRecoveredNotice(movedTo: string): Notice {
  return {
    id: 'vault-recovered',
    level: 'error',
    message: `Your saved sign-in could not be read (the file is damaged), so you will need to sign in again. The old file was kept as ${movedTo}; Loupe deletes it after your next sign-in or in 30 days.`,
  };
}

export function noKeychainNotice(): Notice {
  return {
    id: 'vault-memory-only',
    level: 'warning',
    message: 'Your system offers no keychain Loupe can use, so your sign-in is kept in memory only and ends when Loupe quits.',
  };
}

export function weakBackendNotice(backend: string): Notice {
  return {
    id: 'vault-memory-only',
    level: 'warning',
    message: `No secure keychain was found (Linux "${backend.slice(0, 40)}" storage does not encrypt with a secret key), so Loupe keeps your sign-in in memory only and you will sign in again after quitting. You can allow weak storage in Settings.`,
  };
}
