import type { AuthController } from '../auth/controller';
import { PRODUCTION_API_BASE } from '../auth/endpoints';
import { checkProviderUrl } from '../auth/profile';
import type { Clock, Logger } from '../kernel/deps';
import type { DomainCommands } from '../kernel/commands';
import { LoupeError, logCode } from '../kernel/errors';
import { withoutTrailingSlash } from '../kernel/urls';
import { type ModelCatalog, fetchModels } from '../models/catalogue';
import { type AccountAccess, type Accounts, parseCustomProvider } from './accounts';

export function accountCommands(ctx: { accounts: Accounts; auth: AuthController; models: ModelCatalog; fetch: typeof fetch; log: Logger; clock: Clock }): DomainCommands<'accounts'> {
  const { accounts, models } = ctx;
  return {
    'accounts.switch': async ({ accountId }) => {
      await accounts.switchTo(accountId);
      models.followActiveAccount();
    },
    'accounts.forget': async ({ accountId }) => {
      const result = await accounts.forget(accountId);
      models.forget(accountId);
      models.followActiveAccount();
      return result;
    },
    'accounts.addApiKey': async ({ label, baseUrl, apiKey, useChatCompletions }) => {
      const base = checkProviderUrl(baseUrl || PRODUCTION_API_BASE, 'Base URL');
      const candidate: AccountAccess = {
        id: 'candidate',
        kind: 'api_key',
        label: label || base.host,
        apiBase: base,
        useChatCompletions: useChatCompletions ?? false,
        planRules: false,
        accessToken: async () => apiKey,
        afterUnauthorized: async (): Promise<string> => {
          throw new LoupeError('invalid_api_key', 'The server rejected this API key.');
        },
      };
      // Check the key before anything is saved: a failed check leaves no trace.
      await fetchModels(candidate, ctx.fetch, ctx.log, ctx.clock);
      const accountId = await accounts.addApiKey({
        label: candidate.label,
        baseUrl: withoutTrailingSlash(base.href),
        apiKey,
        useChatCompletions: candidate.useChatCompletions,
      });
      models.followActiveAccount();
      return { accountId };
    },
    'accounts.addCustom': async ({ label, ...input }) => {
      const accountId = await accounts.addCustom(label, parseCustomProvider(input));
      try {
        await ctx.auth.start({ accountId });
      } catch (error) {
        // The provider is saved either way; the person can retry its sign-in from the switcher.
        ctx.log.warn('custom provider sign-in did not start', { code: logCode(error) ?? 'unknown' });
        throw error;
      }
      return { accountId };
    },
  };
}
