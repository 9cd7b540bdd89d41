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
  /**
   * The preload's own channel for a drop: it carries the paths of real dropped
   * files (electron/preload.ts), never a command, and the page cannot use it.
   */
  dropped: 'loupe:dropped',
} as const;

/** The app's own origin; the renderer is served from it in Electron. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'loupe';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

// ---------------------------------------------------------------------------
// Errors

/**
 * Every error code a command can answer with, by domain. A code is stable (the
 * renderer and tests match on it); the message is what a person reads.
 */
export const ERROR_CODES = {
  /** The trust boundary: dispatch and the IPC manager. */
  boundary: ['invalid_input', 'unknown_command', 'internal', 'forbidden_sender', 'not_allowed'],
  /** The renderer's side of IPC: the bridge itself failed (the main process did not answer). */
  bridge: ['bridge'],
  accounts: [
    'signed_out',
    'needs_sign_in',
    'unknown_account',
    'not_oauth',
    'invalid_api_key',
    'invalid_provider',
    'plan_usage_disabled',
    'account_mismatch',
    'session_expired',
    'token_expired',
    'unauthorized',
    /** The OS keychain refused or is locked: the vault file is kept untouched. */
    'keychain_unavailable',
    /** The person declined (or the shell could not show) a main-process confirmation. */
    'not_confirmed',
  ],
  /** Signing in, refreshing and signing out (RFC 6749 / SIWC codes keep their names). */
  auth: [
    'access_denied',
    'authorization_failed',
    'callback_port_unavailable',
    'cancelled',
    'client_mismatch',
    'discovery_failed',
    'identity_verification_unavailable',
    'invalid_callback',
    'invalid_client',
    'invalid_configuration',
    'invalid_grant',
    'invalid_id_token',
    'invalid_redirect',
    'invalid_refresh_token',
    'invalid_scope',
    'invalid_token_response',
    'network_error',
    'no_sign_in',
    'refresh_failed',
    'refresh_not_ready',
    'refresh_token_expired',
    'refresh_token_invalidated',
    'refresh_token_reused',
    'registration_incomplete',
    'server_unavailable',
    'sign_in_failed',
    'sign_in_in_progress',
    'timeout',
    'token_exchange_failed',
    'issuer_mismatch',
    'openai_domain_refused',
    'unexpected_response',
  ],
  models: ['models_forbidden', 'models_unavailable', 'unexpected_models_response', 'unknown_model'],
  /** Staging, starting and managing jobs, and reading photos. */
  analysis: [
    'nothing_staged',
    /** This build has no dialog for it (the browser harness). */
    'not_supported',
    'too_many_inputs',
    'no_model',
    'no_images',
    'invalid_schema',
    'invalid_state',
    'job_not_found',
    'job_save_failed',
    'nothing_to_export',
    'output_dir_unwritable',
    'image_too_large',
    'image_too_many_pixels',
    'unreadable_image',
    /** Batch mode was asked of an account whose server has no Batch API (ChatGPT-plan sign-ins). */
    'batch_unavailable',
  ],
  /** One request to the model API (analysis/api/classify.ts says what each one does to a job). */
  api: [
    'insufficient_quota',
    'not_eligible',
    'forbidden',
    'unsupported_capability',
    'model_not_found',
    'rate_limited',
    'server_error',
    'invalid_request',
    'invalid_stream',
    'stream_interrupted',
    'response_too_large',
    'response_incomplete',
    'network',
    'usage_limit',
    'output_unwritable',
    /** Loupe's own code failed while handling an answer: not retried, the paid answer kept. */
    'internal_error',
    /** The Batch API ended a batch (expired, cancelled) before this photo was answered. */
    'batch_incomplete',
    /** The Batch API could not take the job (upload or batch creation refused). */
    'batch_failed',
  ],
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES][number];

const ALL_ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODES).flat());
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && ALL_ERROR_CODES.has(value);
}

/**
 * The only error shape that crosses IPC: a stable code and a message written
 * for a person. Never a stack, never a server body that may echo secrets.
 */
export interface CommandError {
  code: ErrorCode;
  message: string;
  /** For `invalid_input`: the dotted path of the first offending field. */
  field?: string;
  /** True when trying again later may succeed. */
  retryable?: boolean;
}

export type CommandResult<T> = { ok: true; value: T } | { ok: false; error: CommandError };

// ---------------------------------------------------------------------------
// Vocabularies and limits: written once here; the schemas below, the core and
// the renderer all read them.

export const THEMES = ['system', 'light', 'dark'] as const;
export const ACCOUNT_KINDS = ['chatgpt', 'api_key', 'custom'] as const;
export const PRESET_IDS = ['describe', 'damage', 'custom'] as const;
export const IMAGE_DETAILS = ['low', 'high', 'auto'] as const;
export const JOB_STATUSES = ['queued', 'running', 'paused', 'done', 'failed', 'cancelled', 'stopped'] as const;
export const ITEM_STATUSES = ['pending', 'in_flight', 'done', 'failed', 'skipped'] as const;

/** Every numeric setting: its bounds (the form and the schemas) and the value used when none is saved. */
export const SETTINGS_LIMITS = {
  expiryWarningMinutes: { min: 1, max: 120, default: 10 },
  refreshMarginSeconds: { min: 30, max: 900, default: 120 },
  callbackPort: { min: 0, max: 65535, default: 0 },
  signInTimeoutMinutes: { min: 1, max: 60, default: 10 },
  // An optional ceiling (see ANALYSIS_CONCURRENCY below): Loupe keeps rate × latency requests in flight below it
  // (analysis/run/little-law.ts). `default` is the number offered when a person first sets one.
  analysisConcurrency: { min: 1, max: 64, default: 16 },
} as const;
export type LimitedSetting = keyof typeof SETTINGS_LIMITS;

// ---------------------------------------------------------------------------
// State

export type Theme = (typeof THEMES)[number];

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
  /** 'auto': as many requests at once as the server's rate × latency allows; a number: at most that many. */
  analysisConcurrency: ConcurrencySetting;
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
  /** Buttons the window shows with the notice; each runs a command with empty input. */
  actions?: NoticeAction[];
}

export interface NoticeAction {
  label: string;
  command: 'accounts.retryKeychain' | 'accounts.resetVault';
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

/**
 * How an account's session looks at a glance (the pill's colour, the tray's icon), decided by the core:
 * a session that will renew itself is 'fine'; 'expiring' only when it won't renew in time.
 */
export const ACCOUNT_GLANCES = ['fine', 'expiring', 'needs_sign_in', 'signed_out'] as const;
export type AccountGlance = (typeof ACCOUNT_GLANCES)[number];

/** Where the session's tokens live: the OS keychain, a weak (hard-coded key) store the person accepted, or memory only. */
export type TokenStorage = 'keychain' | 'weak' | 'memory';

export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** One saved account in the switcher. */
export interface AccountSummaryView {
  id: string;
  kind: AccountKind;
  label: string;
  email: string | null;
  status: AccountStatus;
  expiresAt: number | null;
  /** When the session will renew itself; null when it won't (no refresh token, refresh failing). */
  renewsAt: number | null;
  glance: AccountGlance;
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
  /** When the session will renew itself (the session's own schedule); null when it won't. */
  renewsAt: number | null;
  glance: AccountGlance;
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
  /** Start a job through the Batch API (half price, results within 24 h): only where the account's server has it. */
  batch: Ability;
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
  /** While waiting: a response Loupe did not start (wrong or forged `state`) was ignored; the attempt still waits. */
  warning?: CommandError | null;
}

export interface ModelView {
  slug: string;
  displayName: string;
  /** Accepts image input: from the server's `input_modalities`, else a known list, else the person's override. */
  vision: boolean;
  visionSource: 'server' | 'known' | 'override' | 'unknown';
  /** What the server or the known list says, apart from the person's override. */
  detectedVision: boolean;
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

export type PresetId = (typeof PRESET_IDS)[number];
export type ImageDetail = (typeof IMAGE_DETAILS)[number];
export type JobStatus = (typeof JOB_STATUSES)[number];
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export interface StagedInput {
  path: string;
  name: string;
  kind: 'file' | 'folder';
  /** Photos Loupe can analyse here; null while it is still being checked. */
  photoCount: number | null;
  /** Why (some of) it can't be analysed, in words for a person; null when all is well. */
  problem: string | null;
}

/** A preview of a staged photo or folder, from `analysis.getStagedThumbnails` (never part of AppState). */
export interface StagedThumbnail {
  path: string;
  /** A small JPEG `data:` URL (at most 112 px, EXIF-rotated, no metadata); null for a folder or a file that can't be read. */
  src: string | null;
  /** A staged folder: its first few photos (empty when it has none). */
  previews?: string[];
  /** Why there is no preview, in words for a person; null when there is one (or for a folder). */
  problem: string | null;
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
  /** Requests waiting to be sent again (e.g. "Can't reach the server"); null when none are. */
  retrying: { count: number; nextAt: number | null; reason: string } | null;
  /** Set while a cancel can still be undone (the job is paused until then). */
  undoCancelUntil: number | null;
  can: JobAbilities;
  mode: JobMode;
  /** A batch job's state at OpenAI and its discount; null for a live job. */
  batch: JobBatchView | null;
}

export interface JobAbilities {
  pause: Ability;
  resume: Ability;
  cancel: Ability;
  undoCancel: Ability;
  retryFailed: Ability;
  /** Ask again for answers that did not match the schema (only on request: each is paid for). */
  retryUnparsed: Ability;
  analyseRemaining: Ability;
  rename: Ability;
  remove: Ability;
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
  /** Photos the staged files and folders hold; null while any is still being checked. */
  stagedPhotoCount: number | null;
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
  /** Set when a job stopped on the ChatGPT usage limit, until that account works again. */
  usageLimit: UsageLimitView | null;
}

export interface UsageLimitView {
  accountId: string;
  message: string;
  link: { label: string; url: string };
}

// ---------------------------------------------------------------------------
// Commands

/** Declares a command: its input schema plus a phantom result type. */
function command<Result>() {
  return <Input extends z.ZodType>(input: Input) => ({ input, result: undefined as unknown as Result });
}

/** An integer setting within its SETTINGS_LIMITS bounds. */
export function limitedSetting(name: LimitedSetting) {
  return z.number().int().min(SETTINGS_LIMITS[name].min).max(SETTINGS_LIMITS[name].max);
}

// ---------------------------------------------------------------------------
// Batch mode and the concurrency choice (issue #12): kept together so they move as one.

/** 'live': one request per photo as it is ready; 'batch': through the Batch API, half price, results within 24 h. */
export const JOB_MODES = ['live', 'batch'] as const;
export type JobMode = (typeof JOB_MODES)[number];

/**
 * Where a batch job is: photos being prepared and uploaded, waiting for
 * OpenAI to answer, answers arriving (downloaded and written), or cancelling
 * (the batch is being cancelled; answers it had already finished are still
 * collected, since they were paid for).
 */
export const BATCH_PHASES = ['uploading', 'waiting', 'collecting', 'cancelling'] as const;
export type BatchPhase = (typeof BATCH_PHASES)[number];

export interface JobBatchView {
  /** null when nothing is happening at OpenAI for this job (not started yet, or every answer collected). */
  phase: BatchPhase | null;
  /** Requests OpenAI reports finished, of those in the job's batches (from the last poll); null before a batch exists. */
  progress: { done: number; total: number } | null;
  /** What the Batch API charges relative to a live job (0.5: half price); `costUsd` already includes it. */
  priceFactor: number;
  /** What the same tokens would have cost live, for showing the discount; null when the model has no price. */
  liveCostUsd: number | null;
}

/** Analysis concurrency: 'auto' (no ceiling of the person's own: rate × latency and memory decide) or a ceiling. */
export const CONCURRENCY_AUTO = 'auto';
export type ConcurrencySetting = typeof CONCURRENCY_AUTO | number;

/** 'auto' or a whole number within SETTINGS_LIMITS.analysisConcurrency. */
export function concurrencySetting() {
  return z.union([z.literal(CONCURRENCY_AUTO), limitedSetting('analysisConcurrency')]);
}

// Built lazily inside a pure call so bundles that only need the channel names
// (the preload) leave zod out.
export const commands = /* @__PURE__ */ (() => {
  const Empty = z.strictObject({});
  const SettingsPatch = z.strictObject({
    theme: z.enum(THEMES).optional(),
    expiryWarningMinutes: limitedSetting('expiryWarningMinutes').optional(),
    refreshMarginSeconds: limitedSetting('refreshMarginSeconds').optional(),
    allowWeakStorage: z.boolean().optional(),
    callbackPort: limitedSetting('callbackPort').optional(),
    signInTimeoutMinutes: limitedSetting('signInTimeoutMinutes').optional(),
    analysisConcurrency: concurrencySetting().optional(),
    analysisDetail: z.enum(IMAGE_DETAILS).optional(),
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
    /** The keychain was unavailable or refused access: try again to open the saved sign-ins (the file was left untouched). */
    'accounts.retryKeychain': command<{ storage: TokenStorage }>()(Empty),
    /** Deletes the saved sign-ins the keychain will not open, after a main-process confirmation, and starts afresh. */
    'accounts.resetVault': command<{ storage: TokenStorage }>()(Empty),
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
    // No command stages a path the window names: dropped files arrive on CHANNELS.dropped, picked ones from the dialog below.
    'analysis.unstage': command<void>()(z.strictObject({ path: Path })),
    'analysis.clearStaged': command<void>()(Empty),
    /** Previews of staged files, staged folders or photos inside a staged folder, a page at a time; any other path is refused. */
    'analysis.getStagedThumbnails': command<{ thumbnails: StagedThumbnail[] }>()(z.strictObject({ paths: z.array(Path).min(1).max(48) })),
    /** Opens the system file dialog (main process) and stages what the person picks. */
    'analysis.pickImages': command<void>()(z.strictObject({ folders: z.boolean().optional() })),
    'analysis.start': command<{ jobId: string }>()(
      z.strictObject({
        preset: z.enum(PRESET_IDS),
        model: z.string().min(1).max(200).optional(),
        detail: z.enum(IMAGE_DETAILS).optional(),
        concurrency: concurrencySetting().optional(),
        /** 'batch': through the Batch API, half price, results within 24 h (where `account.can.batch` allows). */
        mode: z.enum(JOB_MODES).optional(),
        customPrompt: z.string().max(20_000).optional(),
        /** A JSON schema as text; validated before the job starts. */
        customSchema: z.string().max(100_000).optional(),
        name: z.string().min(1).max(120).optional(),
        outputDir: Path.optional(),
      }),
    ),
    'analysis.pause': command<void>()(JobRef),
    'analysis.resume': command<void>()(JobRef),
    /** Pauses at once; the job is cancelled after a few seconds unless `analysis.undoCancel` comes first. */
    'analysis.cancel': command<void>()(JobRef),
    'analysis.undoCancel': command<void>()(JobRef),
    /** A new job of the photos a stopped or cancelled job did not finish. */
    'analysis.startRemaining': command<{ jobId: string }>()(JobRef),
    'analysis.rename': command<void>()(z.strictObject({ jobId: z.string().min(1).max(100), name: z.string().trim().min(1).max(120) })),
    /** Takes a finished job off the list; its output folder and files stay. */
    'analysis.remove': command<void>()(JobRef),
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

/**
 * What arrives on CHANNELS.dropped (and from the tray's file dialog): the paths
 * to stage. Not a command, so the renderer's `invoke` cannot name paths.
 */
export const offeredPaths = /* @__PURE__ */ (() => z.strictObject({ paths: z.array(z.string().max(4096)).max(10_000) }))();

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
  /**
   * Stages files and folders dropped on the window. Takes the `File`s of the
   * drop, not paths: the preload asks Electron where each is on disk, so the
   * page can only add what the person really dropped.
   */
  stageDropped(files: readonly File[]): Promise<CommandResult<void>>;
}
