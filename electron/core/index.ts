/**
 * The composition root: wires every service from the adapters it is given and
 * returns the surface the shell (and the browser harness) talks to.
 */
import type { AppState, CommandName, CommandOutput, ParsedInput } from '../contract';
import { type CoreDeps, type Logger, silentLogger } from './deps';
import { LoupeError } from './errors';
import { isAllowedExternalUrl } from './external-links';
import { Settings } from './settings';
import { StateStore } from './state-store';

export type CommandHandlers = {
  [C in CommandName]: (input: ParsedInput<C>) => Promise<CommandOutput<C>>;
};

export interface Core {
  getState(): AppState;
  subscribe(listener: (state: AppState) => void): () => void;
  commands: CommandHandlers;
  log: Logger;
  dispose(): Promise<void>;
}

export async function createCore(deps: CoreDeps): Promise<Core> {
  const log = deps.logger ?? silentLogger;
  const settingsStore = deps.openStore('settings');
  const settings = new Settings(settingsStore.store);

  const state = new StateStore<AppState>({
    app: { ...deps.app, testIssuer: null },
    account: { status: 'signed_out' },
    settings: settings.get(),
    notices: settingsStore.recoveredFrom
      ? [
          {
            id: 'settings-recovered',
            level: 'warning',
            message: `Your settings file could not be read, so Loupe started with defaults. The old file was kept as ${settingsStore.recoveredFrom.movedTo}.`,
          },
        ]
      : [],
  });

  const commands: CommandHandlers = {
    'app.getState': async () => state.get(),
    'app.openExternal': async ({ url }) => {
      if (!isAllowedExternalUrl(url)) throw new LoupeError('not_allowed', 'Loupe only opens known OpenAI pages in your browser.');
      await deps.openExternal(url);
    },
    'notices.dismiss': async ({ id }) => {
      state.update((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
    },
    'settings.update': async (patch) => {
      const next = settings.update(patch);
      state.update(() => ({ settings: next }));
      return next;
    },
  };

  return {
    getState: () => state.get(),
    subscribe: (listener) => state.subscribe(listener),
    commands,
    log,
    dispose: async () => {},
  };
}
