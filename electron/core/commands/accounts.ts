import type { AuthController } from '../sign-in/controller';
import { PRODUCTION_API_BASE } from '../oauth/endpoints';
import { type Confirm, requireConfirmation } from '../kernel/confirm';
import { checkProviderUrl, parseCustomProvider } from '../oauth/provider-config';
import { apiKeyConfirmation, customProviderConfirmation, refuseOpenAiEndpoints } from '../oauth/trusted-origins';
import type { Clock, Logger } from '../kernel/deps';
import type { DomainCommands } from './handlers';
import { LoupeError, logCode } from '../kernel/errors';
import { withoutTrailingSlash } from '../kernel/urls';
import { type ModelCatalog, fetchModels } from '../models/catalogue';
import type { AccountAccess } from '../accounts/account-access';
import type { Accounts } from '../accounts/accounts';
import type { AccountRepository } from '../accounts/repository';

export function accountCommands(ctx: {
  accounts: Accounts;
  auth: AuthController;
  models: ModelCatalog;
  records: AccountRepository;
  confirm: Confirm;
  afterVaultChange(): void;
  fetch: typeof fetch;
  log: Logger;
  clock: Clock;
}): DomainCommands<'accounts'> {
  const { accounts, models } = ctx;
  return {
    'accounts.switch': async ({ accountId }) => {
      await accounts.switchTo(accountId);
      models.followActiveAccount();
    },
    'accounts.retryKeychain': async () => {
      const storage = await ctx.records.retryKeychain();
      ctx.afterVaultChange();
      return { storage };
    },
    'accounts.resetVault': async () => {
      await requireConfirmation(ctx.confirm, {
        title: 'Reset saved sign-ins?',
        message: 'Loupe will delete the saved sign-ins it could not open and start afresh. You will sign in again.',
        detail: 'Choose Retry instead if your keychain is only locked.',
        confirmLabel: 'Reset',
      });
      const storage = await ctx.records.resetVault();
      ctx.afterVaultChange();
      return { storage };
    },
    'accounts.forget': async ({ accountId }) => {
      const result = await accounts.forget(accountId);
      await models.forget(accountId);
      models.followActiveAccount();
      return result;
    },
    'accounts.addApiKey': async ({ label, baseUrl, apiKey, useChatCompletions }) => {
      const base = checkProviderUrl(baseUrl || PRODUCTION_API_BASE, 'Base URL');
      // Before the key is sent anywhere (the check below lists models with it).
      const question = apiKeyConfirmation(base);
      if (question) await requireConfirmation(ctx.confirm, question);
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
      const provider = parseCustomProvider(input);
      refuseOpenAiEndpoints(provider);
      // Before anything is saved or the provider's authorize URL is opened.
      await requireConfirmation(ctx.confirm, customProviderConfirmation(label, provider));
      const accountId = await accounts.addCustom(label, provider);
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
