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

export const ERROR_CODES = [
  'invalid_input',
  'unknown_command',
  'forbidden_sender',
  'not_allowed',
  'internal',
] as const;

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

export type AccountStatus = 'signed_out';

export interface AccountView {
  status: AccountStatus;
}

/** The single snapshot the main process publishes to the renderer. */
export interface AppState {
  app: AppInfo;
  account: AccountView;
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
  });
  return {
    'app.getState': command<AppState>()(Empty),
    'app.openExternal': command<void>()(z.strictObject({ url: z.string().max(2048) })),
    'notices.dismiss': command<void>()(z.strictObject({ id: z.string().min(1).max(200) })),
    'settings.update': command<SettingsView>()(SettingsPatch),
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
