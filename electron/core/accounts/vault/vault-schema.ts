/**
 * The shape of everything the vault keeps (validated on every read and
 * write): the accounts of each kind, their tokens and pending refresh
 * checkpoints (oauth/token-set.ts), a custom provider's configuration
 * (oauth/provider-config.ts), and which account is active.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type ErrorCode, isErrorCode } from '../../../contract';
import { CustomProviderSchema } from '../../oauth/provider-config';
import { PendingRefreshSchema, TokenSetSchema } from '../../oauth/token-set';

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

export const VaultDataSchema = z.object({
  version: z.literal(1),
  accounts: z.array(AccountSchema),
  activeAccountId: z.string().nullable(),
});
export type VaultData = z.infer<typeof VaultDataSchema>;

export const EMPTY_VAULT: VaultData = { version: 1, accounts: [], activeAccountId: null };

export function newAccountId(): string {
  return randomUUID();
}
