import type { Accounts } from '../accounts/accounts';
import type { AccountRepository } from '../accounts/repository';
import { type Confirm, requireConfirmation } from '../kernel/confirm';
import type { DomainCommands } from './handlers';
import type { Settings } from '../settings/settings';

export function settingsCommands(ctx: {
  settings: Settings;
  records: AccountRepository;
  accounts: Accounts;
  invalidate(): void;
  confirm: Confirm;
  storageBackend(): string;
}): DomainCommands<'settings'> {
  return {
    'settings.update': async (patch) => {
      // Weak storage writes tokens with a key anyone can know: only the person, in a dialog the renderer cannot answer, may allow it.
      if (patch.allowWeakStorage === true && !ctx.settings.get().allowWeakStorage) {
        await requireConfirmation(ctx.confirm, {
          title: 'Store your sign-in without a keychain?',
          message: `Loupe would save your tokens with the "${ctx.storageBackend().slice(0, 40)}" storage, which does not protect them with a secret key.`,
          detail: 'Anyone who can read your files could use your sign-in. Choose this only on a computer only you use.',
          confirmLabel: 'Store anyway',
        });
      }
      const next = await ctx.settings.update(patch);
      if (patch.allowWeakStorage !== undefined) await ctx.records.setWeakStorageAllowed(patch.allowWeakStorage);
      // A new margin moves every planned refresh.
      if (patch.refreshMarginSeconds !== undefined) ctx.accounts.scheduleAll();
      ctx.invalidate();
      return next;
    },
  };
}
