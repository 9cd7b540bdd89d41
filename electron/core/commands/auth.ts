import type { Accounts } from '../accounts/accounts';
import type { AccountRepository } from '../accounts/repository';
import type { DomainCommands } from './handlers';
import { LoupeError } from '../kernel/errors';
import type { ModelCatalog } from '../models/catalogue';
import type { AuthController } from '../sign-in/controller';

export function authCommands(ctx: {
  auth: AuthController;
  accounts: Accounts;
  records: AccountRepository;
  models: ModelCatalog;
  invalidate(): void;
}): DomainCommands<'auth'> {
  const { auth, accounts, models } = ctx;
  return {
    'auth.signIn': async (target) => auth.start(target),
    'auth.cancelSignIn': async () => auth.cancel(),
    'auth.copySignInLink': async () => auth.copyLink(),
    'auth.submitRedirectUrl': async ({ url }) => auth.submitRedirectUrl(url),
    'auth.refreshNow': async ({ accountId }) => {
      const account = accounts.require(accounts.target(accountId));
      if (account.kind === 'api_key') throw new LoupeError('not_oauth', 'API keys do not expire; there is nothing to refresh.');
      if (!account.tokens && !account.pendingRefresh) throw new LoupeError('signed_out', 'Sign in first.');
      await accounts.session(account.id).refresh({ force: true });
    },
    'auth.signOut': async ({ accountId }) => {
      auth.cancel();
      const result = await accounts.signOut(accounts.target(accountId));
      models.followActiveAccount();
      return result;
    },
    'auth.dismissPlanWelcome': async () => {
      const account = accounts.active();
      if (account?.kind === 'chatgpt') await ctx.records.markWelcomeShown(account.id);
      ctx.invalidate();
    },
  };
}
