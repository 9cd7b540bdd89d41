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

/** The signed-in ChatGPT account as the renderer may see it: identity labels and times, never a token. */
export interface AccountView {
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
  lastRefreshAt: number | null;
  refreshing: boolean;
  /** Why the account needs attention (a failed refresh, an identity check that could not run, …). */
  problem: CommandError | null;
  storage: TokenStorage;
  /** Show the one-time "You're using your ChatGPT plan" notice. */
  showPlanWelcome: boolean;
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
  /** The server says the model accepts image input. */
  vision: boolean;
}

export interface ModelsView {
  status: 'idle' | 'loading' | 'ready' | 'error';
  items: ModelView[];
  error: CommandError | null;
  fetchedAt: number | null;
  /** The person's default model (persisted). */
  selected: string | null;
}

/** The single snapshot the main process publishes to the renderer. */
export interface AppState {
  app: AppInfo;
  account: AccountView;
  signIn: SignInView;
  models: ModelsView;
  settings: SettingsView;
  notices: Notice[];
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
  });
  return {
    'app.getState': command<AppState>()(Empty),
    'app.openExternal': command<void>()(z.strictObject({ url: z.string().max(2048) })),
    'notices.dismiss': command<void>()(z.strictObject({ id: z.string().min(1).max(200) })),
    'settings.update': command<SettingsView>()(SettingsPatch),
    /** Start "Continue with ChatGPT": opens the system browser; progress arrives in `signIn`. */
    'auth.signIn': command<void>()(z.strictObject({ reconsent: z.boolean().optional() })),
    'auth.cancelSignIn': command<void>()(Empty),
    /** Copies the sign-in link to the clipboard (main process), for when the browser could not be opened. */
    'auth.copySignInLink': command<void>()(Empty),
    /** The final redirect URL pasted by the person when the browser ran on another machine. */
    'auth.submitRedirectUrl': command<void>()(z.strictObject({ url: z.string().min(1).max(8192) })),
    'auth.refreshNow': command<void>()(Empty),
    /** Revokes the refresh token, then deletes local tokens. `revoked: false` means revocation was not confirmed. */
    'auth.signOut': command<{ revoked: boolean }>()(Empty),
    'auth.dismissPlanWelcome': command<void>()(Empty),
    'models.refresh': command<void>()(Empty),
    'models.select': command<void>()(z.strictObject({ slug: z.string().min(1).max(200) })),
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
