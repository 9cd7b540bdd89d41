/** How an account's API calls authenticate: an API key as is, an OAuth account through its session. */
import type { AccountKind } from '../../contract';
import type { Endpoints } from '../oauth/endpoints';
import { LoupeError } from '../kernel/errors';
import { labelOf } from './account-label';
import type { Session } from './session';
import type { ApiKeyAccount, OAuthAccount } from './vault/vault-schema';

/** How an account's API calls authenticate and which wire rules apply. */
export interface AccountAccess {
  id: string;
  kind: AccountKind;
  label: string;
  apiBase: URL;
  /** Send analyses through Chat Completions (servers without /v1/responses). */
  useChatCompletions: boolean;
  /** ChatGPT plan rules apply (store:false, stream:true, no unsupported fields). */
  planRules: boolean;
  accessToken(): Promise<string>;
  afterUnauthorized(failedToken: string): Promise<string>;
}

/** The key is read afresh for every call, so a key edited or removed takes effect at once. */
export function apiKeyAccess(account: ApiKeyAccount, current: () => ApiKeyAccount | undefined): AccountAccess {
  return {
    id: account.id,
    kind: 'api_key',
    label: account.label,
    apiBase: new URL(account.baseUrl),
    useChatCompletions: account.useChatCompletions,
    planRules: false,
    accessToken: async () => {
      const key = current();
      if (!key) throw new LoupeError('unknown_account', 'That account no longer exists.');
      return key.apiKey;
    },
    afterUnauthorized: async () => {
      throw new LoupeError('invalid_api_key', `The server no longer accepts the API key of ${account.label}. Add it again with a valid key.`);
    },
  };
}

/** An OAuth account's calls go through its own session, so a job keeps its account while the person switches. */
export function oauthAccess(account: OAuthAccount, session: Session, endpoints: Endpoints): AccountAccess {
  return {
    id: account.id,
    kind: account.kind,
    label: labelOf(account),
    apiBase: account.kind === 'chatgpt' ? endpoints.apiBase : new URL(account.provider.apiBase),
    useChatCompletions: account.kind === 'custom' ? account.provider.useChatCompletions : false,
    planRules: account.kind === 'chatgpt',
    accessToken: () => session.accessToken(),
    afterUnauthorized: (token) => session.afterUnauthorized(token),
  };
}
