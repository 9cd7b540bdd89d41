/**
 * Readiness rules: what a person may do with an account, decided once here and
 * published in AppState (`account.can`) with the reason when not. The renderer,
 * the tray and the commands all follow these answers.
 */
import type { Ability, AccountAbilities, AccountStatus } from '../../contract';
import { PLAN_USAGE_SCOPE } from '../oauth/endpoints';
import { LoupeError } from '../kernel/errors';
import type { Account } from './vault/vault-schema';

const allowed: Ability = { allowed: true, reason: null };
const refused = (reason: string): Ability => ({ allowed: false, reason });

/** Whether this account may be used for model calls now; the one rule behind analysing and listing models. */
export function modelAccess(account: Account | undefined, status: AccountStatus): Ability {
  if (!account || status === 'signed_out') return refused('Sign in first.');
  if (status === 'needs_sign_in')
    return refused(account.kind === 'api_key' ? 'The server rejected this API key. Add it again.' : 'Sign in again to use this account.');
  if (account.kind === 'chatgpt' && !planUsage(account))
    return refused('ChatGPT plan usage is not enabled for this sign-in. Enable it, or use an API key instead.');
  return allowed;
}

/**
 * Whether this account may run a job through the Batch API (half price, results within 24 h): only
 * where its server has `/v1/files` and `/v1/batches` for `/v1/responses`. ChatGPT-plan sign-ins have
 * no Batch API, and a server reached through Chat Completions has no Responses API to batch.
 */
export function batchAccess(account: Account | undefined, status: AccountStatus): Ability {
  const models = modelAccess(account, status);
  if (!models.allowed) return models;
  if (account!.kind === 'chatgpt') return refused('Batch mode needs an OpenAI API key: ChatGPT-plan sign-ins have no Batch API.');
  const chat = account!.kind === 'api_key' ? account!.useChatCompletions : account!.provider.useChatCompletions;
  if (chat) return refused('Batch mode needs the Responses API; this account uses Chat Completions.');
  return allowed;
}

/** What a person may do with an account: the only place these rules are decided. */
export function abilities(account: Account | undefined, status: AccountStatus): AccountAbilities {
  const models = modelAccess(account, status);
  const refresh =
    !account || status === 'signed_out'
      ? refused('Sign in first.')
      : account.kind === 'api_key'
        ? refused('API keys do not expire; there is nothing to refresh.')
        : account.tokens?.refreshToken || account.pendingRefresh
          ? allowed
          : refused('This sign-in cannot be renewed; sign in again when it expires.');
  const signOut = account && (account.kind === 'api_key' || status !== 'signed_out') ? allowed : refused('You are not signed in.');
  return { analyse: models, batch: batchAccess(account, status), listModels: models, refresh, signOut };
}

export function planUsage(account: Account | undefined): boolean {
  return account?.kind === 'chatgpt' && (account.tokens?.scopes.includes(PLAN_USAGE_SCOPE) ?? false);
}

/** Refuses a model call (listing or analysing) the rules above do not allow, with the same reason the screen shows. */
export function requireModelAccess(account: Account | undefined, status: AccountStatus): asserts account is Account {
  const access = modelAccess(account, status);
  if (!access.allowed)
    throw new LoupeError(account && status === 'signed_in' ? 'plan_usage_disabled' : 'signed_out', access.reason ?? 'Sign in first.');
}
