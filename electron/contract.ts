/**
 * The one IPC contract between the main process and the renderer.
 *
 * Every command the renderer may invoke is named here, with a zod schema for
 * its input and a phantom type for its result. Main registers its handlers
 * from this map, the preload and the renderer are typed from it, so changing a
 * signature breaks every side at compile time. The renderer receives state
 * only as `AppState` snapshots; nothing in this file may ever carry a token,
 * API key or client secret.
 */
import { z } from 'zod';

/** IPC channel names. No other file spells a channel string. */
export const CHANNELS = {
  invoke: 'loupe:invoke',
  state: 'loupe:state',
} as const;

/** The app's own origin; the renderer is served from it in Electron. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'loupe';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

// ---------------------------------------------------------------------------
// Errors


/**
 * The only error shape that crosses IPC: a stable code and a message written
 * for a person. Never a stack, never a server body that may echo secrets.
 */
export interface CommandError {
  code: string;
  message: string;
  /** For `invalid_input`: the dotted path of the first offending field. */
  field?: string;
  /** True when trying again later may succeed. */
  retryable?: boolean;
}

export type CommandResult<T> = { ok: true; value: T } | { ok: false; error: CommandError };

// ---------------------------------------------------------------------------
// State

export type Theme = 'system' | 'light' | 'dark';

export interface SettingsView {
  theme: Theme;
  /** Tray shows "expiring soon" when fewer minutes than this remain. */
  expiryWarningMinutes: number;
  /** Refresh the access token this many seconds before it expires. */
  refreshMarginSeconds: number;
  /** Store tokens with Linux's hard-coded-key backend after an explicit warning. */
  allowWeakStorage: boolean;
  /** Fixed loopback port for the sign-in redirect; 0 = pick a free one. */
  callbackPort: number;
  /** Minutes to wait for the browser sign-in before giving up. */
  signInTimeoutMinutes: number;
  /** Most analysis requests at once (Loupe adapts below it). */
  analysisConcurrency: number;
  analysisDetail: ImageDetail;
  /** USD per million tokens, for the cost estimate; models without a row show tokens only. */
  prices: PriceRow[];
}

export interface PriceRow {
  model: string;
  inputPerMillion: number;
  outputPerMillion: number;
}

export interface Notice {
  id: string;
  level: 'info' | 'warning' | 'error';
  message: string;
}

export interface AppInfo {
  name: string;
  version: string;
  platform: string;
  /** True for unpackaged (development) builds. */
  dev: boolean;
  /** Set when a non-production issuer is in use; the window shows a badge. */
  testIssuer: string | null;
}

export type AccountStatus = 'signed_out' | 'signed_in' | 'needs_sign_in';

/** Where the session's tokens live: the OS keychain, a weak (hard-coded key) store the person accepted, or memory only. */
export type TokenStorage = 'keychain' | 'weak' | 'memory';

export type AccountKind = 'chatgpt' | 'api_key' | 'custom';

/** One saved account in the switcher. */
export interface AccountSummaryView {
  id: string;
  kind: AccountKind;
  label: string;
  email: string | null;
  status: AccountStatus;
  expiresAt: number | null;
  planUsage: boolean;
  active: boolean;
}

/** The active account as the renderer may see it: identity labels and times, never a token or key. */
export interface AccountView {
  id: string | null;
  kind: AccountKind | null;
  label: string | null;
  /** API base of an API-key or custom-provider account. */
  baseUrl: string | null;
  status: AccountStatus;
  email: string | null;
  name: string | null;
  /** Granted scopes, from the token response. */
  scopes: string[];
  /** True when the grant includes `chatgpt.tokens.use.direct`, so model calls may use the ChatGPT plan. */
  planUsage: boolean;
  /** When the current access token was issued and when it expires, ms since the epoch. */
  issuedAt: number | null;
  expiresAt: number | null;
  /** The session can be renewed (it has a refresh token). */
  canRefresh: boolean;
  lastRefreshAt: number | null;
  refreshing: boolean;
  /** Why the account needs attention (a failed refresh, an identity check that could not run, …). */
  problem: CommandError | null;
  storage: TokenStorage;
  /** Show the one-time "You're using your ChatGPT plan" notice. */
  showPlanWelcome: boolean;
  /** What the person may do with this account now; decided by the core, never re-derived by the renderer. */
  can: AccountAbilities;
}

/** Whether an action is open to the person now, and in words for a person why not. */
export interface Ability {
  allowed: boolean;
  reason: string | null;
}

export interface AccountAbilities {
  /** Start an analysis job with this account. */
  analyse: Ability;
  listModels: Ability;
  /** Renew the access token now. */
  refresh: Ability;
  signOut: Ability;
}

/** Pages the person may be sent to; sent in state so no second copy of a URL lives in the renderer. */
export interface AppLinks {
  manageUsage: string;
}

export interface SignInView {
  phase: 'idle' | 'waiting' | 'finishing';
  /** When the current attempt started and when it gives up, ms since the epoch. */
  startedAt: number | null;
  deadline: number | null;
  /** False when the system browser could not be opened: offer "Copy sign-in link". */
  browserOpened: boolean;
  /** True for an attempt that asks for consent again to enable plan usage. */
  reconsent: boolean;
  /** The outcome of the last attempt when it failed or was declined. */
  error: CommandError | null;
}

export interface ModelView {
  slug: string;
  displayName: string;
  /** Accepts image input: from the server's `input_modalities`, else a known list, else the person's override. */
  vision: boolean;
  visionSource: 'server' | 'known' | 'override' | 'unknown';
}

export interface ModelsView {
  status: 'idle' | 'loading' | 'ready' | 'error';
  items: ModelView[];
  error: CommandError | null;
  /** When `items` were fetched; after an error they are the last good list. */
  fetchedAt: number | null;
  /** The person's default model (persisted). */
  selected: string | null;
}

export type PresetId = 'describe' | 'damage' | 'custom';
export type ImageDetail = 'low' | 'high' | 'auto';
export type JobStatus = 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled' | 'stopped';
export type ItemStatus = 'pending' | 'in_flight' | 'done' | 'failed' | 'skipped';

export interface StagedInput {
  path: string;
  name: string;
}

export interface JobCounts {
  total: number;
  done: number;
  failed: number;
  skipped: number;
  pending: number;
  inFlight: number;
  /** Answered, but the answer did not match the schema (its raw text is kept); not counted in `done`. */
  unparsed: number;
}

export interface StopReasonView {
  code: string;
  message: string;
  /** Where the person can fix it, e.g. "Manage usage". */
  link?: { label: string; url: string };
}

export interface JobSummaryView {
  id: string;
  name: string;
  preset: PresetId;
  model: string;
  detail: ImageDetail;
  status: JobStatus;
  counts: JobCounts;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  etaMs: number | null;
  tokens: { input: number; output: number };
  /** From the price table in Settings; null when the model has no price. */
  costUsd: number | null;
  outputDir: string;
  stopReason?: StopReasonView;
  concurrency: number;
}

export interface JobItemView {
  id: string;
  path: string;
  name: string;
  status: ItemStatus;
  error?: { code: string; message: string };
  thumbnail?: string;
  result?: unknown;
  rawText?: string;
  parseError?: string;
  hash?: string;
  outputFile?: string;
  duplicateOf?: string;
  attempts?: number;
}

export interface JobDetailView extends JobSummaryView {
  items: JobItemView[];
}

export interface JobItemsPage {
  jobId: string;
  /** Items in the job, so the window can size a virtual list. */
  total: number;
  offset: number;
  items: JobItemView[];
}

export interface PresetView {
  id: PresetId;
  label: string;
  description: string;
}

export interface AnalysisView {
  /** Photos and folders dropped or picked, waiting for "Analyse". */
  staged: StagedInput[];
  jobs: JobSummaryView[];
  presets: PresetView[];
  /** Where a job's folder goes unless the person picks another (`<Documents>/Loupe`). */
  outputRoot: string;
  /** The folder picked with `analysis.pickOutputDir` for the next job; null = a new folder under `outputRoot`. */
  pickedOutputDir?: string | null;
}

/** The single snapshot the main process publishes to the renderer. */
export interface AppState {
  app: AppInfo;
  accounts: AccountSummaryView[];
  account: AccountView;
  signIn: SignInView;
  models: ModelsView;
  analysis: AnalysisView;
  settings: SettingsView;
  notices: Notice[];
  links: AppLinks;
}

// ---------------------------------------------------------------------------
// Commands

/** Declares a command: its input schema plus a phantom result type. */
function command<Result>() {
  return <Input extends z.ZodType>(input: Input) => ({ input, result: undefined as unknown as Result });
}

// Built lazily inside a pure call so bundles that only need the channel names
// (the preload) leave zod out.
export const commands = /* @__PURE__ */ (() => {
  const Empty = z.strictObject({});
  const SettingsPatch = z.strictObject({
    theme: z.enum(['system', 'light', 'dark']).optional(),
    expiryWarningMinutes: z.number().int().min(1).max(120).optional(),
    refreshMarginSeconds: z.number().int().min(30).max(900).optional(),
    allowWeakStorage: z.boolean().optional(),
    callbackPort: z.number().int().min(0).max(65535).optional(),
    signInTimeoutMinutes: z.number().int().min(1).max(60).optional(),
    analysisConcurrency: z.number().int().min(1).max(64).optional(),
    analysisDetail: z.enum(['low', 'high', 'auto']).optional(),
    prices: z
      .array(
        z.strictObject({
          model: z.string().min(1).max(200),
          inputPerMillion: z.number().min(0).max(10_000),
          outputPerMillion: z.number().min(0).max(10_000),
        }),
      )
      .max(200)
      .optional(),
  });
  const JobRef = z.strictObject({ jobId: z.string().min(1).max(100) });
  const AccountId = z.string().min(1).max(100);
  const Path = z.string().min(1).max(4096);
  return {
    'app.getState': command<AppState>()(Empty),
    'app.openExternal': command<void>()(z.strictObject({ url: z.string().max(2048) })),
    'notices.dismiss': command<void>()(z.strictObject({ id: z.string().min(1).max(200) })),
    'settings.update': command<SettingsView>()(SettingsPatch),
    /**
     * Start "Continue with ChatGPT" (or the sign-in of a saved custom provider): opens the system
     * browser; progress arrives in `signIn`. `newChatGptAccount` registers another ChatGPT account.
     */
    'auth.signIn': command<void>()(
      z.strictObject({ reconsent: z.boolean().optional(), accountId: AccountId.optional(), newChatGptAccount: z.boolean().optional() }),
    ),
    'auth.cancelSignIn': command<void>()(Empty),
    /** Copies the sign-in link to the clipboard (main process), for when the browser could not be opened. */
    'auth.copySignInLink': command<void>()(Empty),
    /** The final redirect URL pasted by the person when the browser ran on another machine. */
    'auth.submitRedirectUrl': command<void>()(z.strictObject({ url: z.string().min(1).max(8192) })),
    'auth.refreshNow': command<void>()(z.strictObject({ accountId: AccountId.optional() })),
    /** Revokes the refresh token, then deletes local tokens. `revoked: false` means revocation was not confirmed. */
    'auth.signOut': command<{ revoked: boolean }>()(z.strictObject({ accountId: AccountId.optional() })),
    'accounts.switch': command<void>()(z.strictObject({ accountId: AccountId })),
    /** Signs out and deletes the saved registration too. */
    'accounts.forget': command<{ revoked: boolean }>()(z.strictObject({ accountId: AccountId })),
    /** Checks the key by listing models, then saves it encrypted. Nothing is saved when the check fails. */
    'accounts.addApiKey': command<{ accountId: string }>()(
      z.strictObject({
        label: z.string().trim().max(80).optional(),
        baseUrl: z.string().trim().max(2048).optional(),
        apiKey: z.string().trim().min(8).max(4096),
        useChatCompletions: z.boolean().optional(),
      }),
    ),
    /** Saves a custom OAuth 2.0 / OIDC provider and starts its sign-in. */
    'accounts.addCustom': command<{ accountId: string }>()(
      z.strictObject({
        label: z.string().trim().min(1).max(80),
        issuer: z.string().trim().max(2048).optional(),
        authorizationEndpoint: z.string().trim().max(2048).optional(),
        tokenEndpoint: z.string().trim().max(2048).optional(),
        revocationEndpoint: z.string().trim().max(2048).optional(),
        jwksUri: z.string().trim().max(2048).optional(),
        clientId: z.string().trim().min(1).max(500),
        clientSecret: z.string().max(4096).optional(),
        clientAuthMethod: z.enum(['none', 'client_secret_basic', 'client_secret_post']).optional(),
        scopes: z.string().max(2000),
        extraParams: z.record(z.string().max(100), z.string().max(2000)).optional(),
        apiBase: z.string().trim().min(1).max(2048),
        useChatCompletions: z.boolean().optional(),
      }),
    ),
    /** Marks a model as accepting images or not (null = back to automatic). */
    'models.setVision': command<void>()(z.strictObject({ slug: z.string().min(1).max(200), vision: z.boolean().nullable() })),
    'auth.dismissPlanWelcome': command<void>()(Empty),
    'models.refresh': command<void>()(Empty),
    'models.select': command<void>()(z.strictObject({ slug: z.string().min(1).max(200) })),
    /** Adds dropped or picked files and folders to the staging list. */
    'analysis.stage': command<void>()(z.strictObject({ paths: z.array(Path).min(1).max(10_000) })),
    'analysis.unstage': command<void>()(z.strictObject({ path: Path })),
    'analysis.clearStaged': command<void>()(Empty),
    /** Opens the system file dialog (main process) and stages what the person picks. */
    'analysis.pickImages': command<void>()(Empty),
    'analysis.start': command<{ jobId: string }>()(
      z.strictObject({
        preset: z.enum(['describe', 'damage', 'custom']),
        model: z.string().min(1).max(200).optional(),
        detail: z.enum(['low', 'high', 'auto']).optional(),
        concurrency: z.number().int().min(1).max(64).optional(),
        customPrompt: z.string().max(20_000).optional(),
        /** A JSON schema as text; validated before the job starts. */
        customSchema: z.string().max(100_000).optional(),
        name: z.string().min(1).max(120).optional(),
        outputDir: Path.optional(),
      }),
    ),
    'analysis.pause': command<void>()(JobRef),
    'analysis.resume': command<void>()(JobRef),
    'analysis.cancel': command<void>()(JobRef),
    'analysis.retryFailed': command<void>()(JobRef),
    /** Asks again for the photos whose answer did not match the schema (only on request: each costs a request). */
    'analysis.retryUnparsed': command<void>()(JobRef),
    /** Opens the system folder dialog (main process); the choice is where the next job writes. null when cancelled. */
    'analysis.pickOutputDir': command<{ path: string | null }>()(Empty),
    'analysis.getJob': command<JobDetailView>()(JobRef),
    /** One page of a job's items, in a stable order; the window asks only for what it shows. */
    'analysis.getItems': command<JobItemsPage>()(
      z.strictObject({ jobId: z.string().min(1).max(100), offset: z.number().int().min(0).max(10_000_000), limit: z.number().int().min(1).max(500) }),
    ),
    'analysis.openOutput': command<void>()(JobRef),
    /** Saves a copy of the job's results.csv where the person chooses. */
    'analysis.export': command<{ path: string | null }>()(JobRef),
  } as const;
})();

export type Commands = typeof commands;
export type CommandName = keyof Commands;
/** What the renderer passes. */
export type CommandInput<C extends CommandName> = z.input<Commands[C]['input']>;
/** What the handler receives after parsing. */
export type ParsedInput<C extends CommandName> = z.output<Commands[C]['input']>;
export type CommandOutput<C extends CommandName> = Commands[C]['result'];

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.hasOwn(commands, value);
}

/** The bridge the preload exposes as `window.loupe`. The harness implements the same. */
export interface LoupeBridge {
  invoke<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<CommandOutput<C>>>;
  onState(callback: (state: AppState) => void): () => void;
  /** Absolute paths of dropped or picked files. */
  pathsForFiles(files: readonly File[]): Promise<string[]>;
}
