/**
 * The composition root: wires every service from the adapters it is given and
 * returns the surface the shell (and the browser harness) talks to.
 */
import type { AccountView, AppState, CommandName, CommandOutput, Notice, ParsedInput } from '../contract';
import { AuthController } from './auth/controller';
import { Discovery } from './auth/discovery';
import { type EndpointOverrides, PLAN_USAGE_SCOPE, resolveEndpoints } from './auth/endpoints';
import { ensureHostId } from './auth/host-id';
import { type CoreDeps, type Logger, silentLogger } from './deps';
import { LoupeError } from './errors';
import { isAllowedExternalUrl } from './external-links';
import { ModelCatalog } from './models';
import { Session } from './session';
import { Settings } from './settings';
import { StateStore } from './state-store';
import { Vault } from './vault';

export type CommandHandlers = {
  [C in CommandName]: (input: ParsedInput<C>) => Promise<CommandOutput<C>>;
};

export interface Core {
  getState(): AppState;
  subscribe(listener: (state: AppState) => void): () => void;
  commands: CommandHandlers;
  /** Bearer tokens for API calls made inside the main process (never handed to the renderer). */
  session: Pick<Session, 'accessToken' | 'afterUnauthorized'>;
  log: Logger;
  dispose(): Promise<void>;
}

export interface CoreOptions {
  /** Development/test issuer and API base (honoured only when `deps.app.dev`). */
  endpoints?: EndpointOverrides;
  /** Overrides the sign-in timeout setting (tests use short ones). */
  signInTimeoutMs?: number;
}

export async function createCore(deps: CoreDeps, options: CoreOptions = {}): Promise<Core> {
  const log = deps.logger ?? silentLogger;
  const settingsStore = deps.openStore('settings');
  const settings = new Settings(settingsStore.store);
  const hostId = ensureHostId(settingsStore.store);
  const endpoints = resolveEndpoints(options.endpoints ?? {}, { dev: deps.app.dev });
  const vaultStore = deps.openStore('vault');
  const vault = await Vault.open({ cipher: deps.cipher, store: vaultStore.store, allowWeakStorage: settings.get().allowWeakStorage, log });
  const discovery = new Discovery(endpoints, deps.fetch);

  const notices: Notice[] = [...vault.notices];
  for (const [opened, what] of [
    [settingsStore, 'settings'],
    [vaultStore, 'saved sign-in'],
  ] as const) {
    if (opened.recoveredFrom) {
      notices.push({
        id: `${what === 'settings' ? 'settings' : 'vault'}-recovered`,
        level: 'warning',
        message: `Your ${what} file could not be read, so Loupe started fresh. The old file was kept as ${opened.recoveredFrom.movedTo}.`,
      });
    }
  }

  let publish = () => {};
  const session = new Session({
    vault,
    discovery,
    endpoints,
    fetch: deps.fetch,
    clock: deps.clock,
    log,
    marginMs: () => settings.get().refreshMarginSeconds * 1000,
    onChange: () => publish(),
  });
  const models = new ModelCatalog({
    session,
    apiBase: endpoints.apiBase,
    fetch: deps.fetch,
    store: settingsStore.store,
    now: () => deps.clock.now(),
    log,
    onChange: () => publish(),
  });
  const planUsage = () => vault.active()?.tokens?.scopes.includes(PLAN_USAGE_SCOPE) ?? false;
  const auth = new AuthController({
    endpoints,
    discovery,
    fetch: deps.fetch,
    openExternal: deps.openExternal,
    copyText: deps.copyText,
    now: () => deps.clock.now(),
    log,
    vault,
    hostId,
    settings: () => ({ ...settings.get(), ...(options.signInTimeoutMs ? { signInTimeoutMs: options.signInTimeoutMs } : {}) }),
    onChange: () => publish(),
    onSignedIn: (outcome) => {
      session.schedule();
      if (outcome.planUsage) void models.refresh();
      else models.clear();
    },
  });

  const accountView = (): AccountView => {
    const account = vault.active();
    const tokens = account?.tokens;
    const status: AccountView['status'] = tokens || account?.pendingRefresh ? 'signed_in' : account?.problem ? 'needs_sign_in' : 'signed_out';
    const plan = planUsage();
    return {
      status,
      email: account?.email ?? null,
      name: account?.name ?? null,
      scopes: tokens?.scopes ?? [],
      planUsage: plan,
      issuedAt: tokens?.savedAt ?? null,
      expiresAt: tokens?.expiresAt ?? null,
      lastRefreshAt: account?.lastRefreshAt ?? null,
      refreshing: session.refreshing,
      problem: account?.problem ?? session.transientProblem,
      storage: vault.mode,
      showPlanWelcome: status === 'signed_in' && plan && !account?.welcomeShown,
    };
  };

  const state = new StateStore<AppState>({
    app: { ...deps.app, testIssuer: endpoints.testIssuer },
    account: accountView(),
    signIn: auth.view(),
    models: models.view(),
    settings: settings.get(),
    notices,
  });
  publish = () => state.update(() => ({ account: accountView(), signIn: auth.view(), models: models.view(), settings: settings.get() }));

  const requirePlanUsage = () => {
    if (accountView().status !== 'signed_in') throw new LoupeError('signed_out', 'Sign in with ChatGPT first.');
    if (!planUsage()) {
      throw new LoupeError('plan_usage_disabled', 'ChatGPT plan usage is not enabled for this sign-in. Enable it, or use an API key instead.');
    }
  };

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
      if (patch.allowWeakStorage !== undefined) await vault.setWeakStorageAllowed(patch.allowWeakStorage);
      if (patch.refreshMarginSeconds !== undefined) session.schedule();
      publish();
      return next;
    },
    'auth.signIn': async ({ reconsent }) => auth.start({ reconsent: reconsent ?? false }),
    'auth.cancelSignIn': async () => auth.cancel(),
    'auth.copySignInLink': async () => auth.copyLink(),
    'auth.submitRedirectUrl': async ({ url }) => auth.submitRedirectUrl(url),
    'auth.refreshNow': async () => {
      if (!vault.active()?.tokens && !vault.active()?.pendingRefresh) throw new LoupeError('signed_out', 'Sign in with ChatGPT first.');
      await session.refresh({ force: true });
    },
    'auth.signOut': async () => {
      auth.cancel();
      const result = await session.signOut();
      models.clear();
      publish();
      return result;
    },
    'auth.dismissPlanWelcome': async () => {
      const account = vault.active();
      if (account) await vault.updateAccount(account.id, (a) => ({ ...a, welcomeShown: true }));
      publish();
    },
    'models.refresh': async () => {
      requirePlanUsage();
      await models.refresh();
    },
    'models.select': async ({ slug }) => models.select(slug),
  };

  // Resume where the last run stopped: a due refresh, a pending checkpoint, the model list.
  session.schedule();
  if (accountView().status === 'signed_in' && planUsage()) void models.refresh();

  return {
    getState: () => state.get(),
    subscribe: (listener) => state.subscribe(listener),
    commands,
    session,
    log,
    dispose: async () => {
      auth.cancel();
      session.dispose();
    },
  };
}
