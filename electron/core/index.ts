/**
 * The composition root: opens the stores, builds each domain's services from
 * the adapters it is given, and composes the domains' command tables. Wiring
 * only: every rule lives in the domain modules.
 */
import type { AppState, Notice } from '../contract';
import { Accounts } from './accounts/accounts';
import { GlanceWatch } from './accounts/expiry-warning';
import { modelAccess } from './accounts/readiness';
import { AccountRepository } from './accounts/repository';
import { Vault } from './accounts/vault/vault';
import { Notices } from './app/notices';
import { AnalysisService } from './analysis/service';
import { AuthController } from './sign-in/controller';
import { Discovery } from './oauth/discovery';
import { type EndpointOverrides, resolveEndpoints } from './oauth/endpoints';
import { ensureHostId } from './sign-in/host-id';
import { MANAGE_USAGE_URL } from './kernel/external-links';
import { type CoreDeps, type OpenedStore, silentLogger } from './kernel/deps';
import { StateStore } from './kernel/state-store';
import { ModelCatalog } from './models/catalogue';
import { ModelStore } from './models/model-store';
import { Settings } from './settings/settings';
import { accountCommands } from './commands/accounts';
import { analysisCommands } from './commands/analysis';
import { appCommands } from './commands/app';
import { authCommands } from './commands/auth';
import { type CommandHandlers, settleAfterEach } from './commands/handlers';
import { modelCommands } from './commands/models';
import { settingsCommands } from './commands/settings';

export type { CommandHandlers } from './commands/handlers';

export interface Core {
  getState(): AppState;
  subscribe(listener: (state: AppState) => void): () => void;
  /** What the renderer may invoke. Staging a path is not in it: see `stageOffered`. */
  commands: CommandHandlers;
  /**
   * Stages files and folders the person offered through the main process: a drop
   * (the preload's own channel, electron/shell/ipc.ts) or the tray's file dialog.
   * Kept out of `commands` so the window can never name a path for Loupe to read
   * and upload; the window's "Add photos…" is `analysis.pickImages`.
   */
  stageOffered(paths: readonly string[]): Promise<void>;
  dispose(): Promise<void>;
}

/** Bearer credentials of the active account, for API calls made inside the main process (never handed to the renderer). */
export interface ActiveSession {
  accessToken(): Promise<string>;
  afterUnauthorized(failedToken: string): Promise<string>;
}

export interface CoreOptions {
  /** Development/test issuer and API base (honoured only when `deps.app.dev`). */
  endpoints?: EndpointOverrides;
  /** Overrides the sign-in timeout setting (tests use short ones). */
  signInTimeoutMs?: number;
  /** Analysis engine tuning (tests use short backoffs). */
  analysisTuning?: Parameters<typeof AnalysisService.open>[0]['tuning'];
  /** How long "Undo" is offered after cancelling a job (0: cancel at once). */
  cancelGraceMs?: number;
}

export async function createCore(deps: CoreDeps, options: CoreOptions = {}): Promise<Core> {
  return (await wireCore(deps, options)).core;
}

/** createCore, plus the active account's session for in-process callers (the harness and tests). */
export async function wireCore(deps: CoreDeps, options: CoreOptions = {}): Promise<{ core: Core; session: ActiveSession }> {
  const log = deps.logger ?? silentLogger;
  const state = new StateStore<AppState>(deps.clock);
  const invalidate = () => state.invalidate();
  /** An outcome (a command, a sign-in, a refresh, a model list, an expiry) reaches the window without waiting for the throttle window. */
  const settled = () => state.flush();

  const settingsStore = await deps.openStore('settings');
  const vaultStore = await deps.openStore('vault');
  const modelsStore = await deps.openStore('models');
  const settings = new Settings(settingsStore.store);
  const endpoints = resolveEndpoints(options.endpoints ?? {}, { dev: deps.app.dev });
  const confirm = (options: Parameters<CoreDeps['confirm']>[0]) => deps.confirm(options);
  let onVaultNotices = () => {};
  const vault = await Vault.open({
    cipher: deps.cipher,
    store: vaultStore.store,
    allowWeakStorage: settings.get().allowWeakStorage,
    log,
    platform: deps.app.platform,
    now: () => deps.clock.now(),
    recoveredFrom: vaultStore.recoveredFrom?.movedTo,
    onNotices: () => onVaultNotices(),
  });
  const records = new AccountRepository(vault);
  await records.purgeCorruptCopies('expired');
  await records.reEncryptIfAsked().catch(() => log.warn('could not re-encrypt the vault'));
  const notices = new Notices(
    [
      ...vault.notices,
      ...recoveryNotice(settingsStore, 'settings', 'settings'),
      ...recoveryNotice(vaultStore, 'vault', 'saved sign-in'),
      ...recoveryNotice(modelsStore, 'models', 'model list'),
    ],
    invalidate,
  );
  const discovery = new Discovery(endpoints, deps.fetch, deps.clock);

  const accounts = new Accounts({
    records,
    endpoints,
    discovery,
    fetch: deps.fetch,
    clock: deps.clock,
    log,
    marginMs: () => settings.get().refreshMarginSeconds * 1000,
    warningMs: () => settings.get().expiryWarningMinutes * 60_000,
    onChange: invalidate,
    onSettled: settled,
  });
  const models = new ModelCatalog({
    access: () => {
      const active = accounts.active();
      return active && modelAccess(active, accounts.status(active)).allowed ? accounts.access(active.id) : undefined;
    },
    fetch: deps.fetch,
    store: await ModelStore.open(modelsStore.store, settingsStore.store),
    clock: deps.clock,
    log,
    onChange: invalidate,
    onSettled: settled,
  });
  const auth = new AuthController({
    endpoints,
    discovery,
    fetch: deps.fetch,
    openExternal: deps.openExternal,
    copyText: deps.copyText,
    now: () => deps.clock.now(),
    clock: deps.clock,
    log,
    records,
    hostId: await ensureHostId(settingsStore.store),
    customProfile: (account) => accounts.profile(account),
    settings: () => ({ ...settings.get(), ...(options.signInTimeoutMs ? { signInTimeoutMs: options.signInTimeoutMs } : {}) }),
    onChange: invalidate,
    onSettled: settled,
    onSignedIn: async (outcome) => {
      // The person was told about the damaged vault and has a working one again.
      await records.purgeCorruptCopies('all').catch(() => log.warn('could not delete the set-aside vault copies'));
      accounts.session(outcome.accountId).schedule();
      models.followActiveAccount();
    },
  });
  const analysis = await AnalysisService.open({
    core: deps,
    accounts,
    log,
    prices: () => settings.get().prices,
    defaults: () => ({
      model: (id) => models.selectedFor(id),
      detail: settings.get().analysisDetail,
      concurrency: settings.get().analysisConcurrency,
    }),
    onChange: invalidate,
    ...(options.analysisTuning ? { tuning: options.analysisTuning } : {}),
    ...(options.cancelGraceMs !== undefined ? { cancelGraceMs: options.cancelGraceMs } : {}),
  });

  notices.addMissing(analysis.notices);

  const app = { ...deps.app, testIssuer: endpoints.testIssuer };
  state.start(() => ({
    app,
    notices: notices.list(),
    links: { manageUsage: MANAGE_USAGE_URL },
    accounts: accounts.summaries(),
    account: accounts.view(records.storage),
    signIn: auth.view(),
    models: models.view(),
    analysis: analysis.view(),
    settings: settings.get(),
    usageLimit: analysis.usageLimit(),
  }));
  // A glance that changes with time alone (a token nearing expiry that won't renew) is republished when it does.
  const glances = new GlanceWatch(deps.clock, invalidate);
  const watchGlances = (s: AppState) => glances.update(s.accounts, s.settings.expiryWarningMinutes * 60_000);
  watchGlances(state.get());
  state.subscribe(watchGlances);

  // The keychain failed mid-session: show its notice (with Retry / Reset) now.
  onVaultNotices = () => notices.addMissing(vault.notices);
  /** The vault was opened again or reset: its notice goes, saved accounts come back to life. */
  const afterVaultChange = () => {
    const live = new Set(vault.notices.map((n) => n.id));
    notices.keep((n) => !n.id.startsWith('vault-keychain') || live.has(n.id));
    accounts.scheduleAll();
    models.followActiveAccount();
  };

  const commands = settleAfterEach(settled, {
    ...appCommands({ state, notices, openExternal: deps.openExternal }),
    ...settingsCommands({ settings, records, accounts, invalidate, confirm, storageBackend: () => deps.cipher.backend() }),
    ...authCommands({ auth, accounts, records, models, invalidate }),
    ...accountCommands({ accounts, auth, models, records, confirm, afterVaultChange, fetch: deps.fetch, log, clock: deps.clock }),
    ...modelCommands({ accounts, models }),
    ...analysisCommands(analysis),
  } satisfies CommandHandlers);

  // Resume where the last run stopped: due refreshes, pending checkpoints, the model list.
  accounts.scheduleAll();
  if (models.canList()) void models.refresh();

  const core: Core = {
    getState: () => {
      // A pull gets the latest truth, not the last throttled publish.
      settled();
      return state.get();
    },
    subscribe: (listener) => state.subscribe(listener),
    commands,
    stageOffered: async (paths) => analysis.stage(paths),
    dispose: async () => {
      auth.cancel();
      glances.dispose();
      state.dispose();
      await analysis.dispose();
      accounts.dispose();
      // A model list still arriving would write the models store after the core is gone.
      await models.idle();
    },
  };
  const session: ActiveSession = {
    accessToken: () => accounts.access(accounts.target(undefined)).accessToken(),
    afterUnauthorized: (token) => accounts.access(accounts.target(undefined)).afterUnauthorized(token),
  };
  return { core, session };
}

function recoveryNotice(opened: OpenedStore, id: string, what: string): Notice[] {
  if (!opened.recoveredFrom) return [];
  return [
    {
      id: `${id}-recovered`,
      level: 'warning',
      message: `Your ${what} file could not be read, so Loupe started fresh. The old file was kept as ${opened.recoveredFrom.movedTo}.`,
    },
  ];
}
