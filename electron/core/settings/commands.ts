import type { Accounts } from '../accounts/accounts';
import type { AccountRepository } from '../accounts/repository';
import type { DomainCommands } from '../kernel/commands';
import type { Settings } from './settings';

export function settingsCommands(ctx: { settings: Settings; records: AccountRepository; accounts: Accounts; invalidate(): void }): DomainCommands<'settings'> {
  return {
    'settings.update': async (patch) => {
      const next = ctx.settings.update(patch);
      if (patch.allowWeakStorage !== undefined) await ctx.records.setWeakStorageAllowed(patch.allowWeakStorage);
      // A new margin moves every planned refresh.
      if (patch.refreshMarginSeconds !== undefined) ctx.accounts.scheduleAll();
      ctx.invalidate();
      return next;
    },
  };
}
