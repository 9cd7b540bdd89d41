/**
 * Encrypted persistence for everything secret: tokens, ID tokens and the
 * issued client registrations. One encrypted blob in the `vault` store, written
 * through the Cipher (OS keychain in the app), so a write is atomic and a
 * crash leaves the old or the new vault. On Linux only the backends that
 * really encrypt (libsecret, KWallet) count as a keychain; anything else
 * (`basic_text` uses a hard-coded key, `unknown`) means memory only unless the
 * person allowed weak storage in a main-process dialog.
 *
 * Two failures are kept apart. A keychain that is unavailable or refuses
 * access (isAvailable() false, decrypt throws) says nothing about the file:
 * it stays untouched and the person can Retry or Reset. Only a file that
 * cannot be parsed, or decrypts to something that is not a vault, is corrupt
 * and set aside (see corrupt-copies.ts for when those copies are deleted).
 */
import type { TokenStorage, Notice } from '../../../contract';
import type { Cipher, KeyValueStore, Logger } from '../../kernel/deps';
import { LoupeError } from '../../kernel/errors';
import { isWeakBackend } from './keychain-backend';
import { CorruptCopies } from './corrupt-copies';
import { STORE_KEY, type VaultRead, readVaultFile, writeVaultFile } from './vault-file';
import {
  NOTICE_KEYCHAIN_UNAVAILABLE,
  keychainNotAnsweringNotice,
  keychainUnavailableNotice,
  noKeychainNotice,
  vaultRecoveredNotice,
  weakBackendNotice,
} from './vault-notices';
import { type Account, EMPTY_VAULT, type VaultData, VaultDataSchema } from './vault-schema';

export interface VaultOpenOptions {
  cipher: Cipher;
  store: KeyValueStore;
  allowWeakStorage: boolean;
  log: Logger;
  /** process.platform of the app; the Linux backend allowlist applies only on 'linux'. */
  platform?: string;
  /** The clock (deps.clock.now): when a corrupt vault was set aside, and when to delete it. */
  now: () => number;
  /** The store file itself did not parse and was renamed here when it was opened. */
  recoveredFrom?: string | undefined;
  /** A notice was added or removed after opening (the keychain failed mid-session). */
  onNotices?: () => void;
}

export class Vault {
  #data: VaultData = EMPTY_VAULT;
  #mode: TokenStorage = 'memory';
  #writes: Promise<void> = Promise.resolve();
  /** The keychain refused: the saved file is left untouched and nothing is written over it. */
  #locked = false;
  /** safeStorage asked for the data to be encrypted again (a rotated key); the repository saves it. */
  #reEncrypt = false;
  readonly notices: Notice[] = [];
  readonly corruptCopies: CorruptCopies;

  private constructor(private readonly options: VaultOpenOptions) {
    this.corruptCopies = new CorruptCopies(options.store, options.now, options.log);
  }

  static async open(options: VaultOpenOptions): Promise<Vault> {
    const vault = new Vault(options);
    await vault.#init(options.allowWeakStorage);
    return vault;
  }

  get mode(): TokenStorage {
    return this.#mode;
  }

  /** The saved vault could not be opened because the keychain is unavailable or refused access. */
  get keychainUnavailable(): boolean {
    return this.#locked;
  }

  get needsReEncrypt(): boolean {
    return this.#reEncrypt;
  }

  data(): VaultData {
    return this.#data;
  }

  active(): Account | undefined {
    return this.#data.accounts.find((a) => a.id === this.#data.activeAccountId);
  }

  account(id: string): Account | undefined {
    return this.#data.accounts.find((a) => a.id === id);
  }

  /**
   * Applies a change and persists it before resolving. Writes are serialised
   * so that a later write never lands before an earlier one.
   */
  update(mutate: (data: VaultData) => VaultData): Promise<void> {
    const run = async () => {
      const next = VaultDataSchema.parse(mutate(this.#data));
      if (this.#mode !== 'memory') {
        try {
          await this.#persist(next);
        } catch (error) {
          // The keychain went away (locked, access revoked) mid-session: keep
          // the change in memory, leave the file as it was, offer Retry/Reset.
          this.options.log.warn('vault encryption failed; keeping sign-ins in memory', { error: error instanceof Error ? error.name : typeof error });
          this.#mode = 'memory';
          this.#locked = true;
          this.#lockedNotice();
        }
      }
      this.#data = next;
    };
    const result = this.#writes.then(run, run);
    this.#writes = result.catch(() => {});
    return result;
  }

  /** The person changed the weak-storage setting (only matters for a weak backend, see isWeakBackend). */
  async setWeakStorageAllowed(allowed: boolean): Promise<void> {
    if (!this.#weakBackend() || this.#locked || !(await this.options.cipher.isAvailable())) return;
    if (allowed && this.#mode === 'memory') {
      this.#mode = 'weak';
      await this.update((d) => d);
    } else if (!allowed && this.#mode === 'weak') {
      this.#mode = 'memory';
      await this.options.store.delete(STORE_KEY);
    }
  }

  /** Saves the same data again, encrypted afresh (safeStorage's shouldReEncrypt). */
  async reEncrypt(): Promise<void> {
    if (!this.#reEncrypt || this.#mode === 'memory') return;
    await this.update((d) => d);
    this.#reEncrypt = false;
  }

  /**
   * Try the keychain again after it was unavailable or refused access. On
   * success the saved accounts come back, merged with any signed in since
   * (those win), and the vault is saved; otherwise nothing changes.
   */
  async retryKeychain(): Promise<TokenStorage> {
    if (!this.#locked) return this.#mode;
    const loaded = await this.#read();
    if (loaded.kind === 'locked') {
      throw new LoupeError(
        'keychain_unavailable',
        'The keychain is still unavailable or refused access. Unlock it (or allow Loupe) and retry, or reset the saved sign-ins.',
        {
          retryable: true,
        },
      );
    }
    this.#locked = false;
    this.#dropNotice(NOTICE_KEYCHAIN_UNAVAILABLE);
    this.#mode = this.#storageMode();
    if (loaded.kind === 'corrupt') {
      await this.#setAsideCorrupt();
    } else if (loaded.kind === 'ok') {
      const current = this.#data;
      const ids = new Set(current.accounts.map((a) => a.id));
      this.#data = VaultDataSchema.parse({
        ...loaded.data,
        accounts: [...loaded.data.accounts.filter((a) => !ids.has(a.id)), ...current.accounts],
        activeAccountId: current.activeAccountId ?? loaded.data.activeAccountId,
      });
    }
    if (this.#mode !== 'memory') await this.update((d) => d);
    if (this.#locked)
      throw new LoupeError('keychain_unavailable', 'The keychain refused to save your sign-ins. Unlock it (or allow Loupe) and retry.', {
        retryable: true,
      });
    return this.#mode;
  }

  /** Give up the saved sign-ins the keychain will not open: delete the file and start a vault that can be saved. */
  async reset(): Promise<TokenStorage> {
    await this.options.store.delete(STORE_KEY);
    this.#locked = false;
    this.#dropNotice(NOTICE_KEYCHAIN_UNAVAILABLE);
    this.#mode = (await this.options.cipher.isAvailable()) ? this.#storageMode() : 'memory';
    if (this.#mode !== 'memory') await this.update((d) => d);
    return this.#mode;
  }

  #weakBackend(): boolean {
    const platform = this.options.platform ?? process.platform;
    // Outside Linux the backend name is only a label; keep the old basic_text rule there for tests.
    return isWeakBackend(platform, this.options.cipher.backend()) || this.options.cipher.backend() === 'basic_text';
  }

  #storageMode(): TokenStorage {
    if (!this.#weakBackend()) return 'keychain';
    return this.options.allowWeakStorage || this.#mode === 'weak' ? 'weak' : 'memory';
  }

  #dropNotice(id: string): void {
    const at = this.notices.findIndex((n) => n.id === id);
    if (at !== -1) this.notices.splice(at, 1);
  }

  async #read(): Promise<VaultRead> {
    const loaded = await readVaultFile(this.options.cipher, this.options.store);
    if (loaded.kind === 'ok' || loaded.kind === 'corrupt') this.#reEncrypt = loaded.reEncrypt;
    return loaded;
  }

  async #setAsideCorrupt(): Promise<void> {
    const { store, log } = this.options;
    log.warn('vault unreadable; set aside');
    // setAside() empties the store, ledger included: carry the ledger over.
    const earlier = this.corruptCopies.entries();
    const movedTo = await store.setAside();
    for (const entry of earlier) await this.corruptCopies.record(entry.path);
    await this.corruptCopies.record(movedTo);
    this.notices.push(vaultRecoveredNotice(movedTo));
  }

  #lockedNotice(notice: Notice = keychainUnavailableNotice()): void {
    if (this.notices.some((n) => n.id === NOTICE_KEYCHAIN_UNAVAILABLE)) return;
    queueMicrotask(() => this.options.onNotices?.());
    this.notices.push(notice);
  }

  async #init(allowWeak: boolean): Promise<void> {
    const { cipher, store } = this.options;
    if (this.options.recoveredFrom) await this.corruptCopies.record(this.options.recoveredFrom);
    let available: boolean;
    try {
      available = await cipher.isAvailable();
    } catch {
      // The key provider did not answer in time (Cipher.isAvailable): nothing is read or written, Retry asks again.
      this.#mode = 'memory';
      this.#locked = true;
      this.#lockedNotice(keychainNotAnsweringNotice());
      return;
    }
    if (!available) {
      this.#mode = 'memory';
      if (store.get(STORE_KEY) !== undefined) {
        this.#locked = true;
        this.#lockedNotice();
        return;
      }
      this.notices.push(noKeychainNotice());
      return;
    }
    if (this.#weakBackend() && !allowWeak) {
      this.#mode = 'memory';
      this.notices.push(weakBackendNotice(cipher.backend()));
      return;
    }
    this.#mode = this.#weakBackend() ? 'weak' : 'keychain';
    const loaded = await this.#read();
    if (loaded.kind === 'ok') this.#data = loaded.data;
    else if (loaded.kind === 'corrupt') await this.#setAsideCorrupt();
    else if (loaded.kind === 'locked') {
      // Memory mode never writes, so the file stays exactly as it was.
      this.#mode = 'memory';
      this.#locked = true;
      this.#lockedNotice();
    }
  }

  async #persist(data: VaultData): Promise<void> {
    await writeVaultFile(this.options.cipher, this.options.store, data);
  }
}
