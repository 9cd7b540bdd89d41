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
 * and set aside (see set-aside.ts for when those copies are deleted).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type ErrorCode, type Notice, type TokenStorage, isErrorCode } from '../../contract';
import type { Cipher, KeyValueStore, Logger } from '../kernel/deps';
import { LoupeError } from '../kernel/errors';
import { SetAsideVaults } from './set-aside';

const TokenSetSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  idToken: z.string().min(1).optional(),
  expiresAt: z.number(),
  scopes: z.array(z.string()),
  earliestRefreshAt: z.number().optional(),
  savedAt: z.number(),
});
export type TokenSet = z.infer<typeof TokenSetSchema>;

const PendingRefreshSchema = z.object({
  /** The raw token-endpoint JSON, kept until its ID token is verified. */
  body: z.record(z.string(), z.unknown()),
  receivedAt: z.number(),
});
export type PendingRefresh = z.infer<typeof PendingRefreshSchema>;

// A code this version does not know (a newer Loupe wrote it) reads as needs_sign_in.
const ProblemSchema = z.object({ code: z.custom<ErrorCode>(isErrorCode).catch('needs_sign_in'), message: z.string() });

/** What every OAuth-backed account (ChatGPT or a custom provider) keeps about its session. */
const OAuthSessionFields = {
  /** The verified `sub`; null while a registration is pending or the provider has no ID token. */
  subject: z.string().nullable(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  registeredAt: z.number(),
  tokens: TokenSetSchema.optional(),
  pendingRefresh: PendingRefreshSchema.optional(),
  lastRefreshAt: z.number().nullable().default(null),
  /** Set when the grant is gone and the person must sign in again. */
  problem: ProblemSchema.optional(),
};

const ChatGptAccountSchema = z.object({
  id: z.string(),
  kind: z.literal('chatgpt'),
  issuer: z.string(),
  /** The issued `oaiapp_…` client id; saved before the first code exchange. */
  clientId: z.string(),
  welcomeShown: z.boolean().default(false),
  ...OAuthSessionFields,
});
export type ChatGptAccount = z.infer<typeof ChatGptAccountSchema>;

const CustomProviderSchema = z.object({
  /** Discovery (RFC 8414 / OIDC) issuer; or the explicit endpoints below. */
  issuer: z.string().optional(),
  authorizationEndpoint: z.string().optional(),
  tokenEndpoint: z.string().optional(),
  revocationEndpoint: z.string().optional(),
  jwksUri: z.string().optional(),
  clientId: z.string(),
  /** Present for confidential clients; a secret, so it lives only here, encrypted. */
  clientSecret: z.string().optional(),
  clientAuthMethod: z.enum(['none', 'client_secret_basic', 'client_secret_post']),
  scopes: z.array(z.string()),
  extraParams: z.record(z.string(), z.string()),
  apiBase: z.string(),
  useChatCompletions: z.boolean(),
});
export type CustomProvider = z.infer<typeof CustomProviderSchema>;

const CustomAccountSchema = z.object({
  id: z.string(),
  kind: z.literal('custom'),
  label: z.string(),
  provider: CustomProviderSchema,
  ...OAuthSessionFields,
});
export type CustomAccount = z.infer<typeof CustomAccountSchema>;

const ApiKeyAccountSchema = z.object({
  id: z.string(),
  kind: z.literal('api_key'),
  label: z.string(),
  baseUrl: z.string(),
  apiKey: z.string().min(1),
  useChatCompletions: z.boolean(),
  createdAt: z.number(),
  problem: ProblemSchema.optional(),
});
export type ApiKeyAccount = z.infer<typeof ApiKeyAccountSchema>;

const AccountSchema = z.discriminatedUnion('kind', [ChatGptAccountSchema, CustomAccountSchema, ApiKeyAccountSchema]);
export type Account = z.infer<typeof AccountSchema>;
export type OAuthAccount = ChatGptAccount | CustomAccount;

export function isOAuthAccount(account: Account | undefined): account is OAuthAccount {
  return account?.kind === 'chatgpt' || account?.kind === 'custom';
}

/** The OAuth client id a session uses: the issued SIWC registration, or the configured one. */
export function oauthClientId(account: OAuthAccount): string {
  return account.kind === 'chatgpt' ? account.clientId : account.provider.clientId;
}

const VaultDataSchema = z.object({
  version: z.literal(1),
  accounts: z.array(AccountSchema),
  activeAccountId: z.string().nullable(),
});
export type VaultData = z.infer<typeof VaultDataSchema>;

const EMPTY: VaultData = { version: 1, accounts: [], activeAccountId: null };
const STORE_KEY = 'vault';

export function newAccountId(): string {
  return randomUUID();
}

export interface VaultOpenOptions {
  cipher: Cipher;
  store: KeyValueStore;
  allowWeakStorage: boolean;
  log: Logger;
  /** process.platform of the app; the Linux backend allowlist applies only on 'linux'. */
  platform?: string;
  now?: () => number;
  /** The store file itself did not parse and was renamed here when it was opened. */
  recoveredFrom?: string | undefined;
  /** A notice was added or removed after opening (the keychain failed mid-session). */
  onNotices?: () => void;
}

/** safeStorage backends on Linux that encrypt with a secret the OS keeps (not a hard-coded key). */
export const SECURE_LINUX_BACKENDS: ReadonlySet<string> = new Set(['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']);

/** Whether this backend stores with a key anyone can know (Linux `basic_text`, `unknown`, anything new). */
export function isWeakBackend(platform: string, backend: string): boolean {
  return platform === 'linux' && !SECURE_LINUX_BACKENDS.has(backend);
}

export const NOTICE_KEYCHAIN_UNAVAILABLE = 'vault-keychain-unavailable';

/** Accepts both Cipher.decrypt shapes (see deps.ts). */
function decrypted(value: string | { result: string; shouldReEncrypt: boolean }): { plain: string; reEncrypt: boolean } {
  return typeof value === 'string' ? { plain: value, reEncrypt: false } : { plain: value.result, reEncrypt: value.shouldReEncrypt };
}

export class Vault {
  #data: VaultData = EMPTY;
  #mode: TokenStorage = 'memory';
  #writes: Promise<void> = Promise.resolve();
  /** The keychain refused: the saved file is left untouched and nothing is written over it. */
  #locked = false;
  /** safeStorage asked for the data to be encrypted again (a rotated key); the repository saves it. */
  #reEncrypt = false;
  readonly notices: Notice[] = [];
  readonly setAside: SetAsideVaults;

  private constructor(private readonly options: VaultOpenOptions) {
    this.setAside = new SetAsideVaults(options.store, options.now ?? Date.now, options.log);
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
      this.options.store.delete(STORE_KEY);
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
      this.#setAsideCorrupt();
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
    this.options.store.delete(STORE_KEY);
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

  async #read(): Promise<{ kind: 'none' } | { kind: 'ok'; data: VaultData } | { kind: 'locked' } | { kind: 'corrupt' }> {
    const { cipher, store } = this.options;
    const stored = store.get(STORE_KEY);
    if (stored === undefined) return { kind: 'none' };
    const envelope = z.object({ v: z.literal(1), data: z.string() }).safeParse(stored);
    if (!envelope.success) return { kind: 'corrupt' };
    let plain: string;
    try {
      if (!(await cipher.isAvailable())) return { kind: 'locked' };
      const result = decrypted(await cipher.decrypt(Buffer.from(envelope.data.data, 'base64')));
      plain = result.plain;
      this.#reEncrypt = result.reEncrypt;
    } catch {
      // safeStorage throws the same way for a locked keychain, a denied
      // prompt and a key it no longer has: none proves the file is bad.
      return { kind: 'locked' };
    }
    try {
      return { kind: 'ok', data: VaultDataSchema.parse(JSON.parse(plain)) };
    } catch {
      return { kind: 'corrupt' };
    }
  }

  #setAsideCorrupt(): void {
    const { store, log } = this.options;
    log.warn('vault unreadable; set aside');
    // setAside() empties the store, ledger included: carry the ledger over.
    const earlier = this.setAside.entries();
    const movedTo = store.setAside();
    for (const entry of earlier) this.setAside.record(entry.path);
    this.setAside.record(movedTo);
    this.notices.push({
      id: 'vault-recovered',
      level: 'error',
      message: `Your saved sign-in could not be read (the file is damaged), so you will need to sign in again. The old file was kept as ${movedTo}; Loupe deletes it after your next sign-in or in 30 days.`,
    });
  }

  #lockedNotice(): void {
    if (this.notices.some((n) => n.id === NOTICE_KEYCHAIN_UNAVAILABLE)) return;
    queueMicrotask(() => this.options.onNotices?.());
    this.notices.push({
      id: NOTICE_KEYCHAIN_UNAVAILABLE,
      level: 'error',
      message:
        'Loupe could not open your saved sign-ins: the keychain is unavailable or refused access. Your saved file was left untouched. Unlock the keychain and choose Retry, or Reset to sign in again from scratch.',
      actions: [
        { label: 'Retry', command: 'accounts.retryKeychain' },
        { label: 'Reset', command: 'accounts.resetVault' },
      ],
    });
  }

  async #init(allowWeak: boolean): Promise<void> {
    const { cipher, store } = this.options;
    if (this.options.recoveredFrom) this.setAside.record(this.options.recoveredFrom);
    if (!(await cipher.isAvailable())) {
      this.#mode = 'memory';
      if (store.get(STORE_KEY) !== undefined) {
        this.#locked = true;
        this.#lockedNotice();
        return;
      }
      this.notices.push({
        id: 'vault-memory-only',
        level: 'warning',
        message: 'Your system offers no keychain Loupe can use, so your sign-in is kept in memory only and ends when Loupe quits.',
      });
      return;
    }
    if (this.#weakBackend() && !allowWeak) {
      this.#mode = 'memory';
      this.notices.push({
        id: 'vault-memory-only',
        level: 'warning',
        message: `No secure keychain was found (Linux "${cipher.backend().slice(0, 40)}" storage does not encrypt with a secret key), so Loupe keeps your sign-in in memory only and you will sign in again after quitting. You can allow weak storage in Settings.`,
      });
      return;
    }
    this.#mode = this.#weakBackend() ? 'weak' : 'keychain';
    const loaded = await this.#read();
    if (loaded.kind === 'ok') this.#data = loaded.data;
    else if (loaded.kind === 'corrupt') this.#setAsideCorrupt();
    else if (loaded.kind === 'locked') {
      // Memory mode never writes, so the file stays exactly as it was.
      this.#mode = 'memory';
      this.#locked = true;
      this.#lockedNotice();
    }
  }

  async #persist(data: VaultData): Promise<void> {
    const encrypted = await this.options.cipher.encrypt(JSON.stringify(data));
    this.options.store.set(STORE_KEY, { v: 1, data: encrypted.toString('base64') });
  }
}
