import type { Accounts } from '../accounts/accounts';
import { requireModelAccess } from '../accounts/readiness';
import type { DomainCommands } from './handlers';
import type { ModelCatalog } from '../models/catalogue';

export function modelCommands(ctx: { accounts: Accounts; models: ModelCatalog }): DomainCommands<'models'> {
  const { accounts, models } = ctx;
  return {
    'models.refresh': async () => {
      const active = accounts.active();
      requireModelAccess(active, accounts.status(active));
      await models.refresh();
    },
    'models.select': async ({ slug }) => models.select(slug),
    'models.setVision': async ({ slug, vision }) => models.setVision(slug, vision),
  };
}
