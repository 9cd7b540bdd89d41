/** Every command: its zod input schema and result type; the drop channel's paths (see electron/contract.ts). */
import { z } from 'zod';
import type { TokenStorage } from './account-state';
import type { JobDetailView, JobItemsPage, StagedThumbnail } from './analysis-state';
import type { AppState, SettingsView } from './app-state';
import { concurrencySetting } from './concurrency';
import { JobStartSchema, jobName } from './job-spec';
import { IMAGE_DETAILS, type LimitedSetting, SETTINGS_LIMITS, THEMES } from './vocabularies';

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
    /** Starts a job of what is staged; 'batch' mode only where `account.can.batch` allows (see job-spec.ts). */
    'analysis.start': command<{ jobId: string }>()(JobStartSchema),
    'analysis.pause': command<void>()(JobRef),
    'analysis.resume': command<void>()(JobRef),
    /** Pauses at once; the job is cancelled after a few seconds unless `analysis.undoCancel` comes first. */
    'analysis.cancel': command<void>()(JobRef),
    'analysis.undoCancel': command<void>()(JobRef),
    /** A new job of the photos a stopped or cancelled job did not finish. */
    'analysis.startRemaining': command<{ jobId: string }>()(JobRef),
    'analysis.rename': command<void>()(z.strictObject({ jobId: z.string().min(1).max(100), name: jobName() })),
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
