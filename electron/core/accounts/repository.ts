/**
 * The one writer of account records. Sign-in flows, sessions and commands say
 * what happened (a registration was issued, a refresh arrived, the grant
 * ended) and this module decides how the saved record changes, so every rule
 * about a record (what stays after sign-out, which account becomes active) is
 * written once. A unit test fails if anything else calls the vault's writes.
 */
import type { CommandError, TokenStorage } from '../../contract';
import type { Vault } from './vault/vault';
import type { PendingRefresh, SignedInIdentity, TokenSet } from '../oauth/token-set';
import { type Account, type ChatGptAccount, type OAuthAccount, isOAuthAccount } from './vault/vault-schema';

/** A ChatGPT registration whose first code exchange never finished is not an account yet. */
export const isPendingRegistration = (a: Account): a is ChatGptAccount => a.kind === 'chatgpt' && a.subject === null;

export class AccountRepository {
  constructor(private readonly vault: Vault) {}

  get storage(): TokenStorage {
    return this.vault.mode;
  }

  get activeId(): string | null {
    return this.vault.data().activeAccountId;
  }

  /** Every saved record, pending registrations included. */
  all(): Account[] {
    return this.vault.data().accounts;
  }

  /** The accounts a person sees. */
  list(): Account[] {
    return this.all().filter((a) => !isPendingRegistration(a));
  }

  get(id: string): Account | undefined {
    return this.vault.account(id);
  }

  active(): Account | undefined {
    return this.vault.active();
  }

  pendingRegistration(): ChatGptAccount | undefined {
    return this.all().find(isPendingRegistration);
  }

  /** Saves an issued ChatGPT client id before its one-time code is spent, so a retry reuses it. */
  registerPendingClient(account: ChatGptAccount): Promise<void> {
    return this.vault.update((data) => ({ ...data, accounts: [...data.accounts, account] }));
  }

  /** A verified code exchange: the new tokens replace any old session, and the account becomes active. */
  completeSignIn(id: string, identity: SignedInIdentity, tokens: TokenSet): Promise<void> {
    return this.vault.update((data) => ({
      ...data,
      activeAccountId: id,
      accounts: data.accounts.map((a) =>
        a.id === id && isOAuthAccount(a)
          ? {
              ...a,
              subject: identity.subject ?? a.subject,
              email: identity.email ?? a.email,
              name: identity.name ?? a.name,
              tokens,
              pendingRefresh: undefined,
              problem: undefined,
              lastRefreshAt: null,
            }
          : a,
      ),
    }));
  }

  /** A refresh response saved before its ID token is verified: the consumed refresh token is never sent again. */
  checkpointRefresh(id: string, checkpoint: PendingRefresh): Promise<void> {
    return this.#updateOAuth(id, (a) => ({ ...a, pendingRefresh: checkpoint }));
  }

  /** A verified refresh: the checkpoint becomes the session. */
  recordRefresh(id: string, tokens: TokenSet, at: number): Promise<void> {
    return this.#updateOAuth(id, (a) => ({ ...a, tokens, pendingRefresh: undefined, problem: undefined, lastRefreshAt: at }));
  }

  /**
   * The grant is gone (signed out, revoked, expired): drop the unusable tokens
   * and keep the registration, with the reason when the person did not ask for it.
   */
  endGrant(id: string, problem?: CommandError): Promise<void> {
    return this.#updateOAuth(id, (a) => ({
      ...a,
      tokens: undefined,
      pendingRefresh: undefined,
      problem: problem ? { code: problem.code, message: problem.message } : undefined,
    }));
  }

  markWelcomeShown(id: string): Promise<void> {
    return this.vault.update((data) => ({
      ...data,
      accounts: data.accounts.map((a) => (a.id === id && a.kind === 'chatgpt' ? { ...a, welcomeShown: true } : a)),
    }));
  }

  add(account: Account, options: { activate: boolean }): Promise<void> {
    return this.vault.update((data) => ({
      ...data,
      accounts: [...data.accounts, account],
      ...(options.activate ? { activeAccountId: account.id } : {}),
    }));
  }

  /** Deletes the record; when it was active, the first remaining account takes over. */
  forget(id: string): Promise<void> {
    return this.vault.update((data) => {
      const accounts = data.accounts.filter((a) => a.id !== id);
      const activeAccountId = data.activeAccountId === id ? (accounts.find((a) => !isPendingRegistration(a))?.id ?? null) : data.activeAccountId;
      return { ...data, accounts, activeAccountId };
    });
  }

  switchTo(id: string): Promise<void> {
    return this.vault.update((data) => ({ ...data, activeAccountId: id }));
  }

  setWeakStorageAllowed(allowed: boolean): Promise<void> {
    return this.vault.setWeakStorageAllowed(allowed);
  }

  /** After the keychain was unavailable: open the untouched saved file again. */
  retryKeychain(): Promise<TokenStorage> {
    return this.vault.retryKeychain();
  }

  /** Delete the saved file the keychain will not open and start a vault that can be saved. */
  resetVault(): Promise<TokenStorage> {
    return this.vault.reset();
  }

  /** safeStorage asked for a fresh encryption (rotated OS key): save the same records again. */
  reEncryptIfAsked(): Promise<void> {
    return this.vault.reEncrypt();
  }

  /** Corrupt vault copies: `expired` at start-up (30 days), `all` after a new sign-in succeeded. */
  async purgeCorruptCopies(which: 'expired' | 'all'): Promise<number> {
    // While the keychain refuses, the vault store file is left byte for byte as it was.
    if (this.vault.keychainUnavailable) return 0;
    return which === 'all' ? this.vault.corruptCopies.purgeAll() : this.vault.corruptCopies.purgeExpired();
  }

  get keychainUnavailable(): boolean {
    return this.vault.keychainUnavailable;
  }

  #updateOAuth(id: string, change: (account: OAuthAccount) => OAuthAccount): Promise<void> {
    return this.vault.update((data) => ({ ...data, accounts: data.accounts.map((a) => (a.id === id && isOAuthAccount(a) ? change(a) : a)) }));
  }
}
