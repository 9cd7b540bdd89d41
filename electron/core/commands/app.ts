import type { AppState } from '../../contract';
import { allowedExternalUrl } from '../kernel/external-links';
import type { DomainCommands } from './handlers';
import { LoupeError } from '../kernel/errors';
import type { StateStore } from '../kernel/state-store';
import type { Notices } from '../app/notices';

export function appCommands(ctx: {
  state: StateStore<AppState>;
  notices: Notices;
  openExternal(url: string): Promise<void>;
}): DomainCommands<'app'> & DomainCommands<'notices'> {
  return {
    'app.getState': async () => {
      // A pull gets the latest truth, not the last throttled publish.
      ctx.state.flush();
      return ctx.state.get();
    },
    'app.openExternal': async ({ url }) => {
      // The normalised href, never the raw string: what was checked is what opens.
      const href = allowedExternalUrl(url);
      if (href === null) throw new LoupeError('not_allowed', 'Loupe only opens known OpenAI pages in your browser.');
      await ctx.openExternal(href);
    },
    'notices.dismiss': async ({ id }) => ctx.notices.dismiss(id),
  };
}
