/**
 * Encrypted persistence for everything secret: tokens, ID tokens and the
 * issued client registrations. One encrypted blob in the `vault` store, written
 * through the Cipher (OS keychain in the app), so a write is atomic and a
 * crash leaves the old or the new vault. Linux's `basic_text` backend uses a
 * hard-coded key, so Loupe refuses it and keeps the vault in memory unless the
 * person opted in to weak storage.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type ErrorCode, type Notice, type TokenStorage, isErrorCode } from '../../contract';
import type { Cipher, KeyValueStore, Logger } from '../kernel/deps';

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
}

export class Vault {
  #data: VaultData = EMPTY;
  #mode: TokenStorage = 'memory';
  #writes: Promise<void> = Promise.resolve();
  readonly notices: Notice[] = [];

  private constructor(private readonly options: VaultOpenOptions) {}

  static async open(options: VaultOpenOptions): Promise<Vault> {
    const vault = new Vault(options);
    await vault.#init(options.allowWeakStorage);
    return vault;
  }

  get mode(): TokenStorage {
    return this.#mode;
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
      if (this.#mode !== 'memory') await this.#persist(next);
      this.#data = next;
    };
    const result = this.#writes.then(run, run);
    this.#writes = result.catch(() => {});
    return result;
  }

  /** The person changed the weak-storage setting (only matters on Linux's basic_text backend). */
  async setWeakStorageAllowed(allowed: boolean): Promise<void> {
    if (this.options.cipher.backend() !== 'basic_text' || !(await this.options.cipher.isAvailable())) return;
    if (allowed && this.#mode === 'memory') {
      this.#mode = 'weak';
      await this.update((d) => d);
    } else if (!allowed && this.#mode === 'weak') {
      this.#mode = 'memory';
      this.options.store.delete(STORE_KEY);
    }
  }

  async #init(allowWeak: boolean): Promise<void> {
    const { cipher, store, log } = this.options;
    if (!(await cipher.isAvailable())) {
      this.#mode = 'memory';
      this.notices.push({
        id: 'vault-memory-only',
        level: 'warning',
        message: 'Your system offers no keychain Loupe can use, so your sign-in is kept in memory only and ends when Loupe quits.',
      });
      return;
    }
    if (cipher.backend() === 'basic_text' && !allowWeak) {
      this.#mode = 'memory';
      this.notices.push({
        id: 'vault-memory-only',
        level: 'warning',
        message:
          'No secure keychain was found (Linux "basic_text" storage uses a hard-coded key), so Loupe keeps your sign-in in memory only and you will sign in again after quitting. You can allow weak storage in Settings.',
      });
      return;
    }
    this.#mode = cipher.backend() === 'basic_text' ? 'weak' : 'keychain';
    const stored = store.get(STORE_KEY);
    if (stored === undefined) return;
    try {
      const envelope = z.object({ v: z.literal(1), data: z.string() }).parse(stored);
      const plain = await cipher.decrypt(Buffer.from(envelope.data, 'base64'));
      this.#data = VaultDataSchema.parse(JSON.parse(plain));
    } catch {
      log.warn('vault unreadable; set aside');
      const movedTo = store.setAside();
      this.notices.push({
        id: 'vault-recovered',
        level: 'error',
        message: `Your saved sign-in could not be read (the file may be damaged or come from another computer), so you will need to sign in again. The old file was kept as ${movedTo}.`,
      });
    }
  }

  async #persist(data: VaultData): Promise<void> {
    const encrypted = await this.options.cipher.encrypt(JSON.stringify(data));
    this.options.store.set(STORE_KEY, { v: 1, data: encrypted.toString('base64') });
  }
}
