/**
 * The composition root: wires every service from the adapters it is given and
 * returns the surface the shell (and the browser harness) talks to.
 */
import type { AppState, CommandName, CommandOutput, Notice, ParsedInput } from '../contract';
import { Accounts, parseCustomProvider } from './accounts/accounts';
import { modelAccess } from './accounts/readiness';
import { AnalysisService } from './analysis/service';
import { AuthController } from './auth/controller';
import { Discovery } from './auth/discovery';
import { type EndpointOverrides, PRODUCTION_API_BASE, resolveEndpoints } from './auth/endpoints';
import { ensureHostId } from './auth/host-id';
import { checkProviderUrl } from './auth/profile';
import { type CoreDeps, type Logger, silentLogger } from './kernel/deps';
import { LoupeError } from './kernel/errors';
import { MANAGE_USAGE_URL, isAllowedExternalUrl } from './external-links';
import { ModelCatalog, fetchModels } from './models/catalogue';
import { ModelStore } from './models/model-store';
import { Settings } from './settings/settings';
import { StateStore } from './kernel/state-store';
import { AccountRepository } from './accounts/repository';
import { Vault } from './accounts/vault';

export type CommandHandlers = {
  [C in CommandName]: (input: ParsedInput<C>) => Promise<CommandOutput<C>>;
};

export interface Core {
  getState(): AppState;
  subscribe(listener: (state: AppState) => void): () => void;
  commands: CommandHandlers;
  /** Bearer credentials of the active account, for API calls made inside the main process (never handed to the renderer). */
  session: { accessToken(): Promise<string>; afterUnauthorized(failedToken: string): Promise<string> };
  log: Logger;
  dispose(): Promise<void>;
}

export interface CoreOptions {
  /** Development/test issuer and API base (honoured only when `deps.app.dev`). */
  endpoints?: EndpointOverrides;
  /** Overrides the sign-in timeout setting (tests use short ones). */
  signInTimeoutMs?: number;
  /** Analysis engine tuning (tests use short backoffs). */
  analysisTuning?: Parameters<typeof AnalysisService.open>[0]['tuning'];
}

/** Job progress can change hundreds of times a second; the renderer needs a few frames. */
const PUBLISH_THROTTLE_MS = 200;

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

  const records = new AccountRepository(vault);
  let publish = () => {};
  const accounts = new Accounts({
    records,
    endpoints,
    discovery,
    fetch: deps.fetch,
    clock: deps.clock,
    log,
    marginMs: () => settings.get().refreshMarginSeconds * 1000,
    onChange: () => publish(),
  });

  /** The active account, when its models may be listed (a ChatGPT account only with plan usage). */
  const listableAccess = () => {
    const active = accounts.active();
    if (!active || !modelAccess(active, accounts.status(active)).allowed) return undefined;
    return accounts.access(active.id);
  };
  const modelsStore = deps.openStore('models');
  const models = new ModelCatalog({
    access: listableAccess,
    fetch: deps.fetch,
    store: ModelStore.open(modelsStore.store, settingsStore.store),
    now: () => deps.clock.now(),
    log,
    onChange: () => publish(),
  });
  const afterAccountChange = () => {
    models.reset();
    if (listableAccess()) void models.refresh();
  };

  const auth = new AuthController({
    endpoints,
    discovery,
    fetch: deps.fetch,
    openExternal: deps.openExternal,
    copyText: deps.copyText,
    now: () => deps.clock.now(),
    log,
    records,
    hostId,
    customProfile: (account) => accounts.profile(account),
    settings: () => ({ ...settings.get(), ...(options.signInTimeoutMs ? { signInTimeoutMs: options.signInTimeoutMs } : {}) }),
    onChange: () => publish(),
    onSignedIn: (outcome) => {
      accounts.session(outcome.accountId).schedule();
      afterAccountChange();
    },
  });

  let throttle: { cancel(): void } | undefined;
  const analysis = await AnalysisService.open({
    core: deps,
    accounts,
    log,
    prices: () => settings.get().prices,
    defaults: () => ({ model: (id) => models.selectedFor(id), detail: settings.get().analysisDetail, concurrency: settings.get().analysisConcurrency }),
    onChange: () => {
      throttle ??= deps.clock.setTimeout(() => {
        throttle = undefined;
        publish();
      }, PUBLISH_THROTTLE_MS);
    },
    ...(options.analysisTuning ? { tuning: options.analysisTuning } : {}),
  });

  notices.push(...analysis.engine.notices);

  const snapshot = (): Omit<AppState, 'app' | 'notices' | 'links'> => ({
    accounts: accounts.summaries(),
    account: accounts.view(vault.mode),
    signIn: auth.view(),
    models: models.view(),
    analysis: analysis.view(),
    settings: settings.get(),
  });
  const state = new StateStore<AppState>({ app: { ...deps.app, testIssuer: endpoints.testIssuer }, notices, links: { manageUsage: MANAGE_USAGE_URL }, ...snapshot() });
  publish = () => state.update(() => snapshot());

  const targetId = (accountId: string | undefined) => {
    const id = accountId ?? accounts.active()?.id;
    if (!id) throw new LoupeError('signed_out', 'Sign in first.');
    return id;
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
      if (patch.allowWeakStorage !== undefined) await records.setWeakStorageAllowed(patch.allowWeakStorage);
      if (patch.refreshMarginSeconds !== undefined) accounts.scheduleAll();
      publish();
      return next;
    },
    'auth.signIn': async (target) => auth.start(target),
    'auth.cancelSignIn': async () => auth.cancel(),
    'auth.copySignInLink': async () => auth.copyLink(),
    'auth.submitRedirectUrl': async ({ url }) => auth.submitRedirectUrl(url),
    'auth.refreshNow': async ({ accountId }) => {
      const account = accounts.require(targetId(accountId));
      if (account.kind === 'api_key') throw new LoupeError('not_oauth', 'API keys do not expire; there is nothing to refresh.');
      if (!account.tokens && !account.pendingRefresh) throw new LoupeError('signed_out', 'Sign in first.');
      await accounts.session(account.id).refresh({ force: true });
    },
    'auth.signOut': async ({ accountId }) => {
      auth.cancel();
      const result = await accounts.signOut(targetId(accountId));
      afterAccountChange();
      return result;
    },
    'auth.dismissPlanWelcome': async () => {
      const account = accounts.active();
      if (account?.kind === 'chatgpt') await records.markWelcomeShown(account.id);
      publish();
    },
    'accounts.switch': async ({ accountId }) => {
      await accounts.switchTo(accountId);
      afterAccountChange();
    },
    'accounts.forget': async ({ accountId }) => {
      const result = await accounts.forget(accountId);
      models.forget(accountId);
      afterAccountChange();
      return result;
    },
    'accounts.addApiKey': async ({ label, baseUrl, apiKey, useChatCompletions }) => {
      const base = checkProviderUrl(baseUrl || PRODUCTION_API_BASE, 'Base URL');
      const candidate = {
        id: 'candidate',
        kind: 'api_key' as const,
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
      await fetchModels(candidate, deps.fetch, log);
      const accountId = await accounts.addApiKey({
        label: candidate.label,
        baseUrl: base.href.replace(/\/$/, ''),
        apiKey,
        useChatCompletions: candidate.useChatCompletions,
      });
      afterAccountChange();
      return { accountId };
    },
    'accounts.addCustom': async ({ label, ...input }) => {
      const provider = parseCustomProvider(input);
      const accountId = await accounts.addCustom(label, provider);
      try {
        await auth.start({ accountId });
      } catch (error) {
        // The provider is saved either way; the person can retry its sign-in from the switcher.
        log.warn('custom provider sign-in did not start', { code: error instanceof LoupeError ? error.code : 'unknown' });
        throw error;
      }
      return { accountId };
    },
    'models.refresh': async () => {
      const active = accounts.active();
      const access = modelAccess(active, accounts.status(active));
      if (!access.allowed) throw new LoupeError(active && accounts.status(active) === 'signed_in' ? 'plan_usage_disabled' : 'signed_out', access.reason ?? 'Sign in first.');
      await models.refresh();
    },
    'models.select': async ({ slug }) => models.select(slug),
    'models.setVision': async ({ slug, vision }) => models.setVision(slug, vision),
    'analysis.stage': async ({ paths }) => analysis.stage(paths),
    'analysis.unstage': async ({ path }) => analysis.unstage(path),
    'analysis.clearStaged': async () => analysis.clearStaged(),
    'analysis.pickImages': async () => analysis.pick(),
    'analysis.start': async (input) => analysis.start(input),
    'analysis.pause': async ({ jobId }) => analysis.engine.pause(jobId),
    'analysis.resume': async ({ jobId }) => analysis.engine.resume(jobId),
    'analysis.cancel': async ({ jobId }) => analysis.engine.cancel(jobId),
    'analysis.retryFailed': async ({ jobId }) => analysis.engine.retryFailed(jobId),
    'analysis.retryUnparsed': async ({ jobId }) => analysis.engine.retryUnparsed(jobId),
    'analysis.pickOutputDir': async () => analysis.pickOutputDir(),
    'analysis.getJob': async ({ jobId }) => analysis.job(jobId),
    'analysis.getItems': async ({ jobId, offset, limit }) => {
      const page = await analysis.engine.items(jobId, offset, limit);
      if (!page) throw new LoupeError('job_not_found', 'That job no longer exists.');
      return { jobId, total: page.total, offset, items: page.items };
    },
    'analysis.openOutput': async ({ jobId }) => analysis.openOutput(jobId),
    'analysis.export': async ({ jobId }) => analysis.exportCsv(jobId),
  };

  // Resume where the last run stopped: due refreshes, pending checkpoints, the model list.
  accounts.scheduleAll();
  if (listableAccess()) void models.refresh();

  return {
    getState: () => state.get(),
    subscribe: (listener) => state.subscribe(listener),
    commands,
    session: {
      accessToken: () => accounts.access(targetId(undefined)).accessToken(),
      afterUnauthorized: (token) => accounts.access(targetId(undefined)).afterUnauthorized(token),
    },
    log,
    dispose: async () => {
      auth.cancel();
      throttle?.cancel();
      await analysis.engine.dispose();
      accounts.dispose();
    },
  };
}
